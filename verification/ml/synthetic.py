"""A documented synthetic population of SME claims: honest ones drawn from realistic climates, and
faulty ones made by an attack generator. Deterministic for a given seed.

Honest claims (sources in docs/VERIFICATION.md):
- solar: a site drawn from :data:`SITES` (41 places in 27 countries with a crediting factor: equator to
  58° N, monsoon India and South-East Asia, deserts, cloudy north-west Europe, the southern hemisphere),
  moved up to ±0.5°; capacity log-normal (median 40 kWp); each month's yield = the site's climatological
  month (``climatology``, with the high-latitude correction) x the climatology's error at the site
  N(1, 0.08) clipped to 0.8-1.25 x the system's performance N(0.93, 0.06) (shading, orientation,
  soiling) x the year's weather N(1, 0.04) x the month's weather N(1, 0.10);
  evidence is monthly meter readings, quarterly bills or one reading for the period (5 % estimated,
  evenly split bills); 85 % of claims carry the site's coordinates.
- energy efficiency: LED / HVAC / motor / insulation / other with savings around the measure's typical
  share (reference "Plausibility bounds"); monthly bills of the post-retrofit consumption, sometimes
  also baseline bills dated before the period.
- recycling: log-normal mass (median 30 t/yr) of one material, monthly weighbridge tickets (±25 %).
- fuel switch: gas/oil boiler → heat pump (seasonal COP 2.5-4.0), diesel generator → solar
  (2.6-3.6 kWh/l displaced), monthly bills or meter readings of the new supply.

Attacks (label 1), :func:`inject`: ``inflated`` (x1.15-2.5 with matching evidence), ``rounded``
(inflated x1.1-1.6, then every figure rounded to 100 or 1,000), ``flat_series`` (the total, inflated
x1.0-1.5, split evenly over the months), ``copied_meter`` (the monthly figures of another site or
another hemisphere, scaled to the capacity, or one month repeated), ``splitting`` (a 0.3-3 MWp plant
claimed one or two months at a time), ``cross_category`` (a PV array's generation claimed again as an
efficiency saving), ``unit_error`` (x1000), ``padded_baseline`` (baseline x1.3-2.5), ``impossible``
(beyond the physical or measure ceiling), ``evidence_mismatch`` (claim 5-30 % above its evidence).
"""

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

import numpy as np

from verification.engine import climatology, solar
from verification.engine.rules import MEASURE_SAVINGS, add_months
from verification.engine.site_solar import high_latitude_correction
from verification.engine.types import ClaimInput, EvidenceInput

# Places for synthetic solar sites: (country, latitude, longitude). Chosen to span the climates the
# registry serves; every country has a grid crediting factor.
SITES = (
    ("GB", 51.5, -0.1), ("GB", 53.5, -2.2), ("GB", 55.9, -4.3), ("GB", 57.1, -2.1), ("DE", 52.5, 13.4),
    ("DE", 48.1, 11.6), ("NL", 52.4, 4.9), ("PL", 52.2, 21.0), ("FR", 43.6, 1.4), ("ES", 37.4, -6.0),
    ("IT", 41.9, 12.5), ("CA", 53.5, -113.5), ("CA", 43.7, -79.4), ("US", 47.6, -122.3), ("US", 33.4, -112.1),
    ("US", 40.7, -74.0), ("US", 29.8, -95.4), ("MX", 19.4, -99.1), ("BR", -23.5, -46.6), ("BR", -3.7, -38.5),
    ("ZA", -26.2, 28.0), ("KE", -1.3, 36.8), ("NG", 6.5, 3.4), ("EG", 30.0, 31.2), ("SA", 24.7, 46.7),
    ("TR", 39.9, 32.9), ("IN", 19.1, 72.9), ("IN", 28.6, 77.2), ("IN", 13.1, 80.3), ("IN", 23.0, 72.6),
    ("PK", 24.9, 67.0), ("BD", 23.8, 90.4), ("TH", 13.8, 100.5), ("VN", 10.8, 106.7), ("PH", 14.6, 121.0),
    ("ID", -6.2, 106.8), ("CN", 31.2, 121.5), ("JP", 35.7, 139.7), ("KR", 37.6, 127.0), ("AU", -33.9, 151.2),
    ("AU", -23.7, 133.9),
)  # fmt: skip
FAULTS = (
    "inflated",
    "rounded",
    "flat_series",
    "copied_meter",
    "splitting",
    "cross_category",
    "unit_error",
    "padded_baseline",
    "impossible",
    "evidence_mismatch",
)
SOLAR_ONLY_FAULTS = frozenset({"rounded", "flat_series", "splitting", "cross_category"})


