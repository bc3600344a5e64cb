"""A documented synthetic population of SME claims: honest ones drawn from the reference bounds, and
faulty ones made by injecting the faults screening must catch. Deterministic for a given seed.

Honest claims (sources in docs/VERIFICATION.md):
- solar: a country with a crediting factor; capacity log-normal (median 40 kWp); specific yield =
  the country's typical yield x N(1, 0.07); monthly generation follows the clear-sky season
  (flattened for tilt) with ±12 % weather noise; evidence is monthly meter readings, quarterly bills
  or one reading for the period.
- energy efficiency: LED / HVAC / motor / insulation / other with savings around the measure's typical
  share (reference "Plausibility bounds"); monthly bills of the post-retrofit consumption, sometimes
  also baseline bills dated before the period.
- recycling: log-normal mass (median 30 t/yr) of one material, monthly weighbridge tickets (±25 %).
- fuel switch: gas/oil boiler → heat pump (seasonal COP 2.5-4.0), diesel generator → solar
  (2.6-3.6 kWh/l displaced), monthly bills or meter readings of the new supply.

Faults (label 1): ``inflated`` (x1.2-3 with matching evidence), ``copied_meter`` (every month the same
figure), ``unit_error`` (x1000), ``padded_baseline`` (baseline x1.3-2.5), ``impossible`` (beyond the
physical or measure ceiling), ``evidence_mismatch`` (claim 5-30 % above its evidence).
"""

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

import numpy as np

from verification.engine import solar
from verification.engine.rules import MEASURE_SAVINGS, add_months
from verification.engine.types import ClaimInput, EvidenceInput

# Realistic typical yields (kWh/kWp/yr) for countries without a regional row. ASSUMPTION: rounded
# Global Solar Atlas-style national figures, used only to draw synthetic honest claims.
GENERATOR_TYPICAL_YIELD = {
    "JP": 1150, "KR": 1250, "CN": 1300, "TR": 1450, "SA": 1800, "EG": 1750, "ZA": 1650, "KE": 1550, "NG": 1400,
    "BR": 1450, "MX": 1600, "PK": 1500, "BD": 1300, "TH": 1350, "VN": 1300, "PH": 1300, "ID": 1300,
    "CA": 1150, "US": 1450,
}  # fmt: skip
CENTRAL_LATITUDE = {
    "GB": 52.5, "DE": 51.0, "FR": 46.5, "IT": 42.5, "ES": 40.0, "NL": 52.2, "PL": 52.0, "IN": 21.0, "US": 38.0,
    "AU": -30.0, "ZA": -29.0, "BR": -12.0, "MX": 23.0, "KE": 0.5, "NG": 9.0, "EG": 27.0, "PK": 30.0, "BD": 23.7,
    "TH": 15.0, "VN": 16.0, "PH": 12.0, "ID": -2.0, "TR": 39.0, "JP": 36.0, "KR": 36.5, "CN": 33.0, "CA": 50.0,
    "SA": 24.0,
}  # fmt: skip
SOLAR_COUNTRIES = tuple(CENTRAL_LATITUDE)
FAULTS = ("inflated", "copied_meter", "unit_error", "padded_baseline", "impossible", "evidence_mismatch")


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


def _evidence(rng, spans, values, *, kind: str, unit: str, prefix: str, decimals: int = 0) -> tuple[EvidenceInput, ...]:
    style = rng.random()
    if style < 0.3 and len(spans) > 1:
        return _even_evidence(rng, spans, sum(values), kind=kind, unit=unit, prefix=prefix)
    size = 1 if style < 0.65 else (3 if style < 0.8 else len(spans))
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


def honest_solar(rng: np.random.Generator, ident: int) -> ClaimInput:
    country = str(rng.choice(SOLAR_COUNTRIES))
    typical = GENERATOR_TYPICAL_YIELD.get(country) or solar.yield_bounds(country).typical
    latitude = CENTRAL_LATITUDE[country] + float(rng.normal(0, 2))
    capacity = float(np.clip(rng.lognormal(np.log(40), 0.9), 3, 1000))
    annual = capacity * typical * float(rng.normal(1, 0.07))
    start, end = _period(rng)
    spans = _months(start, end)
    year_shape = [
        solar.clear_sky_irradiation(latitude, a, b) ** 0.85
        for a, b in _months(date(start.year, 1, 1), date(start.year, 12, 31))
    ]
    norm = sum(year_shape)
    values = []
    for a, b in spans:
        share = solar.clear_sky_irradiation(latitude, a, b) ** 0.85 / norm
        values.append(annual * share * float(rng.normal(1, 0.12)))
    evidence = _evidence(rng, spans, values, kind="meter_reading", unit="kWh", prefix=f"MTR{ident}")
    return ClaimInput(
        category="solar",
        country=country,
        period_start=start,
        period_end=end,
        parameters={"capacity_kwp": Decimal(str(round(capacity, 1))), "generation_kwh": _total(evidence)},
        evidence=evidence,
        latitude=round(latitude, 3) if rng.random() < 0.5 else None,
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


def inject(rng: np.random.Generator, claim: ClaimInput, fault: str) -> ClaimInput:
    p = dict(claim.parameters)
    cat = claim.category
    key = PRIMARY[cat]
    if fault == "inflated":
        factor = float(rng.uniform(1.2, 3.0))
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
            samples.append(Sample(inject(rng, claim, fault), 1, fault))
        else:
            samples.append(Sample(claim, 0, "honest"))
    return samples
