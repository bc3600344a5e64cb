"""Solar rules that know the site: the climatological yield at the coordinates (``climatology``).

A claim with coordinates is judged against what a well-oriented fixed system there delivers in an
average year (``verification/data/SOLAR_CLIMATOLOGY.md``), not against a country-wide bound:

- ``solar_yield_above_site_ceiling`` (reject): the period's yield above ``factor`` x the expectation
  (``SOLAR_CEILING_FACTOR``, 1.3 for a year; shorter periods get the larger factor their weather allows,
  ``climatology.period_factor``);
- ``solar_period_yield_above_site_ceiling`` (reject): one evidence item (a month, a quarter) above the
  ceiling of its own period, so a summer-shaped inflation of winter months is caught, and monsoon or
  winter months are judged by their own climatological share;
- ``solar_period_yield_low`` (review): a whole-month item below 20 % of its expectation (an outage, or
  the wrong site);
- ``solar_series_identical`` (reject) / ``solar_series_flat`` (review): identical monthly values over
  six months or more, or a series flatter than the site's seasons allow (estimated or invented data);
- ``solar_series_out_of_season`` (review): six or more periods whose output runs against the site's
  seasons (copied from another place or hemisphere);
- ``solar_climatology_unavailable`` (review): no climatology for the coordinates (open sea): a person
  looks, never a 500.

High latitudes: the climatology reads high above ~54° (GLDAS and MERRA-2 see too little cloud there:
Glasgow 939 vs ~800-850 kWh/kWp measured, Oslo 1,035 vs ~850-950, Tromsø 921 vs ~700), which would
make the ceiling there 1.3 x an already high figure. :func:`high_latitude_correction` scales the
expectation down (ASSUMPTION, fitted to those three published figures; labelled in every decision).
"""

from dataclasses import replace
from datetime import date

import numpy as np

from verification.engine import climatology
from verification.engine.types import ClaimInput, EvidenceInput

DEFAULT_CEILING_FACTOR = 1.3
IDENTICAL_REJECT_MONTHS = 6  # identical values over this many months or more: not a meter
SEASON_MIN_ITEMS = 6
SEASON_CORR_LIMIT = 0.0  # ASSUMPTION: below it a series runs against clear seasons
SEASON_CORR_LIMIT_WEAK = -0.3  # ASSUMPTION: the same where the seasons are weak
# High-latitude correction (ASSUMPTION, docs/VERIFICATION.md): 1.0 up to 54°, 0.88 at 56°, then
# 1.1 % less per degree, never below 0.7. Oslo 1,035 -> 866, Tromsø 921 -> 674, Glasgow 939 -> 832.
HIGH_LATITUDE_START = 54.0
HIGH_LATITUDE_KNEE = 56.0
HIGH_LATITUDE_AT_KNEE = 0.88
HIGH_LATITUDE_SLOPE = 0.011
HIGH_LATITUDE_FLOOR = 0.7


def high_latitude_correction(latitude: float) -> float:
    lat = abs(latitude)
    if lat <= HIGH_LATITUDE_START:
        return 1.0
    if lat <= HIGH_LATITUDE_KNEE:
        share = (lat - HIGH_LATITUDE_START) / (HIGH_LATITUDE_KNEE - HIGH_LATITUDE_START)
        return 1.0 - share * (1.0 - HIGH_LATITUDE_AT_KNEE)
    return max(HIGH_LATITUDE_AT_KNEE - HIGH_LATITUDE_SLOPE * (lat - HIGH_LATITUDE_KNEE), HIGH_LATITUDE_FLOOR)


def _optional_float(value) -> float | None:
    return None if value is None else float(value)


def site_climate(claim: ClaimInput) -> climatology.SiteClimate:
    """The site's climatology (tilt and azimuth from the claim when given), corrected at high latitude.
    Raises ``climatology.ClimatologyError`` when there is none."""
    if claim.latitude is None or claim.longitude is None:
        raise climatology.ClimatologyError("the claim has no coordinates")
    p = claim.parameters
    climate = climatology.site_climate(
        claim.latitude, claim.longitude, _optional_float(p.get("tilt_deg")), _optional_float(p.get("azimuth_deg"))
    )
    correction = high_latitude_correction(claim.latitude)
    if correction == 1.0:
        return climate
    monthly = tuple(m * correction for m in climate.monthly_kwh_per_kwp)
    return replace(
        climate,
        annual_kwh_per_kwp=sum(monthly),
        monthly_kwh_per_kwp=monthly,
        quality=f"{climate.quality}; high-latitude correction x{correction:.3f} (ASSUMPTION)",
    )


def data_version() -> str:
    return climatology._data().version


def _energy_items(claim: ClaimInput, units: dict) -> list[EvidenceInput]:
    return [
        e
        for e in claim.evidence
        if e.period_start >= claim.period_start
        and e.period_end <= claim.period_end
        and units.get(e.unit, ("", 0))[0] == "energy"
    ]


