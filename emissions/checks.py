"""verify-emissions: consistency checks on a report against the organisation's other reports.

Each check yields findings ``{code, detail}``; any finding makes the report ``anomalies_found``. The
risk score combines the distinct codes found as independent signals, ``1 - prod(1 - weight)``, so it
stays in 0..1, grows with every new kind of problem and does not run away when one problem repeats.

Thresholds, and why (ASSUMPTION marks a judgement, not a published bound):

- ``duplicate_period`` (0.6): another report covers exactly the same dates: double counting.
- ``period_overlap`` (0.4): another report shares at least one day: those days count twice.
- ``period_too_long`` (0.3): the period covers more than 12 months. Inventories are annual, and the
  claim rules use the same 12-month bound (DESIGN.md, verification).
- ``intensity_jump`` (0.4): an activity's use per day differs by more than x2 (or under x0.5) from the
  seasonally comparable earlier report, the one whose dates, moved forward by whole years, cover at
  least 80 % of both periods (January against January, Q1 against Q1, a year against a year).
  Comparing the same months removes seasonal swings (heating gas in winter); comparing per day
  removes different period lengths; comparing activity data (kWh, litres) rather than kg keeps
  factor revisions from looking like jumps. Only activities carrying at least 10 % of either report's
  emissions count. ASSUMPTION: an SME's like-for-like use rarely doubles or halves within a year, and
  x2 still catches the unit slips that matter (MWh typed as kWh is x1000).
- ``electricity_unknown_grid`` (0.1): an electricity line used the EU or world average because the
  region's grid is not in the factor table; the scope 2 figure is an estimate.
- ``implausible_magnitude`` (0.5): an activity or the whole report, annualised, exceeds what an SME
  plausibly emits or uses (``ANNUAL_CEILINGS``). The report total bound is 10,000 t CO2e a year, the
  Gold Standard micro-scale limit the registry is built around (reference/README.md). Per-activity
  ceilings are ASSUMPTIONS sized well above a large SME: 10 GWh of electricity is ~100,000 m2 of
  offices at the CIBSE TM46 benchmark of 95 kWh/m2/yr; 20 GWh of gas ~170,000 m2 at 120 kWh/m2/yr.
  Periods shorter than 28 days are annualised as 28 days, so one fuel delivery is not multiplied by 365.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from emissions.activities import ACTIVITIES
from emissions.arithmetic import plain
from emissions.factors import MATCH_GRID_AVERAGE

ENGINE_VERSION = "emissions-checks/1"

WEIGHTS = {
    "duplicate_period": Decimal("0.6"),
    "period_overlap": Decimal("0.4"),
    "period_too_long": Decimal("0.3"),
    "intensity_jump": Decimal("0.4"),
    "electricity_unknown_grid": Decimal("0.1"),
    "implausible_magnitude": Decimal("0.5"),
}
JUMP_RATIO = Decimal(2)
MATERIAL_SHARE = Decimal("0.10")
COMPARABLE_OVERLAP = Decimal("0.8")
MIN_ANNUALISE_DAYS = 28
TOTAL_CEILING_KG_PER_YEAR = 10_000_000
ANNUAL_CEILINGS = {  # (activity, factor unit) -> quantity a year
    ("electricity", "kWh"): 10_000_000,
    ("electricity_td_losses", "kWh"): 10_000_000,
    ("natural_gas", "kWh"): 20_000_000,
    ("natural_gas", "m3"): 2_000_000,  # ~20 GWh at ~11 kWh/m3 (ASSUMPTION: typical gross CV)
    ("diesel", "litre"): 1_000_000,  # ~2,600 t CO2e; ~500 vans at 2,000 l a year
    ("petrol", "litre"): 1_000_000,
    ("lpg", "litre"): 1_000_000,
    ("waste_landfill", "kg"): 5_000_000,
    ("waste_recycled", "kg"): 5_000_000,
    ("flight_domestic", "passenger_km"): 10_000_000,
    ("flight_short_haul", "passenger_km"): 10_000_000,
    ("flight_long_haul", "passenger_km"): 10_000_000,  # ~300 London-Sydney returns
    ("car", "vehicle_km"): 5_000_000,  # ~250 cars at 20,000 km
    ("rail", "passenger_km"): 10_000_000,
}


@dataclass(frozen=True)
class Finding:
    code: str
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "detail": self.detail}


def report_findings(report: Any, others: list[Any]) -> list[Finding]:
    """Every check on ``report`` (lines loaded); ``others`` are the organisation's other reports."""
    return [
        *_period_clashes(report, others),
        *_period_too_long(report),
        *_intensity_jumps(report, others),
        *_unknown_grids(report),
        *_implausible_magnitudes(report),
    ]


def risk_score(findings: list[Finding]) -> Decimal:
    clear = Decimal(1)
    for code in {finding.code for finding in findings}:
        clear *= 1 - WEIGHTS[code]
    return (1 - clear).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later; 29 February becomes 1 March in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def _overlap_days(start_a: date, end_a: date, start_b: date, end_b: date) -> int:
    return max(0, (min(end_a, end_b) - max(start_a, start_b)).days + 1)


def _span(report: Any) -> str:
    return f"{report.period_start}..{report.period_end}"