@dataclass(frozen=True)
class Sample:
    claim: ClaimInput
    label: int
    fault: str  # "honest" or one of FAULTS


def _period(rng: np.random.Generator) -> tuple[date, date]:
    months = int(rng.choice([12, 12, 12, 9, 6, 6, 3, 3, 1]))
    start = date(int(rng.choice([2023, 2024])), int(rng.integers(1, 13)), 1)
    return start, add_months(start, months) - timedelta(days=1)


def _months(start: date, end: date) -> list[tuple[date, date]]:
    out, cursor = [], start
    while cursor <= end:
        nxt = add_months(cursor, 1)
        out.append((cursor, min(nxt - timedelta(days=1), end)))
        cursor = nxt
    return out


def _group(spans: list[tuple[date, date]], values: list[float], size: int) -> list[tuple[date, date, float]]:
    grouped = []
    for i in range(0, len(spans), size):
        chunk = spans[i : i + size]
        grouped.append((chunk[0][0], chunk[-1][1], sum(values[i : i + size])))
    return grouped


def _evidence(
    rng, spans, values, *, kind: str, unit: str, prefix: str, decimals: int = 0, even: bool = True
) -> tuple[EvidenceInput, ...]:
    style = rng.random()
    if even and style < 0.3 and len(spans) > 1:
        return _even_evidence(rng, spans, sum(values), kind=kind, unit=unit, prefix=prefix)
    if not even:
        style = 0.3 + 0.7 * style
    size = 1 if style < 0.72 else (3 if style < 0.86 else len(spans))
    items = []
    for n, (start, end, value) in enumerate(_group(spans, values, size)):
        quantity = Decimal(str(round(value, decimals))) if decimals else Decimal(round(value))
        items.append(EvidenceInput(kind, start, end, quantity, unit, f"{prefix}-{n}"))
    return tuple(items)


def _even_evidence(rng, spans, total: float, *, kind: str, unit: str, prefix: str) -> tuple[EvidenceInput, ...]:
    """Honest but flat: estimated bills, or one annual reading split evenly by month, often with a
    round total typed by a person. Real SMEs send this, so flat evidence alone must not look like fraud."""
    step = int(rng.choice([1, 100, 1000]))
    whole = Decimal(max(step, round(total / step) * step))
    each = (whole / len(spans)).to_integral_value(rounding="ROUND_FLOOR")
    parts = [each] * len(spans)
    parts[-1] += whole - each * len(spans)
    return tuple(
        EvidenceInput(kind, a, b, q, unit, f"{prefix}-{n}")
        for n, ((a, b), q) in enumerate(zip(spans, parts, strict=True))
    )


def _total(evidence: tuple[EvidenceInput, ...]) -> Decimal:
    return sum((e.quantity for e in evidence), Decimal(0))


def site_months(latitude: float, longitude: float) -> tuple[float, ...]:
    """The climatological kWh/kWp of each calendar month at a place, corrected at high latitude."""
    climate = climatology.site_climate(latitude, longitude)
    correction = high_latitude_correction(latitude)
    return tuple(m * correction for m in climate.monthly_kwh_per_kwp)


def _solar_values(rng, latitude: float, longitude: float, capacity: float, spans) -> list[float]:
    monthly = site_months(latitude, longitude)
    # The climatology's own error at a site (published yields differ from it by -20 %..+24 %, sd ≈ 9 %:
    # verification/data/SOLAR_CLIMATOLOGY.md), the system's performance (shading, orientation, soiling)
    # and the year's weather.
    site_error = float(np.clip(rng.normal(1.0, 0.08), 0.8, 1.25))
    system = float(np.clip(rng.normal(0.93, 0.06), 0.7, 1.05))
    performance = site_error * system * float(rng.normal(1, 0.04))
    values = []
    for a, b in spans:
        days_in_month = (add_months(date(a.year, a.month, 1), 1) - date(a.year, a.month, 1)).days
        share = ((b - a).days + 1) / days_in_month
        values.append(capacity * monthly[a.month - 1] * share * performance * float(rng.normal(1, 0.10)))
    return values


