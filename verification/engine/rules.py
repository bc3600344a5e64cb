"""Plausibility rules. Each finding is a :class:`Reason` with a stable code and a severity:

``reject``  a hard rule: the claim cannot be credited as submitted;
``review``  a human should look before credits are issued;
``info``    shown to the claimant and the verifier, changes nothing.

The rules also return the metrics they computed (yields, ratios); the feature builder reuses them.
Thresholds are module constants, documented with their sources in docs/VERIFICATION.md.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from core.references import compact_key
from projects.integrity import ADDITIONALITY_HIGH_INCOME_GRID_CODE, ADDITIONALITY_HIGH_INCOME_GRID_DETAIL, HIGH_INCOME
from verification.engine import series, site_solar, solar
from verification.engine.types import (
    Calculation,
    ClaimInput,
    EvidenceInput,
    HistoryContext,
    Reason,
    SiteClaim,
    TrustContext,
)

MAX_PERIOD_MONTHS = 12
EVIDENCE_TOLERANCE = Decimal("0.02")  # evidence must add up to the claimed quantity within ±2 %
UNIT_SLIP_RATIO = (500, 2000)  # a total off by ~1000x: kWh vs MWh, kg vs t, W vs kW
SOLAR_UNIT_SLIP_FACTOR = 100  # annual yield 100x the regional typical or more: not a PV system
SOLAR_LOW_YIELD_SHARE = 0.25

# Savings as a share of the metered baseline: typical figure and the most that is credible for the
# measure (reference/README.md "Plausibility bounds": LED ≈ 40 % one-for-one, 60-80 % with controls;
# fans and pumps follow the cube law, 80 % speed ≈ 51 % power). Above 90 % is implausible for any.
MEASURE_SAVINGS = {
    "led": (0.40, 0.80),
    "hvac": (0.25, 0.50),
    "motor": (0.30, 0.60),
    "insulation": (0.20, 0.50),
    "other": (0.20, 0.50),
}
SAVINGS_IMPLAUSIBLE = 0.90

# Fuel switch checks. Net calorific values to express a fuel in kWh (ASSUMPTION, rounded textbook
# values) and the boiler efficiency a heat pump is compared with.
NET_KWH_PER_UNIT = {
    ("diesel", "litre"): 10.0,
    ("heating_oil", "litre"): 10.35,
    ("lpg", "litre"): 6.6,
    ("petrol", "litre"): 9.1,
    ("natural_gas", "m3"): 10.5,
}
BOILER_EFFICIENCY = 0.85
HEAT_PUMP_COP_REVIEW = 4.5
HEAT_PUMP_COP_MAX = 6.0
GENSET_KWH_PER_LITRE = (2.0, 4.0)  # below: more diesel claimed than a genset burns; above 4.0 flagged

RECYCLING_LARGE_T_PER_YEAR = 10_000
MICRO_SCALE_LIMIT_KG_PER_YEAR = 10_000_000  # Gold Standard micro-scale: ≤ 10,000 tCO2e per year

# --- Trust rules (applied to claims submitted to the registry: a TrustContext is given) ----------------
ROLLING_MONTHS = 12  # the review-size and micro-scale limits hold per site over any 12 months
# A PV array's DC rating may exceed the connection's AC rating (inverter loading ratio up to ~1.3).
SITE_CAPACITY_TOLERANCE = Decimal("1.3")
# The baseline must span a period as long as the monitoring period: billing months differ by a few
# days (28-31), so a difference of up to 3 days or 2 % passes.
BASELINE_LENGTH_TOLERANCE_DAYS = 3
BASELINE_LENGTH_TOLERANCE_SHARE = 0.02
# The claimed baseline may exceed what the books say by this much (rounding, unit conversion).
BOOKS_TOLERANCE = Decimal("0.05")
# Reports must cover this share of the baseline window for the comparison to stand.
BOOKS_MIN_COVERAGE = 0.9
# Repeated rejections: each of the organisation's claims rejected in the look-back window adds this
# much to the log-odds of its next claims' risk, counting at most MAX_REJECTIONS_COUNTED of them.
REJECTION_LOOKBACK_DAYS = 90
RISK_LOGIT_PER_REJECTION = 0.35
MAX_REJECTIONS_COUNTED = 4
ENERGY_CATEGORIES = frozenset({"solar", "energy_efficiency", "fuel_switch"})

EVIDENCE_UNITS = {
    "kWh": ("energy", Decimal(1)),
    "MWh": ("energy", Decimal(1000)),
    "litre": ("liquid volume", Decimal(1)),
    "m3": ("gas volume", Decimal(1)),
    "kg": ("mass", Decimal(1)),
    "t": ("mass", Decimal(1000)),
}
PARAMETER_DIMENSION = {"kWh": "energy", "litre": "liquid volume", "m3": "gas volume", "kg": "mass"}


def normalise_reference(reference: str) -> str:
    """``"INV-001 "`` and ``"inv 001"`` are the same document (zeros kept: ``core.references.compact_key``;
    evidence reuse also compares the padding-insensitive ``core.references.reference_key``)."""
    return compact_key(reference)


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = [31, 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31,
            30, 31][month - 1]  # fmt: skip
    return date(year, month, min(day.day, last))


@dataclass
class RuleOutcome:
    reasons: list[Reason] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)

    def add(self, code: str, severity: str, detail: str) -> None:
        self.reasons.append(Reason(code=code, detail=detail, severity=severity))  # type: ignore[arg-type]


def monitored_quantities(claim: ClaimInput) -> tuple[tuple[str, Decimal, str] | None, tuple[str, Decimal, str] | None]:
    """(name, value, dimension) of the quantity the monitoring evidence must add up to, and of the
    baseline quantity that evidence dated before the period must add up to (or None)."""
    p = claim.parameters
    if claim.category == "solar":
        return ("generation_kwh", p["generation_kwh"], "energy"), None
    if claim.category == "energy_efficiency":
        return ("post_kwh", p["post_kwh"], "energy"), ("baseline_kwh", p["baseline_kwh"], "energy")
    if claim.category == "recycling":
        return ("mass_kg", p["mass_kg"], "mass"), None
    monitored = None
    if not (p["new_fuel"] == "solar" and p["new_quantity"] == 0):
        monitored = ("new_quantity", p["new_quantity"], PARAMETER_DIMENSION[p["new_unit"]])
    return monitored, ("baseline_quantity", p["baseline_quantity"], PARAMETER_DIMENSION[p["unit"]])


def evaluate(
    claim: ClaimInput,
    calc: Calculation,
    history: HistoryContext,
    *,
    size_review_kg: int,
    trust: TrustContext | None = None,
    solar_ceiling_factor: float = site_solar.DEFAULT_CEILING_FACTOR,
) -> RuleOutcome:
    """Every rule over one claim. ``trust`` (who, where, when: see ``TrustContext``) adds the trust
    rules and makes the size limits count per site over any 12 months; without it (the training
    population, assessments made before round 2) the claim is judged on its own."""
    out = RuleOutcome()
    out.metrics["period_days"] = float(claim.period_days)
    _period_rules(claim, out)
    _history_rules(history, out)
    _evidence_rules(claim, out)
    if claim.category == "solar":
        _solar_rules(claim, calc, out, trust, ceiling_factor=solar_ceiling_factor)
    else:
        {
            "energy_efficiency": _efficiency_rules,
            "recycling": _recycling_rules,
            "fuel_switch": _fuel_switch_rules,
        }[claim.category](claim, calc, out, trust)
    if trust is not None:
        _trust_rules(claim, calc, trust, out)
    _result_rules(claim, calc, out, size_review_kg=size_review_kg, trust=trust)
    return out


def _period_rules(claim: ClaimInput, out: RuleOutcome) -> None:
    if claim.period_end >= add_months(claim.period_start, MAX_PERIOD_MONTHS):
        out.add(
            "period_over_12_months",
            "reject",
            f"The monitoring period {claim.period_start}..{claim.period_end} is longer than {MAX_PERIOD_MONTHS} "
            "months; claim at most 12 months at a time.",
        )


def _history_rules(history: HistoryContext, out: RuleOutcome) -> None:
    if history.overlapping_claim_ids:
        ids = ", ".join(str(i) for i in history.overlapping_claim_ids)
        out.add(
            "period_overlaps_earlier_claim",
            "reject",
            f"The period overlaps claim(s) {ids} of the same project that are not rejected: the same "
            "reduction would be credited twice.",
        )
    if history.reused_references:
        refs = "; ".join(r.split(":", 2)[1] for r in history.reused_references)
        out.add(
            "evidence_reused",
            "reject",
            f"Evidence already backs another live claim of your organisation (double counting): {refs}.",
        )
    if history.foreign_references:
        out.add(
            "evidence_reference_seen_elsewhere",
            "review",
            f"{len(history.foreign_references)} evidence reference(s) also appear in another organisation's claim.",
        )


def _evidence_rules(claim: ClaimInput, out: RuleOutcome) -> None:
    monitored, baseline = monitored_quantities(claim)
    items = list(claim.evidence)
    if not items and claim.readings is not None:
        # The site's stored readings are the evidence: their monthly totals give the shape statistics.
        months = series.monthly_totals(claim, list(claim.readings.points), claim.longitude or 0.0)
        out.metrics.update(_evidence_shape(claim, list(enumerate(months))))
        return
    if not items:
        out.add("evidence_missing", "review", "No evidence was attached: a verifier must see the meter data or bills.")
        return
    in_period, before, outside = [], [], []
    for index, item in enumerate(items):
        if item.period_start >= claim.period_start and item.period_end <= claim.period_end:
            in_period.append((index, item))
        elif item.period_end < claim.period_start and baseline is not None:
            before.append((index, item))
        else:
            outside.append(index)
    if outside:
        out.add(
            "evidence_outside_period",
            "reject",
            f"Evidence item(s) {', '.join(map(str, outside))} fall outside the monitoring period"
            + (" (baseline evidence must end before it starts)." if baseline is not None else "."),
        )
    if in_period:
        _tiling(claim, in_period, out)
    elif monitored is not None:
        out.add("evidence_missing", "review", "No evidence covers the monitoring period.")
    if monitored is not None and in_period:
        _adds_up(monitored, in_period, out, "monitoring")
    if baseline is not None and before:
        _adds_up(baseline, before, out, "baseline")
    out.metrics.update(_evidence_shape(claim, in_period))


def _tiling(claim: ClaimInput, items: list[tuple[int, EvidenceInput]], out: RuleOutcome) -> None:
    ordered = sorted(items, key=lambda pair: (pair[1].period_start, pair[1].period_end))
    expected = claim.period_start
    gaps, overlaps = [], []
    for index, item in ordered:
        if item.period_start > expected:
            gaps.append(f"{expected}..{item.period_start.fromordinal(item.period_start.toordinal() - 1)}")
        elif item.period_start < expected:
            overlaps.append(str(index))
        expected = max(expected, item.period_end.fromordinal(item.period_end.toordinal() + 1))
    if expected <= claim.period_end:
        gaps.append(f"{expected}..{claim.period_end}")
    if gaps:
        out.add("evidence_gap", "reject", f"The evidence does not cover {', '.join(gaps)} of the monitoring period.")
    if overlaps:
        out.add(
            "evidence_overlap",
            "reject",
            f"Evidence item(s) {', '.join(overlaps)} overlap an earlier item: days would be counted twice.",
        )


def _adds_up(target: tuple[str, Decimal, str], items: list[tuple[int, EvidenceInput]], out: RuleOutcome, role: str):
    name, value, dimension = target
    matching = [(i, e) for i, e in items if EVIDENCE_UNITS[e.unit][0] == dimension]
    others = [i for i, e in items if EVIDENCE_UNITS[e.unit][0] != dimension]
    if others:
        out.add(
            "evidence_unit_mismatch",
            "review",
            f"{role.capitalize()} evidence item(s) {', '.join(map(str, others))} are not in units of {dimension}, "
            f"so they cannot be compared with {name}.",
        )
    if not matching:
        return
    total = sum((e.quantity * EVIDENCE_UNITS[e.unit][1] for _, e in matching), Decimal(0))
    out.metrics[f"{role}_evidence_ratio"] = float(total / value) if value else (0.0 if total == 0 else 1e6)
    if value == 0 and total == 0:
        return
    if value > 0 and abs(total - value) <= EVIDENCE_TOLERANCE * value:
        return
    ratio = float(total / value) if value else float("inf")
    low, high = UNIT_SLIP_RATIO
    if low <= ratio <= high or (ratio > 0 and low <= 1 / ratio <= high):
        out.add(
            "evidence_unit_slip",
            "reject",
            f"The {role} evidence totals {total.normalize():f} against {name} {value.normalize():f}: about 1000x "
            "apart, which looks like a unit slip (kWh vs MWh, kg vs t).",
        )
        return
    out.add(
        "evidence_total_mismatch",
        "reject",
        f"The {role} evidence totals {total.normalize():f}, {name} is {value.normalize():f}: they must agree "
        f"within ±{EVIDENCE_TOLERANCE * 100:.0f} %.",
    )


def _evidence_shape(claim: ClaimInput, items: list[tuple[int, EvidenceInput]]) -> dict[str, float]:
    """Shape statistics of the monitoring evidence, for the model: copied meter data is too regular."""
    quantities = [float(e.quantity * EVIDENCE_UNITS[e.unit][1]) for _, e in items]
    rates = [q / ((e.period_end - e.period_start).days + 1) for q, (_, e) in zip(quantities, items, strict=True)]
    n = len(quantities)
    metrics = {
        "evidence_items": float(n),
        "evidence_items_per_month": n / (claim.period_days / 30.4375),
        "evidence_repeat_frac": 0.0,
        "evidence_round_frac": 0.0,
        "evidence_cv": 0.0,
    }
    if n:
        metrics["evidence_round_frac"] = sum(1 for q in quantities if q >= 100 and q % 100 == 0) / n
    if n >= 2:
        metrics["evidence_repeat_frac"] = 1 - len(set(quantities)) / n
        mean = sum(rates) / n
        if mean > 0:
            metrics["evidence_cv"] = (sum((r - mean) ** 2 for r in rates) / n) ** 0.5 / mean
    return metrics


def _solar_rules(
    claim: ClaimInput, calc: Calculation, out: RuleOutcome, trust: TrustContext | None, *, ceiling_factor: float
) -> None:
    p = claim.parameters
    capacity, generation = float(p["capacity_kwp"]), float(p["generation_kwh"])
    specific = generation / capacity
    annual = specific * 365.25 / claim.period_days
    bounds = solar.yield_bounds(claim.country)
    latitude, own_site = solar.ceiling_latitude(claim.country, claim.latitude)
    ceiling = solar.physical_ceiling_kwh_per_kwp(latitude, claim.period_start, claim.period_end)
    share = solar.seasonal_share(latitude, claim.period_start, claim.period_end)
    regional = solar.REGIONAL_MARGIN * bounds.high * share
    out.metrics.update(
        {
            "specific_yield": specific,
            "annual_yield": annual,
            # against the typical yield of the same share of the year (a sunny quarter is not a sunny year)
            "yield_ratio": specific / (bounds.typical * share),
            "yield_bound_ratio": specific / regional,
            "yield_ceiling_ratio": specific / ceiling if ceiling else 10.0,
        }
    )
    where = f"the site ({latitude:.1f}°)" if own_site else f"the sunniest part of {claim.country} ({latitude:.1f}°)"
    if annual >= SOLAR_UNIT_SLIP_FACTOR * bounds.typical:
        out.add(
            "unit_slip_suspected",
            "reject",
            f"{annual:,.0f} kWh/kWp/yr is {annual / bounds.typical:,.0f}x a typical yield: generation looks "
            "entered in Wh, or capacity in MW.",
        )
    if specific > ceiling:
        out.add(
            "solar_yield_above_physical_ceiling",
            "reject",
            f"{specific:,.0f} kWh/kWp over the period exceeds what clear skies at {where} allow "
            f"({ceiling:,.0f} kWh/kWp: Haurwitz clear-sky irradiation x {solar.PLANE_GAIN_BOUND} plane gain).",
        )
    sited = claim.latitude is not None and claim.longitude is not None
    if claim.readings is not None:
        series.evaluate_readings(claim, out, capacity_kwp=capacity)
    expected = site_solar.evaluate_site(claim, out, units=EVIDENCE_UNITS, factor=ceiling_factor) if sited else None
    if expected:
        out.metrics["yield_ratio"] = out.metrics["site_yield_ratio"]
        out.metrics["yield_bound_ratio"] = out.metrics["site_ceiling_ratio"]
    # With coordinates the site's climatology replaces the country-wide bound.
    if not sited and ceiling >= specific > regional:
        out.add(
            "solar_yield_above_regional_bound",
            "reject",
            f"Specific yield {specific:,.0f} kWh/kWp (≈{annual:,.0f}/yr) is above {solar.REGIONAL_MARGIN} x the "
            f"regional high for this period ({regional:,.0f}; high {bounds.high:,.0f} kWh/kWp/yr, {bounds.basis}"
            f"{', ' + bounds.quality if bounds.quality else ''}).",
        )
    if annual * SOLAR_UNIT_SLIP_FACTOR <= bounds.typical:
        out.add(
            "unit_slip_suspected",
            "review",
            f"{annual:,.1f} kWh/kWp/yr is about 1/1000 of a typical yield: generation in MWh, or capacity in W?",
        )
    elif annual < SOLAR_LOW_YIELD_SHARE * bounds.typical:
        out.add("solar_yield_low", "info", f"The yield ({annual:,.0f} kWh/kWp/yr) is far below typical.")
    if not sited and bounds.is_fallback:
        out.add(
            "solar_yield_bound_generic",
            "info",
            f"No regional yield data for {claim.country}: the global bound ({bounds.high:,.0f} kWh/kWp/yr, "
            f"{bounds.quality}) and the clear-sky ceiling apply.",
        )
    elif not sited and bounds.quality:
        out.add(
            "yield_bound_source_label",
            "info",
            f"The regional yield bound for {claim.country} is labelled {bounds.quality}: {bounds.basis}.",
        )
    if claim.country in HIGH_INCOME:
        out.add(ADDITIONALITY_HIGH_INCOME_GRID_CODE, "info", ADDITIONALITY_HIGH_INCOME_GRID_DETAIL)


def _efficiency_rules(claim: ClaimInput, calc: Calculation, out: RuleOutcome, trust: TrustContext | None) -> None:
    p = claim.parameters
    baseline, post = float(p["baseline_kwh"]), float(p["post_kwh"])
    typical, credible = MEASURE_SAVINGS[p["measure"]]
    fraction = (baseline - post) / baseline if baseline else 0.0
    out.metrics.update({"savings_fraction": fraction, "savings_ratio": max(fraction, 0.001) / typical})
    if post > 0 and low_high_ratio(baseline / post):
        out.add(
            "unit_slip_suspected",
            "reject",
            "The baseline is about 1000x the post-retrofit consumption: one of them looks entered in the wrong unit.",
        )
    if fraction > SAVINGS_IMPLAUSIBLE:
        out.add(
            "savings_fraction_implausible",
            "reject",
            f"A saving of {fraction:.0%} of the baseline is implausible for any measure (limit "
            f"{SAVINGS_IMPLAUSIBLE:.0%}).",
        )
    elif fraction > credible:
        out.add(
            "savings_fraction_above_measure_range",
            "review",
            f"A saving of {fraction:.0%} is above the credible range for {p['measure']} (≈{typical:.0%} typical, "
            f"up to {credible:.0%}).",
        )
    out.add(
        "efficiency_equal_periods_assumed",
        "info",
        "The baseline is taken as metered over a period of equal length before the measure; lower activity "
        "is not a saving, and replaced equipment must be scrapped.",
    )


def low_high_ratio(ratio: float) -> bool:
    low, high = UNIT_SLIP_RATIO
    return low <= ratio <= high


def _recycling_rules(claim: ClaimInput, calc: Calculation, out: RuleOutcome, trust: TrustContext | None) -> None:
    tonnes_per_year = float(claim.parameters["mass_kg"]) / 1000 * 365.25 / claim.period_days
    out.metrics["recycling_t_per_year"] = tonnes_per_year
    if tonnes_per_year > RECYCLING_LARGE_T_PER_YEAR:
        out.add(
            "recycling_mass_large",
            "review",
            f"{tonnes_per_year:,.0f} t/yr of {claim.parameters['material']} is more than a small business "
            f"separates (review above {RECYCLING_LARGE_T_PER_YEAR:,} t/yr).",
        )
    out.add(
        "avoided_emissions_figure",
        "info",
        f"The credited figure is the {calc.figure}: avoided emissions, not a removal.",
    )
    if trust is not None:
        _recycling_receipts_rule(claim, out)


RECYCLING_RECEIPT_KINDS = frozenset({"weighbridge_ticket", "invoice"})


def _recycling_receipts_rule(claim: ClaimInput, out: RuleOutcome) -> None:
    """Recycling is credited only on the recycler's weighbridge tickets or receipts, uploaded: a mass
    typed into a form cannot be checked against anything else."""
    items = [e for e in claim.evidence if e.period_start >= claim.period_start and e.period_end <= claim.period_end]
    missing = [str(i) for i, e in enumerate(items) if e.kind not in RECYCLING_RECEIPT_KINDS or e.document is None]
    if not items or missing:
        out.add(
            "recycling_receipts_missing",
            "reject",
            "Recycling credits need the recycler's weighbridge tickets or receipts for the whole period, each "
            "evidence item a `weighbridge_ticket` (or `invoice`) with its uploaded `document`"
            + (f"; item(s) {', '.join(missing)} lack one." if missing else "."),
        )


def _fuel_switch_rules(claim: ClaimInput, calc: Calculation, out: RuleOutcome, trust: TrustContext | None) -> None:
    p = claim.parameters
    baseline_kwh = _as_kwh(p["baseline_fuel"], p["unit"], float(p["baseline_quantity"]))
    new_quantity = float(p["new_quantity"])
    if p["new_fuel"] == "electricity" and baseline_kwh is not None:
        cop = baseline_kwh * BOILER_EFFICIENCY / new_quantity if new_quantity else float("inf")
        out.metrics["conversion_ratio"] = min(cop, 100.0) / 3.0
        if cop > HEAT_PUMP_COP_MAX:
            out.add(
                "heat_pump_cop_implausible",
                "reject",
                f"Replacing {baseline_kwh:,.0f} kWh of {p['baseline_fuel']} with {new_quantity:,.0f} kWh of "
                f"electricity implies a seasonal COP of {cop:.1f} (limit {HEAT_PUMP_COP_MAX}).",
            )
        elif cop > HEAT_PUMP_COP_REVIEW:
            out.add("heat_pump_cop_high", "review", f"The implied seasonal COP {cop:.1f} is high for a heat pump.")
    elif p["new_fuel"] == "solar" and p["baseline_fuel"] == "diesel" and p["unit"] == "litre":
        if new_quantity > 0:
            per_litre = new_quantity / float(p["baseline_quantity"])
            out.metrics["conversion_ratio"] = per_litre / 3.0
            low, high = GENSET_KWH_PER_LITRE
            if per_litre < low:
                out.add(
                    "diesel_displacement_above_generator_range",
                    "review",
                    f"{per_litre:.2f} kWh of solar per litre of diesel displaced: generators deliver 2.5-3.7 "
                    "kWh/l, so more diesel is claimed than the solar output replaces.",
                )
            elif per_litre > high:
                out.add(
                    "generator_efficiency_above_range",
                    "review",
                    f"{per_litre:.2f} kWh per litre is above what diesel generators achieve (flag above 4.0, "
                    "physical ceiling ≈ 4.4).",
                )
        elif trust is not None:
            out.add(
                "solar_output_missing",
                "reject",
                "Diesel replaced by solar is credited on the lesser of the diesel claimed and the diesel the solar "
                "output displaced: report the metered solar output (new_quantity, kWh) of the period.",
            )
        else:
            out.add(
                "solar_output_not_reported",
                "info",
                "The solar output (new_quantity) was not reported, so the diesel displaced cannot be cross-checked.",
            )
    if p["baseline_fuel"] == p["new_fuel"]:
        out.add("no_fuel_switch", "reject", "The baseline and the new fuel are the same.")
    solar_side = calc.inputs.get("solar_side_emissions_kg")
    if solar_side is not None and Decimal(solar_side) < Decimal(calc.inputs["baseline_emissions_kg"]):
        out.add(
            "fuel_switch_credited_on_solar_side",
            "info",
            f"Credited on the lesser of two computations: the diesel the solar output displaced "
            f"({Decimal(calc.inputs['diesel_displaced_by_solar_litres']).quantize(Decimal('1'))} l at 3.7 kWh/l), "
            f"not the {p['baseline_quantity'].normalize():f} l claimed.",
        )


def _as_kwh(fuel: str, unit: str, quantity: float) -> float | None:
    if unit == "kWh":
        return quantity
    per_unit = NET_KWH_PER_UNIT.get((fuel, unit))
    return quantity * per_unit if per_unit else None


def _result_rules(
    claim: ClaimInput, calc: Calculation, out: RuleOutcome, *, size_review_kg: int, trust: TrustContext | None
) -> None:
    if calc.missing_factors:
        out.add(
            "crediting_factor_missing",
            "reject",
            f"No crediting factor for {', '.join(calc.missing_factors)}: the reduction cannot be computed, so "
            "nothing can be issued. The claim may be resubmitted once a sourced factor is loaded.",
        )
        return
    for factor in calc.factors:
        if factor.quality or "confirm" in factor.licence:
            label = factor.quality or "licence to confirm"
            out.add(
                "factor_source_label",
                "info",
                f"Factor {factor.ref} = {factor.value.normalize():f} kg CO2e/{factor.unit} ({label}; "
                f"{factor.source}; licence: {factor.licence}).",
            )
    if calc.reduction_kg <= 0:
        out.add("no_reduction", "reject", "The formula gives no creditable reduction: " + " ".join(calc.notes))
        return
    annual = calc.reduction_kg * 365.25 / claim.period_days
    out.metrics["annual_reduction_kg"] = annual
    if trust is not None and trust.site_id is not None:
        _site_size_rules(claim, calc, trust, out, annual=annual, size_review_kg=size_review_kg)
    elif annual > MICRO_SCALE_LIMIT_KG_PER_YEAR:
        out.add(
            "above_micro_scale_limit",
            "reject",
            f"≈{annual / 1000:,.0f} tCO2e per year exceeds the micro-scale limit of 10,000 tCO2e per year.",
        )
    elif calc.reduction_kg > size_review_kg:
        out.add(
            "large_claim",
            "review",
            f"{calc.reduction_kg / 1000:,.3f} tCO2e is above the automatic issuance limit of "
            f"{size_review_kg / 1000:,.0f} tCO2e: a verifier reviews it.",
        )
    if trust is not None:
        _issuance_cap_rule(claim, calc, trust, out)
    if claim.claimed_reduction_kg is not None:
        if claim.claimed_reduction_kg > calc.reduction_kg * (1 + EVIDENCE_TOLERANCE):
            out.add(
                "claimed_exceeds_computed",
                "info",
                f"You claimed {claim.claimed_reduction_kg:,} kg; the methodology gives {calc.reduction_kg:,} kg, "
                "which is what can be issued.",
            )
        elif claim.claimed_reduction_kg < calc.reduction_kg:
            out.add(
                "claimed_below_computed",
                "info",
                f"You claimed {claim.claimed_reduction_kg:,} kg, less than the {calc.reduction_kg:,} kg computed: "
                "the smaller figure is issued.",
            )


# --- Trust rules ------------------------------------------------------------------------------------


def issuable_kg(calc: Calculation, claim: ClaimInput) -> int:
    """What the claim would issue: the computed reduction, or the claimed figure when smaller."""
    if claim.claimed_reduction_kg is None:
        return calc.reduction_kg
    return min(calc.reduction_kg, claim.claimed_reduction_kg)


def _overlaps(claim: ClaimInput, other: SiteClaim) -> bool:
    return other.period_start <= claim.period_end and other.period_end >= claim.period_start


def rolling_site_total_kg(claim: ClaimInput, new_kg: int, others: tuple[SiteClaim, ...]) -> tuple[int, date, date]:
    """The most the site issues over any 12 months that contain the new claim's period: the new
    claim plus every other live claim on the site (or its meters) that overlaps such a window. Returns
    (total kg, window start, window end) of the heaviest window. Claims count whole, never pro rata."""

    def window_end(start: date) -> date:
        return add_months(start, ROLLING_MONTHS) - timedelta(days=1)

    earliest = add_months(claim.period_end, -ROLLING_MONTHS) + timedelta(days=1)
    latest = claim.period_start
    if earliest > latest:  # a period of 12 months or more: its own window
        earliest = latest
    # The set of claims inside a window changes only where one enters it (its start falls in); the
    # heaviest window therefore starts at the earliest start or where a claim has just entered.
    candidates = {earliest}
    for other in others:
        entry = add_months(other.period_start, -ROLLING_MONTHS) + timedelta(days=1)
        candidates.add(min(max(entry, earliest), latest))
    best = (new_kg, earliest, window_end(earliest))
    for start in sorted(candidates):
        end = window_end(start)
        total = new_kg + sum(o.reduction_kg for o in others if o.period_start <= end and o.period_end >= start)
        if total > best[0]:
            best = (total, start, end)
    return best


def _site_size_rules(
    claim: ClaimInput, calc: Calculation, trust: TrustContext, out: RuleOutcome, *, annual: float, size_review_kg: int
) -> None:
    """The micro-scale and review-size limits per site over any 12 months, so that splitting a plant's
    output into short claims changes nothing: the heaviest 12-month window of the site's live claims
    with this one, and this claim annualised (a month of a large plant is a large plant)."""
    others = tuple(c for c in trust.site_claims)
    total, start, end = rolling_site_total_kg(claim, issuable_kg(calc, claim), others)
    out.metrics["site_rolling_12m_kg"] = float(total)
    heaviest = max(float(total), annual)
    basis = (
        f"the site's live claims from {start} to {end} total {total / 1000:,.3f} tCO2e with this one"
        if others
        else f"this claim is {calc.reduction_kg / 1000:,.3f} tCO2e"
    )
    if heaviest > MICRO_SCALE_LIMIT_KG_PER_YEAR:
        out.add(
            "above_micro_scale_limit",
            "reject",
            f"Over 12 months the site exceeds the micro-scale limit of 10,000 tCO2e ({basis}; this claim "
            f"annualised ≈{annual / 1000:,.0f} t).",
        )
    elif max(heaviest, float(calc.reduction_kg)) > size_review_kg:
        out.add(
            "large_claim",
            "review",
            f"Above the automatic issuance limit of {size_review_kg / 1000:,.0f} tCO2e per site over any 12 months "
            f"({basis}; this claim annualised ≈{annual / 1000:,.1f} t): a verifier reviews it.",
        )


def _issuance_cap_rule(claim: ClaimInput, calc: Calculation, trust: TrustContext, out: RuleOutcome) -> None:
    if trust.organization_status == "verified":
        return
    quantity = issuable_kg(calc, claim)
    buffer = int((Decimal(quantity) * trust.buffer_share).to_integral_value(rounding=ROUND_CEILING))
    owner_kg = max(quantity - buffer, 0)
    if trust.auto_issued_kg + owner_kg > trust.unverified_cap_kg:
        out.add(
            "organization_unverified_cap",
            "review",
            f"Your organisation is {trust.organization_status}: automatic issuance stops at "
            f"{trust.unverified_cap_kg:,} kg in total ({trust.auto_issued_kg:,} kg issued so far, {owner_kg:,} kg "
            "more asked). Request verification (POST /api/organization/verification/); a verifier reviews this claim.",
        )


def _trust_rules(claim: ClaimInput, calc: Calculation, trust: TrustContext, out: RuleOutcome) -> None:
    _site_rules(claim, trust, out)
    _age_rules(claim, trust, out)
    if trust.reversed_issuances:
        out.add(
            "issuances_reversed",
            "review",
            f"{trust.reversed_issuances} issuance(s) of your organisation were reversed after issuance: "
            "its claims are decided by a verifier.",
        )
    if claim.category == "energy_efficiency":
        _baseline_rules(claim, trust, out)


def _site_rules(claim: ClaimInput, trust: TrustContext, out: RuleOutcome) -> None:
    if trust.site_id is None:
        out.add(
            "site_missing",
            "review",
            "The project has no registered site (POST /api/sites/, then `site` on the project): a claim not tied "
            "to a physical site and its meters is never approved automatically.",
        )
        return
    if trust.site_status == "rejected":
        out.add("site_rejected", "reject", f"Site {trust.site_id} was rejected by a verifier: it cannot earn credits.")
    elif trust.site_status != "active":
        out.add(
            "site_under_review",
            "review",
            f"Site {trust.site_id} is under review (near another site, a shared meter, or a changed capacity or "
            "meter): its claims wait until a verifier clears it.",
        )
    overlapping = sorted(c.claim_id for c in trust.site_claims if _overlaps(claim, c))
    if overlapping:
        out.add(
            "site_period_overlap",
            "reject",
            f"The period overlaps live claim(s) {', '.join(map(str, overlapping))} on the same site or meter (any "
            "organisation, any category counting that energy): one site earns one claim per period.",
        )
    if claim.category == "solar" and trust.site_capacity_kw is not None:
        declared = claim.parameters["capacity_kwp"]
        if declared > trust.site_capacity_kw * SITE_CAPACITY_TOLERANCE:
            out.add(
                "capacity_above_site",
                "review",
                f"The claim's {declared} kWp is more than {SITE_CAPACITY_TOLERANCE} x the site's registered "
                f"{trust.site_capacity_kw} kW.",
            )


def _age_rules(claim: ClaimInput, trust: TrustContext, out: RuleOutcome) -> None:
    age = (trust.submitted_on - claim.period_end).days
    if age > trust.claim_max_age_days:
        out.add(
            "claim_too_old",
            "review",
            f"The monitoring period ended {age} days before submission (automatic issuance up to "
            f"{trust.claim_max_age_days} days): old evidence is hard to check, a verifier looks first.",
        )
    crediting_end = add_months(trust.project_start, 12 * trust.crediting_period_years) - timedelta(days=1)
    if claim.period_end > crediting_end:
        out.add(
            "beyond_crediting_period",
            "review",
            f"The period reaches past the project's {trust.crediting_period_years}-year crediting period "
            f"({trust.project_start} to {crediting_end}): renewal needs a verifier.",
        )


def baseline_items(claim: ClaimInput) -> list[EvidenceInput]:
    """Evidence dated before the monitoring period: the baseline's."""
    return [item for item in claim.evidence if item.period_end < claim.period_start]