def _period_clashes(report: Any, others: list[Any]) -> list[Finding]:
    findings = []
    for other in sorted(others, key=lambda r: (r.period_start, r.pk)):
        shared = _overlap_days(report.period_start, report.period_end, other.period_start, other.period_end)
        if (other.period_start, other.period_end) == (report.period_start, report.period_end):
            findings.append(
                Finding("duplicate_period", f"Report {other.pk} covers the same period {_span(other)}; counted twice.")
            )
        elif shared:
            findings.append(
                Finding(
                    "period_overlap",
                    f"Report {other.pk} ({_span(other)}) shares {shared} days with this period; "
                    "those days are counted twice.",
                )
            )
    return findings


def _period_too_long(report: Any) -> list[Finding]:
    twelve_months_end = add_years(report.period_start, 1) - timedelta(days=1)
    if report.period_end <= twelve_months_end:
        return []
    return [
        Finding(
            "period_too_long",
            f"The period covers {report.days} days, more than 12 months (a year from {report.period_start} "
            f"ends {twelve_months_end}). Split it into reporting years.",
        )
    ]


def _usage(report: Any) -> tuple[dict[tuple[str, str], Decimal], dict[tuple[str, str], int]]:
    """Quantity in the factor's unit and emissions (kg) per (activity, factor unit)."""
    quantity: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    emissions: dict[tuple[str, str], int] = defaultdict(int)
    for line in report.lines.all():
        key = (line.activity, line.factor_unit)
        quantity[key] += line.quantity * Decimal(line.conversion)
        emissions[key] += line.emissions_kg
    return quantity, emissions


def _comparable(report: Any, others: list[Any]) -> Any | None:
    """The nearest earlier report covering the same months of an earlier year."""
    best, best_rank = None, None
    for other in others:
        if other.period_start >= report.period_start:
            continue
        for years in range(1, report.period_start.year - other.period_start.year + 2):
            start = add_years(other.period_start, years)
            end = add_years(other.period_end + timedelta(days=1), years) - timedelta(days=1)
            shared = _overlap_days(report.period_start, report.period_end, start, end)
            if shared >= COMPARABLE_OVERLAP * report.days and shared >= COMPARABLE_OVERLAP * other.days:
                rank = (years, -other.period_start.toordinal(), -other.pk)
                if best_rank is None or rank < best_rank:
                    best, best_rank = other, rank
    return best


def _is_material(kg: int, total_kg: int) -> bool:
    return total_kg > 0 and kg >= MATERIAL_SHARE * total_kg


def _intensity_jumps(report: Any, others: list[Any]) -> list[Finding]:
    earlier = _comparable(report, others)
    if earlier is None:
        return []
    now_quantity, now_kg = _usage(report)
    then_quantity, then_kg = _usage(earlier)
    findings = []
    for key in sorted(now_quantity.keys() & then_quantity.keys()):
        material = _is_material(now_kg[key], report.total_kg) or _is_material(then_kg[key], earlier.total_kg)
        if not material or then_quantity[key] == 0:
            continue
        now_daily, then_daily = now_quantity[key] / report.days, then_quantity[key] / earlier.days
        ratio = now_daily / then_daily
        if ratio > JUMP_RATIO or ratio < 1 / JUMP_RATIO:
            activity, unit = key
            findings.append(
                Finding(
                    "intensity_jump",
                    f"{activity} per day is x{_short(ratio)} the same period a year earlier "
                    f"(report {earlier.pk}, {_span(earlier)}): {_short(now_daily)} against "
                    f"{_short(then_daily)} {unit} a day. Check for a unit slip (MWh typed as kWh) "
                    "or explain the change in operations.",
                )
            )
    return findings


def _unknown_grids(report: Any) -> list[Finding]:
    return [
        Finding(
            "electricity_unknown_grid",
            f"Line {line.position + 1} ({line.activity}): no grid factor for {line.region} is loaded; the "
            f"{line.factor_region} average of {plain(line.factor_value)} kg/{line.factor_unit} was used, "
            "so this scope 2 figure is an estimate.",
        )
        for line in report.lines.all()
        if ACTIVITIES[line.activity].grid and line.factor_match == MATCH_GRID_AVERAGE
    ]


def _per_year(value: Decimal | int, days: int) -> Decimal:
    return Decimal(value) * 365 / max(days, MIN_ANNUALISE_DAYS)


def _implausible_magnitudes(report: Any) -> list[Finding]:
    quantity, _ = _usage(report)
    findings = []
    for (activity, unit), used in sorted(quantity.items()):
        ceiling = ANNUAL_CEILINGS.get((activity, unit))
        yearly = _per_year(used, report.days)
        if ceiling is not None and yearly > ceiling:
            findings.append(
                Finding(
                    "implausible_magnitude",
                    f"{activity}: {_short(used)} {unit} over {report.days} days is {_short(yearly)} {unit} a year, "
                    f"above the {ceiling:,} {unit} a year an SME plausibly uses. Check for a unit slip.",
                )
            )
    yearly_kg = _per_year(report.total_kg, report.days)
    if yearly_kg > TOTAL_CEILING_KG_PER_YEAR:
        findings.append(
            Finding(
                "implausible_magnitude",
                f"The report emits {report.total_kg:,} kg over {report.days} days, {_short(yearly_kg)} kg a year: "
                f"above the {TOTAL_CEILING_KG_PER_YEAR:,} kg (10,000 t) a year micro-scale bound.",
            )
        )
    return findings


def _short(value: Decimal) -> str:
    """For messages only: two decimals, thousands separated."""
    return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"