def honest_solar(rng: np.random.Generator, ident: int, *, capacity: float | None = None, period=None) -> ClaimInput:
    country, lat0, lon0 = SITES[int(rng.integers(0, len(SITES)))]
    latitude, longitude = lat0 + float(rng.uniform(-0.5, 0.5)), lon0 + float(rng.uniform(-0.5, 0.5))
    if capacity is None:
        capacity = float(np.clip(rng.lognormal(np.log(40), 0.9), 3, 1000))
    start, end = period or _period(rng)
    spans = _months(start, end)
    try:
        values = _solar_values(rng, latitude, longitude, capacity, spans)
    except climatology.ClimatologyError:  # a coastal point moved out to sea: back to the city itself
        latitude, longitude = lat0, lon0
        values = _solar_values(rng, latitude, longitude, capacity, spans)
    style = rng.random()
    if style < 0.05 and len(spans) > 1:
        evidence = _even_evidence(rng, spans, sum(values), kind="meter_reading", unit="kWh", prefix=f"MTR{ident}")
    else:
        evidence = _evidence(rng, spans, values, kind="meter_reading", unit="kWh", prefix=f"MTR{ident}", even=False)
    sited = rng.random() < 0.85
    return ClaimInput(
        category="solar",
        country=country,
        period_start=start,
        period_end=end,
        parameters={"capacity_kwp": Decimal(str(round(capacity, 1))), "generation_kwh": _total(evidence)},
        evidence=evidence,
        latitude=round(latitude, 3) if sited else None,
        longitude=round(longitude, 3) if sited else None,
    )


EFFICIENCY_COUNTRIES = ("GB", "DE", "FR", "IT", "ES", "NL", "PL", "IN", "US", "AU", "ZA", "BR", "MX", "TR", "JP")


def honest_efficiency(rng: np.random.Generator, ident: int) -> ClaimInput:
    measure = str(rng.choice(list(MEASURE_SAVINGS)))
    typical, credible = MEASURE_SAVINGS[measure]
    carrier = str(rng.choice(["electricity"] * 7 + ["natural_gas"] * 2 + ["diesel"]))
    if measure == "led":
        carrier = "electricity"
    start, end = _period(rng)
    spans = _months(start, end)
    baseline = float(rng.lognormal(np.log(60_000), 1.0)) * len(spans) / 12
    fraction = float(np.clip(rng.normal(typical, 0.07), 0.05, credible - 0.03))
    post = baseline * (1 - fraction)
    weights = rng.normal(1, 0.1, len(spans)).clip(0.5)
    values = list(post * weights / weights.sum())
    evidence = _evidence(rng, spans, values, kind="utility_bill", unit="kWh", prefix=f"BILL{ident}")
    post_total = _total(evidence)
    baseline_q = Decimal(round(baseline))
    if rng.random() < 0.4:
        days = (end - start).days + 1
        b_end = start - timedelta(days=1)
        evidence = (*evidence, EvidenceInput("utility_bill", b_end - timedelta(days=days - 1), b_end, baseline_q, "kWh",
                                             f"BASE{ident}"))  # fmt: skip
    return ClaimInput(
        category="energy_efficiency",
        country=str(rng.choice(EFFICIENCY_COUNTRIES)),
        period_start=start,
        period_end=end,
        parameters={"measure": measure, "energy_carrier": carrier, "baseline_kwh": baseline_q, "post_kwh": post_total},
        evidence=evidence,
    )


def honest_recycling(rng: np.random.Generator, ident: int) -> ClaimInput:
    material = str(rng.choice(["cardboard", "cardboard", "paper", "organic", "mixed"]))
    start, end = _period(rng)
    spans = _months(start, end)
    annual = float(rng.lognormal(np.log(30_000), 1.0))
    values = [annual / 12 * float(rng.normal(1, 0.25)) for _ in spans]
    values = [max(v, 20.0) for v in values]
    evidence = _evidence(rng, spans, values, kind="weighbridge_ticket", unit="kg", prefix=f"WB{ident}")
    return ClaimInput(
        category="recycling",
        country=str(rng.choice(["GB", "US", "DE", "IN", "FR"])),
        period_start=start,
        period_end=end,
        parameters={"material": material, "mass_kg": _total(evidence)},
        evidence=evidence,
    )