def _whole_months(start: date, end: date) -> int:
    """Calendar months the item covers whole (0 when it is not made of whole months)."""
    if start.day != 1:
        return 0
    nxt = date(end.year + end.month // 12, end.month % 12 + 1, 1)
    if (nxt - end).days != 1:
        return 0
    return (end.year - start.year) * 12 + end.month - start.month + 1


def evaluate_site(claim: ClaimInput, out, *, units: dict, factor: float) -> float | None:
    """Add the site rules to ``out`` (a ``rules.RuleOutcome``); returns the expected kWh/kWp over the
    period, or None when the climatology is unavailable."""
    p = claim.parameters
    capacity, generation = float(p["capacity_kwp"]), float(p["generation_kwh"])
    specific = generation / capacity
    try:
        climate = site_climate(claim)
    except climatology.ClimatologyError as error:
        out.add(
            "solar_climatology_unavailable",
            "review",
            f"No solar climatology for the site's coordinates ({error}): a verifier checks the yield.",
        )
        return None
    expected = climatology.expected_generation(climate, 1.0, claim.period_start, claim.period_end)
    ceiling = climatology.yield_ceiling(climate, claim.period_start, claim.period_end, factor=factor)
    period_factor = climatology.period_factor(claim.period_days, factor)
    out.metrics.update(
        {
            "site_expected_yield": expected,
            "site_ceiling": ceiling,
            "site_yield_ratio": specific / expected if expected > 0 else 10.0,
            "site_ceiling_ratio": specific / ceiling if ceiling > 0 else 10.0,
        }
    )
    out.add(
        "solar_site_climatology",
        "info",
        f"Expected at the site: {climate.annual_kwh_per_kwp:,.0f} kWh/kWp/yr (tilt {climate.tilt_deg:.1f}°), "
        f"{expected:,.1f} kWh/kWp over the period; ceiling {ceiling:,.1f} (factor {period_factor:.2f} for "
        f"{claim.period_days} days, annual {factor}); yield {specific:,.1f} kWh/kWp. Data {data_version()}; "
        f"{climate.quality}.",
    )
    if specific > ceiling:
        out.add(
            "solar_yield_above_site_ceiling",
            "reject",
            f"{specific:,.0f} kWh/kWp over the period is {specific / expected:.2f}x what a well-oriented system at "
            f"the site delivers in an average year ({expected:,.0f}); the most credited is {period_factor:.2f}x "
            f"({ceiling:,.0f}).",
        )
    items = _energy_items(claim, units)
    if not items and claim.readings is not None:
        from verification.engine.series import monthly_totals

        items = monthly_totals(claim, list(claim.readings.points), claim.longitude or 0.0)
    scale = capacity
    too_high, too_low = [], []
    for item in items:
        kwh = float(item.quantity * units[item.unit][1]) / scale
        item_ceiling = climatology.yield_ceiling(climate, item.period_start, item.period_end, factor=factor)
        item_expected = climatology.expected_generation(climate, 1.0, item.period_start, item.period_end)
        if kwh > item_ceiling:
            too_high.append(f"{item.period_start}..{item.period_end} {kwh:,.0f} > {item_ceiling:,.0f}")
        elif _whole_months(item.period_start, item.period_end) and kwh < climatology.LOW_FACTOR * item_expected:
            too_low.append(f"{item.period_start}..{item.period_end} {kwh:,.1f} < {item_expected:,.1f} expected")
    if too_high:
        out.add(
            "solar_period_yield_above_site_ceiling",
            "reject",
            "Evidence above the site's ceiling for its own period (kWh/kWp): " + "; ".join(too_high[:6]) + ".",
        )
    if too_low:
        out.add(
            "solar_period_yield_low",
            "review",
            "Evidence far below the site's expectation for its period (an outage, or another site?): "
            + "; ".join(too_low[:6])
            + ".",
        )
    _flatness_rules(items, climate, out, units=units)
    _season_rule(items, climate, out, units=units)
    return expected


def _season_rule(items: list[EvidenceInput], climate, out, *, units: dict) -> None:
    """Six or more periods whose output runs against the site's seasons (another hemisphere's or
    another climate's meter data): review. Honest series follow the climatology (correlation 0.4-1.0
    in the table of cases); where the seasons are weak (log spread under 0.15: the tropics, the
    highlands) weather noise can blur it, so only a clearly opposite series is flagged there."""
    if len(items) < SEASON_MIN_ITEMS:
        return
    rates, expected = [], []
    for e in items:
        days = (e.period_end - e.period_start).days + 1
        rates.append(float(e.quantity * units[e.unit][1]) / days)
        expected.append(climatology.expected_generation(climate, 1.0, e.period_start, e.period_end) / days)
    r, x = np.asarray(rates), np.log(np.maximum(np.asarray(expected), 1e-9))
    if r.std() == 0 or x.std() == 0:
        return
    corr = float(np.corrcoef(r, np.exp(x))[0, 1])
    limit = SEASON_CORR_LIMIT if x.std() >= climatology.FLAT_MIN_SEASONALITY else SEASON_CORR_LIMIT_WEAK
    if corr < limit:
        out.add(
            "solar_series_out_of_season",
            "review",
            f"The monthly output runs against the site's seasons (correlation {corr:.2f} with its climatology): "
            "meter data of another place or hemisphere?",
        )


def _flatness_rules(items: list[EvidenceInput], climate, out, *, units: dict) -> None:
    if len(items) < 3:
        return
    series = [(e.period_start, e.period_end, float(e.quantity * units[e.unit][1])) for e in items]
    flat = climatology.flatness_over_periods(series, climate)
    out.metrics["series_flatness"] = 0.0 if flat.identical else max(0.0, 1.0 - min(flat.score, 1.0))
    if not flat.flagged:
        return
    months = sum((e.period_end - e.period_start).days + 1 for e in items) / (365.25 / 12)
    if flat.identical and months >= IDENTICAL_REJECT_MONTHS - 0.5:
        out.metrics["series_flatness"] = 1.0
        out.add(
            "solar_series_identical",
            "reject",
            f"{len(items)} evidence items over {months:.0f} months carry the same output ({flat.detail}): a PV "
            "meter follows the seasons; estimated or invented figures cannot be credited.",
        )
        return
    out.metrics["series_flatness"] = 1.0 if flat.identical else out.metrics["series_flatness"]
    out.add(
        "solar_series_flat",
        "review",
        f"The evidence is flatter than the site's seasons allow ({flat.detail}): estimated bills or an annual "
        "figure split evenly need a verifier's look; metered readings pass.",
    )
