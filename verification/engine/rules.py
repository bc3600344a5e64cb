"""Plausibility rules. Each finding is a :class:`Reason` with a stable code and a severity:

``reject``  a hard rule: the claim cannot be credited as submitted;
``review``  a human should look before credits are issued;
``info``    shown to the claimant and the verifier, changes nothing.

The rules also return the metrics they computed (yields, ratios); the feature builder reuses them.
Thresholds are module constants, documented with their sources in docs/VERIFICATION.md.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from projects.integrity import ADDITIONALITY_HIGH_INCOME_GRID_CODE, ADDITIONALITY_HIGH_INCOME_GRID_DETAIL, HIGH_INCOME
from verification.engine import solar
from verification.engine.types import Calculation, ClaimInput, EvidenceInput, HistoryContext, Reason

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
    """``"INV-001 "`` and ``"inv 001"`` are the same document."""
    return re.sub(r"[^0-9a-z]", "", reference.casefold())


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


def evaluate(claim: ClaimInput, calc: Calculation, history: HistoryContext, *, size_review_kg: int) -> RuleOutcome:
    out = RuleOutcome()
    out.metrics["period_days"] = float(claim.period_days)
    _period_rules(claim, out)
    _history_rules(history, out)
    _evidence_rules(claim, out)
    {
        "solar": _solar_rules,
        "energy_efficiency": _efficiency_rules,
        "recycling": _recycling_rules,
        "fuel_switch": _fuel_switch_rules,
    }[claim.category](claim, calc, out)
    _result_rules(claim, calc, out, size_review_kg=size_review_kg)
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


def _solar_rules(claim: ClaimInput, calc: Calculation, out: RuleOutcome) -> None:
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
            "yield_ratio": annual / bounds.typical,
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
    elif specific > regional:
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
    if bounds.is_fallback:
        out.add(
            "solar_yield_bound_generic",
            "info",
            f"No regional yield data for {claim.country}: the global bound ({bounds.high:,.0f} kWh/kWp/yr, "
            f"{bounds.quality}) and the clear-sky ceiling apply.",
        )
    elif bounds.quality:
        out.add(
            "yield_bound_source_label",
            "info",
            f"The regional yield bound for {claim.country} is labelled {bounds.quality}: {bounds.basis}.",
        )
    if claim.country in HIGH_INCOME:
        out.add(ADDITIONALITY_HIGH_INCOME_GRID_CODE, "info", ADDITIONALITY_HIGH_INCOME_GRID_DETAIL)


def _efficiency_rules(claim: ClaimInput, calc: Calculation, out: RuleOutcome) -> None:
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


def _recycling_rules(claim: ClaimInput, calc: Calculation, out: RuleOutcome) -> None:
    tonnes_per_year = float(claim.parameters["mass_kg"]) / 1000 * 365.25 / claim.period_days
    out.metrics["recycling_t_per_year"] = tonnes_per_year
    if tonnes_per_year > RECYCLING_LARGE_T_PER_YEAR:
        out.add(
            "recycling_mass_large",
            "review",
            f"{tonnes_per_year:,.0f} t/yr of {claim.parameters['material']} is more than a small business "
            f"separates (review above {RECYCLING_LARGE_T_PER_YEAR:,} t/yr).",
        )
    out.add("avoided_emissions_figure", "info", f"The credited figure is the {calc.figure}.")


def _fuel_switch_rules(claim: ClaimInput, calc: Calculation, out: RuleOutcome) -> None:
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
        else:
            out.add(
                "solar_output_not_reported",
                "info",
                "The solar output (new_quantity) was not reported, so the diesel displaced cannot be cross-checked.",
            )
    if p["baseline_fuel"] == p["new_fuel"]:
        out.add("no_fuel_switch", "reject", "The baseline and the new fuel are the same.")


def _as_kwh(fuel: str, unit: str, quantity: float) -> float | None:
    if unit == "kWh":
        return quantity
    per_unit = NET_KWH_PER_UNIT.get((fuel, unit))
    return quantity * per_unit if per_unit else None


def _result_rules(claim: ClaimInput, calc: Calculation, out: RuleOutcome, *, size_review_kg: int) -> None:
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
    if annual > MICRO_SCALE_LIMIT_KG_PER_YEAR:
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