FUEL_COUNTRIES = ("GB", "DE", "FR", "IT", "ES", "NL", "PL", "IN", "US", "AU", "ZA", "KE", "NG", "PK", "BD")
# A heat pump only reduces emissions where the grid's operating margin is low enough; honest SMEs on
# coal-heavy grids (IN, ZA, PL, AU) would claim nothing, so the generator does not draw them.
HEAT_PUMP_COUNTRIES = ("GB", "FR", "ES", "IT", "NL", "US", "BR", "CA")


def honest_fuel_switch(rng: np.random.Generator, ident: int) -> ClaimInput:
    start, end = _period(rng)
    spans = _months(start, end)
    scale = len(spans) / 12
    kind = rng.random()
    if kind < 0.5:
        fuel, unit = ("natural_gas", "kWh") if rng.random() < 0.7 else ("heating_oil", "litre")
        per_unit = 1.0 if unit == "kWh" else 10.35
        base = float(rng.lognormal(np.log(80_000 if unit == "kWh" else 8_000), 0.8)) * scale
        cop = float(rng.uniform(2.5, 4.0))
        new_total = base * per_unit * 0.85 / cop
        new_fuel, evidence_kind = "electricity", "utility_bill"
        country = str(rng.choice(HEAT_PUMP_COUNTRIES))
    else:
        fuel, unit = "diesel", "litre"
        base = float(rng.lognormal(np.log(8_000), 0.8)) * scale
        new_total = base * float(rng.uniform(2.6, 3.6))
        new_fuel, evidence_kind = "solar", "meter_reading"
        country = str(rng.choice(FUEL_COUNTRIES))
    weights = rng.normal(1, 0.15, len(spans)).clip(0.4)
    values = list(new_total * weights / weights.sum())
    evidence = _evidence(rng, spans, values, kind=evidence_kind, unit="kWh", prefix=f"FS{ident}")
    return ClaimInput(
        category="fuel_switch",
        country=country,
        period_start=start,
        period_end=end,
        parameters={
            "baseline_fuel": fuel,
            "baseline_quantity": Decimal(round(base)),
            "unit": unit,
            "new_fuel": new_fuel,
            "new_quantity": _total(evidence),
            "new_unit": "kWh",
        },
        evidence=evidence,
    )


HONEST = {
    "solar": honest_solar,
    "energy_efficiency": honest_efficiency,
    "recycling": honest_recycling,
    "fuel_switch": honest_fuel_switch,
}
PRIMARY = {
    "solar": "generation_kwh",
    "energy_efficiency": "post_kwh",
    "recycling": "mass_kg",
    "fuel_switch": "new_quantity",
}


def _scale_evidence(claim: ClaimInput, factor: float) -> tuple[EvidenceInput, ...]:
    """Scale the monitoring evidence (not the baseline bills) and keep whole units."""
    out = []
    for e in claim.evidence:
        if e.period_start >= claim.period_start:
            e = replace(e, quantity=Decimal(round(float(e.quantity) * factor)))
        out.append(e)
    return tuple(out)


def _monitoring_total(claim: ClaimInput, evidence) -> Decimal:
    return sum((e.quantity for e in evidence if e.period_start >= claim.period_start), Decimal(0))


def _monitoring(claim: ClaimInput) -> list[EvidenceInput]:
    return [e for e in claim.evidence if e.period_start >= claim.period_start]