def baseline_window(claim: ClaimInput) -> tuple[date, date]:
    """The baseline period: what its evidence spans, else the equal-length period just before."""
    items = baseline_items(claim)
    if items:
        return min(i.period_start for i in items), max(i.period_end for i in items)
    return claim.period_start - timedelta(days=claim.period_days), claim.period_start - timedelta(days=1)


def _baseline_rules(claim: ClaimInput, trust: TrustContext, out: RuleOutcome) -> None:
    items = sorted(baseline_items(claim), key=lambda item: (item.period_start, item.period_end))
    if not items:
        out.add(
            "baseline_evidence_missing",
            "review",
            f"No baseline evidence: bills or meter readings of a {claim.period_days}-day period before the measure "
            "must show the baseline consumption.",
        )
    else:
        start, end = items[0].period_start, max(item.period_end for item in items)
        covered, cursor, gaps = 0, start, False
        for item in items:
            if item.period_start > cursor:
                gaps = True
            covered += max(0, (item.period_end - max(item.period_start, cursor)).days + 1)
            cursor = max(cursor, item.period_end + timedelta(days=1))
        span = (end - start).days + 1
        tolerance = max(BASELINE_LENGTH_TOLERANCE_DAYS, round(BASELINE_LENGTH_TOLERANCE_SHARE * claim.period_days))
        if gaps or abs(span - claim.period_days) > tolerance:
            out.add(
                "baseline_period_mismatch",
                "review",
                f"The baseline evidence covers {covered} days from {start} to {end}"
                + (" with gaps" if gaps else "")
                + f"; the monitoring period is {claim.period_days} days: compare equal periods.",
            )
    books = trust.books
    if books is None:
        return
    baseline = claim.parameters["baseline_kwh"]
    carrier = claim.parameters["energy_carrier"]
    if books.covered_days < BOOKS_MIN_COVERAGE * books.window_days:
        out.add(
            "baseline_not_in_reports",
            "review",
            f"Your emission reports cover {books.covered_days} of the {books.window_days} days of the baseline "
            f"period ({books.window_start} to {books.window_end}): report that period's {carrier} consumption "
            "(POST /api/emissions/) so the baseline can be held to your books.",
        )
        return
    reported = books.reported_kwh * books.window_days / books.covered_days
    if baseline > reported * (1 + BOOKS_TOLERANCE):
        out.add(
            "baseline_above_reported_consumption",
            "review",
            f"The claimed baseline of {baseline.normalize():f} kWh of {carrier} is more than your emission reports "
            f"show for {books.window_start} to {books.window_end} ({reported.quantize(Decimal('1')):f} kWh).",
        )