def _solar_attack(rng: np.random.Generator, claim: ClaimInput, fault: str) -> ClaimInput:
    p = dict(claim.parameters)
    spans = _months(claim.period_start, claim.period_end)
    if fault == "rounded":
        factor, step = float(rng.uniform(1.1, 1.6)), int(rng.choice([100, 100, 1000]))
        evidence = tuple(
            replace(e, quantity=Decimal(max(step, round(float(e.quantity) * factor / step) * step)))
            for e in _monitoring(claim)
        )
    elif fault == "flat_series":
        total = float(p["generation_kwh"]) * float(rng.uniform(1.0, 1.5))
        if len(spans) < 3:
            spans = _months(claim.period_start, add_months(claim.period_start, 6) - timedelta(days=1))
            claim = replace(claim, period_end=spans[-1][1])
            total *= 6 / max(len(_months(claim.period_start, claim.period_end)), 1)
        evidence = _even_evidence(rng, spans, total, kind="meter_reading", unit="kWh", prefix="FLAT")
    elif fault == "copied_meter":
        if len(spans) < 3:
            spans = _months(claim.period_start, add_months(claim.period_start, 12) - timedelta(days=1))
            claim = replace(claim, period_end=spans[-1][1])
        if rng.random() < 0.3:
            template = Decimal(round(float(p["generation_kwh"]) / len(spans) * float(rng.uniform(1, 1.4))))
            values = [float(template)] * len(spans)
        else:
            # Another place's meter data (often the other hemisphere's seasons), scaled to this capacity.
            _, lat, lon = SITES[int(rng.integers(0, len(SITES)))]
            if claim.latitude is not None and rng.random() < 0.5:
                lat = -lat
            try:
                other = site_months(lat, lon)
            except climatology.ClimatologyError:
                other = site_months(-lat, lon)
            scale = float(p["capacity_kwp"]) * float(rng.uniform(0.9, 1.4))
            values = [scale * other[a.month - 1] * float(rng.normal(1, 0.05)) for a, _ in spans]
        evidence = tuple(
            EvidenceInput("meter_reading", a, b, Decimal(round(v)), "kWh", f"COPY{n}")
            for n, ((a, b), v) in enumerate(zip(spans, values, strict=True))
        )
    else:
        raise ValueError(fault)
    p["generation_kwh"] = sum((e.quantity for e in evidence), Decimal(0))
    return replace(claim, parameters=p, evidence=evidence)


def _cross_category(rng: np.random.Generator, claim: ClaimInput) -> ClaimInput:
    """The PV array's generation claimed again as an efficiency saving: the bills after the 'measure'
    fell by exactly what the array produced (the same energy, another category)."""
    generation = float(claim.parameters["generation_kwh"])
    post = generation * float(rng.uniform(0.8, 4.0))
    baseline = post + generation
    spans = _months(claim.period_start, claim.period_end)
    weights = rng.normal(1, 0.1, len(spans)).clip(0.5)
    post_items = _evidence(
        rng, spans, list(post * weights / weights.sum()), kind="utility_bill", unit="kWh", prefix="XC", even=False
    )
    days = claim.period_days
    b_end = claim.period_start - timedelta(days=1)
    base = EvidenceInput("utility_bill", b_end - timedelta(days=days - 1), b_end, Decimal(round(baseline)), "kWh", "XB")
    return ClaimInput(
        category="energy_efficiency",
        country=claim.country,
        period_start=claim.period_start,
        period_end=claim.period_end,
        parameters={
            "measure": str(rng.choice(["led", "other", "hvac"])),
            "energy_carrier": "electricity",
            "baseline_kwh": Decimal(round(baseline)),
            "post_kwh": _total(post_items),
        },
        evidence=(*post_items, base),
    )


def inject(rng: np.random.Generator, claim: ClaimInput, fault: str) -> ClaimInput:
    p = dict(claim.parameters)
    cat = claim.category
    key = PRIMARY[cat]
    if cat == "solar" and fault in ("rounded", "flat_series", "copied_meter"):
        return _solar_attack(rng, claim, fault)
    if fault == "splitting":
        capacity = float(rng.uniform(300, 3000))
        start = date(int(rng.choice([2023, 2024])), int(rng.integers(1, 13)), 1)
        end = add_months(start, int(rng.choice([1, 2]))) - timedelta(days=1)
        return honest_solar(rng, int(rng.integers(0, 10**6)), capacity=capacity, period=(start, end))
    if fault == "cross_category":
        return _cross_category(rng, claim)
    if fault in SOLAR_ONLY_FAULTS:
        fault = "inflated"
    if fault == "inflated":
        factor = float(rng.uniform(1.15, 2.5))
        if cat == "energy_efficiency":
            # Fewer kWh after the retrofit than really used: post understated, bills doctored to match.
            evidence = _scale_evidence(claim, 1 / factor)
            p["post_kwh"] = _monitoring_total(claim, evidence)
        elif cat == "fuel_switch":
            p["baseline_quantity"] = Decimal(int(float(p["baseline_quantity"]) * factor))
            return replace(claim, parameters=p)
        else:
            evidence = _scale_evidence(claim, factor)
            p[key] = _monitoring_total(claim, evidence)
        return replace(claim, parameters=p, evidence=evidence)
    if fault == "copied_meter":
        monitoring = [e for e in claim.evidence if e.period_start >= claim.period_start]
        if len(monitoring) < 2:
            monitoring = _split_monthly(claim, monitoring)
        template = monitoring[int(rng.integers(0, len(monitoring)))].quantity
        copied = tuple(replace(e, quantity=template) for e in monitoring)
        baseline_items = tuple(e for e in claim.evidence if e.period_start < claim.period_start)
        p[key] = sum((e.quantity for e in copied), Decimal(0))
        if cat == "energy_efficiency":
            p["post_kwh"] = min(p["post_kwh"], p["baseline_kwh"] * Decimal("0.6"))
            copied = tuple(replace(e, quantity=(p["post_kwh"] / len(copied)).quantize(Decimal(1))) for e in copied)
            p["post_kwh"] = sum((e.quantity for e in copied), Decimal(0))
        return replace(claim, parameters=p, evidence=copied + baseline_items)
    if fault == "unit_error":
        if cat == "energy_efficiency":
            p["baseline_kwh"] = p["baseline_kwh"] * 1000
        elif cat == "fuel_switch":
            p["baseline_quantity"] = p["baseline_quantity"] * 1000
        elif rng.random() < 0.5:
            p[key] = p[key] * 1000
        else:
            p[key] = p[key] * 1000
            return replace(claim, parameters=p, evidence=_scale_evidence(claim, 1000))
        return replace(claim, parameters=p)
    if fault == "padded_baseline":
        if cat == "energy_efficiency":
            p["baseline_kwh"] = Decimal(int(float(p["baseline_kwh"]) * float(rng.uniform(1.3, 2.5))))
            evidence = tuple(
                replace(e, quantity=p["baseline_kwh"]) if e.period_start < claim.period_start else e
                for e in claim.evidence
            )
            return replace(claim, parameters=p, evidence=evidence)
        if cat == "fuel_switch":
            p["baseline_quantity"] = Decimal(int(float(p["baseline_quantity"]) * float(rng.uniform(1.3, 2.5))))
            return replace(claim, parameters=p)
        return inject(rng, claim, "inflated")
    if fault == "impossible":
        if cat == "solar":
            latitude, _ = solar.ceiling_latitude(claim.country, claim.latitude)
            ceiling = solar.physical_ceiling_kwh_per_kwp(latitude, claim.period_start, claim.period_end)
            target = float(p["capacity_kwp"]) * ceiling * float(rng.uniform(1.0, 1.6))
            factor = target / float(p["generation_kwh"])
        elif cat == "energy_efficiency":
            factor = float(p["baseline_kwh"]) * float(rng.uniform(0.01, 0.1)) / float(p["post_kwh"])
        else:
            factor = float(rng.uniform(4, 10))
        if cat == "fuel_switch":
            p["baseline_quantity"] = Decimal(int(float(p["baseline_quantity"]) * factor))
            return replace(claim, parameters=p)
        evidence = _scale_evidence(claim, factor)
        p[key] = _monitoring_total(claim, evidence)
        return replace(claim, parameters=p, evidence=evidence)
    if fault == "evidence_mismatch":
        p[key] = Decimal(int(float(p[key]) * float(rng.uniform(1.05, 1.3))))
        if cat == "energy_efficiency":
            p["post_kwh"] = Decimal(int(float(claim.parameters["post_kwh"]) / float(rng.uniform(1.05, 1.3))))
        return replace(claim, parameters=p)
    raise ValueError(fault)


def _split_monthly(claim: ClaimInput, items: list[EvidenceInput]) -> list[EvidenceInput]:
    """One reading for the period becomes monthly readings (the copier needs months to copy)."""
    total = sum((e.quantity for e in items), Decimal(0))
    spans = _months(claim.period_start, claim.period_end)
    each = (total / len(spans)).quantize(Decimal(1))
    return [EvidenceInput("meter_reading", a, b, each, "kWh", f"COPY{n}") for n, (a, b) in enumerate(spans)]


def population(*, seed: int, n: int, fault_share: float = 0.4) -> list[Sample]:
    rng = np.random.default_rng(seed)
    categories = list(HONEST)
    samples = []
    for ident in range(n):
        category = categories[ident % len(categories)]
        claim = HONEST[category](rng, ident)
        if rng.random() < fault_share:
            fault = str(rng.choice(FAULTS))
            if fault in SOLAR_ONLY_FAULTS and category != "solar":
                claim = honest_solar(rng, ident)
            samples.append(Sample(inject(rng, claim, fault), 1, fault))
        else:
            samples.append(Sample(claim, 0, "honest"))
    return samples
