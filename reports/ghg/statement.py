"""The organisation's GHG statement for one calendar year, computed from plain inputs.

Pure: no database, no clock (``today`` is passed in), so the JSON, the CSV and the PDF are three
renderings of one :class:`Statement` and the same inputs always give the same statement.

How the figures are made (docs/REPORTS.md says it for people):

- Emissions are the organisation's emissions reports as filed: every line already holds its whole
  kg CO2e (quantity x conversion x factor, rounded once) and the factor it used.
- A report whose period touches the year contributes each line's kg spread over its days
  (``allocation``): whole kg per month, adding up exactly. A report inside the year contributes
  all of its kg, so the year's totals are the sums of those reports' totals. The monthly figures and
  the share of a report that runs into another year are day-weighted estimates, and say so.
- Scope totals, activity totals, monthly totals and the year total are integer sums of the same
  per-line, per-month parts, so every view of the statement adds up to the same total.
- Energy: ``energy`` (kWh from the activity data, net calorific values) plus self-generation.
- Retirements in the year are the organisation's certificates retired between 1 January and
  31 December (UTC); ``net_kg = total_kg - retired_kg``.
"""

import functools
import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from emissions.activities import ACTIVITIES
from reports.ghg import allocation
from reports.ghg.energy import CARRIERS, SELF_GENERATION, EnergyConversion, is_energy_activity, line_energy
from reports.ghg.inputs import OrganizationInput, ReportInput, RetirementInput, SelfGeneration

REVENUE_BASIS = Decimal(1_000_000)  # intensity per revenue is kg CO2e per million of the currency
QUANTITY_STEP = Decimal("0.0001")
INTENSITY_STEP = Decimal("0.1")
SCOPES = (1, 2, 3)
# Markers the factor table keeps in a source's text for numbers that are not a first-hand copy.
SOURCE_MARKS = ("SECONDARY", "WEAK", "UNCONFIRMED", "DERIVED")
# GHG Protocol scope 3 categories of the activities CarbonCred records.
SCOPE3_CATEGORIES = {
    "electricity_td_losses": "category 3 (fuel- and energy-related activities: grid losses)",
    "waste_landfill": "category 5 (waste generated in operations)",
    "waste_recycled": "category 5 (waste generated in operations)",
    "flight_domestic": "category 6 (business travel)",
    "flight_short_haul": "category 6 (business travel)",
    "flight_long_haul": "category 6 (business travel)",
    "car": "category 6 (business travel)",
    "rail": "category 6 (business travel)",
}

INFO, WARNING = "info", "warning"


@dataclass(frozen=True)
class Note:
    """A data-quality statement: what the figures rest on, or what the data does not say."""

    code: str
    severity: str  # info | warning
    detail: str


@dataclass(frozen=True, kw_only=True)
class Month:
    month: date  # its first day
    days: int
    days_covered: int  # days of the month some report covers
    begun: bool  # False for the months of a year in progress that have not started
    scope1_kg: int
    scope2_kg: int
    scope3_kg: int
    energy_kwh: int

    @property
    def total_kg(self) -> int:
        return self.scope1_kg + self.scope2_kg + self.scope3_kg

    @property
    def label(self) -> str:
        return f"{self.month:%Y-%m}"


@dataclass(frozen=True, kw_only=True)
class ActivityTotal:
    activity: str
    label: str
    scope: int
    quantity: Decimal  # the year's share, in `unit`
    unit: str  # the unit the factor is per
    emissions_kg: int
    energy_kwh: int | None  # None: not energy the organisation consumed
    lines: int


@dataclass(frozen=True, kw_only=True)
class CarrierTotal:
    carrier: str
    label: str
    kwh: int
    renewable: bool


@dataclass(frozen=True, kw_only=True)
class Energy:
    total_kwh: int
    renewable_kwh: int
    non_renewable_kwh: int
    carriers: tuple[CarrierTotal, ...]


@dataclass(frozen=True, kw_only=True)
class Intensity:
    per_employee_kg: Decimal | None
    per_revenue_kg: Decimal | None  # per REVENUE_BASIS units of `currency`
    employees: int | None
    annual_revenue: Decimal | None
    currency: str

    @property
    def revenue_unit(self) -> str:
        return f"kg CO2e per {REVENUE_BASIS:,} {self.currency}" if self.currency else ""


@dataclass(frozen=True, kw_only=True)
class FactorRow:
    """A factor the statement used: an emission factor (kg CO2e per unit) or an energy conversion
    (kWh per unit), with its source, year and licence."""

    kind: str  # emission | energy
    activity: str
    region: str
    value: Decimal
    value_unit: str
    source: str
    source_url: str
    year: int
    licence: str
    fallback: bool
    note: str
    lines: int
    factor_id: int | None = None
    version: int | None = None


@dataclass(frozen=True, kw_only=True)
class ReportShare:
    """An emissions report the statement used and how much of it falls in the year."""

    id: int
    period_start: date
    period_end: date
    total_kg: int
    days: int
    days_in_year: int
    in_year_kg: int


@dataclass(frozen=True, kw_only=True)
class Statement:
    year: int
    organization: OrganizationInput
    period_start: date
    period_end: date
    data_as_of: datetime | None  # the newest report or retirement behind the figures
    in_progress: bool
    scope1_kg: int
    scope2_kg: int
    scope3_kg: int
    energy: Energy
    by_activity: tuple[ActivityTotal, ...]
    monthly: tuple[Month, ...]
    retirements: tuple[RetirementInput, ...]
    intensity: Intensity
    factors: tuple[FactorRow, ...]
    reports: tuple[ReportShare, ...]
    notes: tuple[Note, ...]
    self_generation: tuple[SelfGeneration, ...] = field(default=())

    @property
    def total_kg(self) -> int:
        return self.scope1_kg + self.scope2_kg + self.scope3_kg

    @property
    def retired_kg(self) -> int:
        return sum(retirement.quantity_kg for retirement in self.retirements)

    @property
    def net_kg(self) -> int:
        return self.total_kg - self.retired_kg

    @property
    def empty(self) -> bool:
        return not self.reports

    @functools.cached_property
    def fingerprint(self) -> str:
        """SHA-256 of the statement's canonical JSON: equal for equal figures, notes and names."""
        return hashlib.sha256(canonical_json(self)).hexdigest()


def canonical_json(statement: Statement) -> bytes:
    def default(value: Any) -> str:
        if isinstance(value, Decimal | date | datetime):
            return str(value)
        raise TypeError(f"{type(value).__name__} is not part of a statement")

    return json.dumps(
        asdict(statement), sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=default
    ).encode()


def round_whole(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_HALF_UP))


@dataclass
class _Activity:
    scope: int
    quantity: Decimal = Decimal(0)
    emissions_kg: int = 0
    energy_kwh: int | None = None
    lines: int = 0


@dataclass
class _Factor:
    row: Any  # FactorUsed
    fallback: bool = False
    labels: list[str] = field(default_factory=list)
    lines: int = 0


def statement_build(
    *,
    year: int,
    organization: OrganizationInput,
    reports: Sequence[ReportInput],
    retirements: Sequence[RetirementInput],
    self_generation: Sequence[SelfGeneration] = (),
    today: date,
) -> Statement:
    """The statement of ``organization`` for ``year``. ``reports`` may include reports that do not
    touch the year (they are left out); ``retirements`` should be the year's."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    months = allocation.months_of_year(year)
    by_scope: dict[date, list[int]] = {month: [0, 0, 0] for month in months}
    energy_by_month: dict[date, int] = dict.fromkeys(months, 0)
    carriers: dict[str, int] = defaultdict(int)
    activities: dict[tuple[str, str], _Activity] = {}
    factors: dict[int, _Factor] = {}
    conversions_used: dict[tuple[str, str], tuple[EnergyConversion, int]] = {}
    unconverted: set[tuple[str, str]] = set()
    fallback_lines, fallback_kg, fallback_what = 0, 0, []
    shares: list[ReportShare] = []

    used = sorted(
        (report for report in reports if report.period_start <= end and report.period_end >= start),
        key=lambda report: (report.period_start, report.id),
    )
    for report in used:
        days_in_year = allocation.overlap_days((report.period_start, report.period_end), (start, end))
        report_kg = 0
        for line in report.lines:
            parts = _in_year(
                allocation.allocate_by_month(line.emissions_kg, report.period_start, report.period_end), year
            )
            for month, kg in parts.items():
                by_scope[month][line.scope - 1] += kg
            line_kg = sum(parts.values())
            report_kg += line_kg

            factor_quantity = line.quantity * line.conversion
            key = (line.activity, line.factor.unit)
            total = activities.setdefault(key, _Activity(scope=line.scope))
            total.quantity += (factor_quantity * days_in_year / report.days).quantize(QUANTITY_STEP, ROUND_HALF_UP)
            total.emissions_kg += line_kg
            total.lines += 1

            energy = line_energy(line.activity, line.factor.unit, factor_quantity)
            if energy is not None:
                kwh = _in_year(
                    allocation.allocate_by_month(round_whole(energy.kwh), report.period_start, report.period_end), year
                )
                for month, part in kwh.items():
                    energy_by_month[month] += part
                carriers[line.activity] += sum(kwh.values())
                total.energy_kwh = (total.energy_kwh or 0) + sum(kwh.values())
                if energy.conversion is not None:
                    conversion, count = conversions_used.get(key, (energy.conversion, 0))
                    conversions_used[key] = (conversion, count + 1)
            elif is_energy_activity(line.activity):
                unconverted.add(key)

            used_factor = factors.setdefault(line.factor.id, _Factor(row=line.factor))
            used_factor.lines += 1
            used_factor.fallback = used_factor.fallback or line.factor_fallback
            if line.factor_label and line.factor_label not in used_factor.labels:
                used_factor.labels.append(line.factor_label)
            if line.factor_fallback:
                fallback_lines += 1
                fallback_kg += line_kg
                fallback_what.append(f"{line.activity} in {line.region}")
        shares.append(
            ReportShare(
                id=report.id,
                period_start=report.period_start,
                period_end=report.period_end,
                total_kg=report.total_kg,
                days=report.days,
                days_in_year=days_in_year,
                in_year_kg=report_kg,
            )
        )

    generation = [g for g in self_generation if g.start <= end and g.end >= start]
    for item in generation:
        for month, part in _in_year(allocation.allocate_by_month(item.kwh, item.start, item.end), year).items():
            energy_by_month[month] += part
            carriers[SELF_GENERATION] += part

    covered = allocation.merged(
        clipped
        for clipped in (allocation.clip((r.period_start, r.period_end), start, end) for r in used)
        if clipped is not None
    )
    monthly = tuple(
        Month(
            month=month,
            days=allocation.month_days(month),
            days_covered=sum(
                allocation.overlap_days(interval, (month, allocation.month_end(month))) for interval in covered
            ),
            begun=month <= today,
            scope1_kg=by_scope[month][0],
            scope2_kg=by_scope[month][1],
            scope3_kg=by_scope[month][2],
            energy_kwh=energy_by_month[month],
        )
        for month in months
    )
    scope_totals = [sum(month_row[index] for month_row in by_scope.values()) for index in range(3)]
    total_kg = sum(scope_totals)

    energy_total = Energy(
        total_kwh=sum(carriers.values()),
        renewable_kwh=sum(kwh for key, kwh in carriers.items() if CARRIERS[key].renewable),
        non_renewable_kwh=sum(kwh for key, kwh in carriers.items() if not CARRIERS[key].renewable),
        carriers=tuple(
            CarrierTotal(carrier=key, label=carrier.label, kwh=carriers[key], renewable=carrier.renewable)
            for key, carrier in CARRIERS.items()
            if key in carriers
        ),
    )
    by_activity = tuple(
        ActivityTotal(
            activity=activity,
            label=ACTIVITIES[activity].label if activity in ACTIVITIES else activity,
            scope=value.scope,
            quantity=value.quantity,
            unit=unit,
            emissions_kg=value.emissions_kg,
            energy_kwh=value.energy_kwh,
            lines=value.lines,
        )
        for (activity, unit), value in sorted(
            activities.items(), key=lambda item: (item[1].scope, -item[1].emissions_kg, item[0])
        )
    )
    intensity = _intensity(organization, total_kg)
    factor_rows = _factor_rows(factors, conversions_used)
    as_of = max(
        [report.created_at for report in used] + [retirement.retired_at for retirement in retirements], default=None
    )
    in_progress = today <= end
    statement_notes = _notes(
        year=year,
        today=today,
        organization=organization,
        used=used,
        shares=shares,
        monthly=monthly,
        by_activity=by_activity,
        total_kg=total_kg,
        fallback=(fallback_lines, fallback_kg, fallback_what),
        factor_rows=factor_rows,
        conversions_used=bool(conversions_used),
        unconverted=unconverted,
        generation=generation,
        intensity=intensity,
        retirements=retirements,
        in_progress=in_progress,
    )
    return Statement(
        year=year,
        organization=organization,
        period_start=start,
        period_end=end,
        data_as_of=as_of,
        in_progress=in_progress,
        scope1_kg=scope_totals[0],
        scope2_kg=scope_totals[1],
        scope3_kg=scope_totals[2],
        energy=energy_total,
        by_activity=by_activity,
        monthly=monthly,
        retirements=tuple(sorted(retirements, key=lambda r: (r.retired_at, r.public_id))),
        intensity=intensity,
        factors=factor_rows,
        reports=tuple(shares),
        notes=statement_notes,
        self_generation=tuple(generation),
    )


def _in_year(parts: dict[date, int], year: int) -> dict[date, int]:
    return {month: value for month, value in parts.items() if month.year == year}


def _intensity(organization: OrganizationInput, total_kg: int) -> Intensity:
    employees, revenue = organization.employees, organization.annual_revenue
    per_employee = (Decimal(total_kg) / employees).quantize(INTENSITY_STEP, ROUND_HALF_UP) if employees else None
    per_revenue = (
        (Decimal(total_kg) * REVENUE_BASIS / revenue).quantize(INTENSITY_STEP, ROUND_HALF_UP)
        if revenue is not None and revenue > 0 and organization.revenue_currency
        else None
    )
    return Intensity(
        per_employee_kg=per_employee,
        per_revenue_kg=per_revenue,
        employees=employees,
        annual_revenue=revenue,
        currency=organization.revenue_currency if revenue is not None else "",
    )


def _factor_rows(
    factors: dict[int, _Factor], conversions_used: dict[tuple[str, str], tuple[EnergyConversion, int]]
) -> tuple[FactorRow, ...]:
    emission = [
        FactorRow(
            kind="emission",
            activity=used.row.activity,
            region=used.row.region,
            value=used.row.value,
            value_unit=f"kg CO2e per {used.row.unit}",
            source=used.row.source,
            source_url=used.row.source_url,
            year=used.row.year,
            licence=used.row.licence,
            fallback=used.fallback,
            note=" | ".join(used.labels),
            lines=used.lines,
            factor_id=used.row.id,
            version=used.row.version,
        )
        for used in factors.values()
    ]
    emission.sort(
        key=lambda row: (ACTIVITIES[row.activity].scope if row.activity in ACTIVITIES else 9, row.activity, row.region)
    )
    energy = [
        FactorRow(
            kind="energy",
            activity=conversion.activity,
            region="any",
            value=conversion.kwh_per_unit,
            value_unit=f"kWh per {conversion.unit} ({conversion.basis})",
            source=conversion.source,
            source_url=conversion.source_url,
            year=conversion.year,
            licence=conversion.licence,
            fallback=False,
            note=conversion.derivation,
            lines=count,
        )
        for (_, _), (conversion, count) in sorted(conversions_used.items())
    ]
    return tuple(emission + energy)


def _month_names(months: Sequence[date]) -> str:
    return ", ".join(f"{month:%B}" for month in months)


def _notes(
    *,
    year: int,
    today: date,
    organization: OrganizationInput,
    used: Sequence[ReportInput],
    shares: Sequence[ReportShare],
    monthly: Sequence[Month],
    by_activity: Sequence[ActivityTotal],
    total_kg: int,
    fallback: tuple[int, int, list[str]],
    factor_rows: Sequence[FactorRow],
    conversions_used: bool,
    unconverted: set[tuple[str, str]],
    generation: Sequence[SelfGeneration],
    intensity: Intensity,
    retirements: Sequence[RetirementInput],
    in_progress: bool,
) -> tuple[Note, ...]:
    notes: list[Note] = []
    add = notes.append
    if not used:
        add(
            Note(
                "no_data",
                WARNING,
                f"No emissions report of {organization.name} covers {year}: every figure is zero because nothing "
                "was reported, not because nothing was emitted. File reports at /api/emissions/.",
            )
        )
    if in_progress:
        add(Note("year_in_progress", INFO, f"{year} is not over: the figures cover the reports filed so far."))

    if used:
        started = [m for m in monthly if m.begun]
        missing = [m.month for m in started if m.days_covered == 0]
        if missing:
            add(
                Note(
                    "missing_months",
                    WARNING,
                    f"No emissions report covers {_month_names(missing)} {year}: "
                    f"{'that month counts' if len(missing) == 1 else 'those months count'} as zero, "
                    "which understates the year.",
                )
            )
        partial = []
        for m in started:
            expected = min(m.days, (today - m.month).days + 1)
            if 0 < m.days_covered < expected:
                partial.append(f"{m.month:%B} ({m.days_covered} of {expected} days)")
        if partial:
            add(
                Note(
                    "partial_months",
                    WARNING,
                    f"Reports cover only part of {', '.join(partial)}: the days no report covers count as zero.",
                )
            )
        overlaps = []
        for index, first in enumerate(used):
            for second in used[index + 1 :]:
                days = allocation.overlap_days(
                    (max(first.period_start, date(year, 1, 1)), min(first.period_end, date(year, 12, 31))),
                    (second.period_start, second.period_end),
                )
                if days:
                    overlaps.append(f"#{first.id} and #{second.id} ({days} days)")
        if overlaps:
            listed = ", ".join(overlaps[:10]) + (" and more" if len(overlaps) > 10 else "")
            add(
                Note(
                    "overlapping_reports",
                    WARNING,
                    f"Emissions reports overlap: {listed}. "
                    "Both are counted as filed, so the shared days count twice; POST /api/verify-emissions/ "
                    "checks a report for this.",
                )
            )
        spread = [s for s in shares if allocation.month_start(s.period_start) != allocation.month_start(s.period_end)]
        if spread:
            add(
                Note(
                    "day_weighted",
                    INFO,
                    f"{len(spread)} of the {len(shares)} reports span more than one calendar month: each line is "
                    "spread evenly over the days of its period, so the monthly figures are estimates of when the "
                    "emissions happened, not measurements.",
                )
            )
        crossing = [share for share in shares if share.days_in_year < share.days]
        if crossing:
            kept = sum(share.in_year_kg for share in crossing)
            whole = sum(share.total_kg for share in crossing)
            add(
                Note(
                    "crosses_year",
                    WARNING,
                    f"{len(crossing)} report(s) ({', '.join(f'#{s.id}' for s in crossing)}) run into another year: "
                    f"only the share of their days in {year} is counted, {kept:,} of their {whole:,} kg CO2e "
                    "(an estimate by days).",
                )
            )
        lines, kg, what = fallback
        if lines:
            share = f"{Decimal(100 * kg) / total_kg:.1f} %" if total_kg else "0 %"
            which = ", ".join(sorted(set(what)))
            add(
                Note(
                    "fallback_factors",
                    WARNING,
                    f"{lines} line(s) use a stand-in factor rather than their region's own ({which}): "
                    f"{kg:,} kg CO2e, {share} of the total, rest on a default or average factor (see the factors).",
                )
            )
        marked = sorted(
            {
                f"{row.activity} {row.region}"
                for row in factor_rows
                if row.kind == "emission" and any(mark in row.source for mark in SOURCE_MARKS)
            }
        )
        if marked:
            add(
                Note(
                    "secondary_factors",
                    INFO,
                    f"The factors for {', '.join(marked)} are marked SECONDARY, DERIVED, WEAK or UNCONFIRMED in "
                    "their source: transcriptions or derivations still to be confirmed against the publisher.",
                )
            )
        add(
            Note(
                "measurement_basis_unknown",
                INFO,
                "The activity data does not say whether each quantity was metered, read from a bill or estimated: "
                "the statement reports the quantities as filed.",
            )
        )
    add(
        Note(
            "scope2_location_based",
            INFO,
            "Scope 2 is location-based: the grid-average factor of the region of each electricity line. A "
            "market-based figure needs supplier contracts or energy attribute certificates, which the data does "
            "not record, so none is given.",
        )
    )
    categories = sorted({SCOPE3_CATEGORIES[a.activity] for a in by_activity if a.activity in SCOPE3_CATEGORIES})
    if categories:
        add(
            Note(
                "scope3_partial",
                INFO,
                f"Scope 3 covers only the categories reported: {'; '.join(categories)}. Other categories "
                "(purchased goods and services, commuting, transport of goods, ...) are not in the data and are "
                "not estimated.",
            )
        )
    elif used:
        add(
            Note(
                "scope3_not_reported",
                INFO,
                "No scope 3 activity was reported: scope 3 reads zero because it is not known, not because it is zero.",
            )
        )
    if not generation:
        add(
            Note(
                "renewable_not_recorded",
                INFO,
                "Renewable energy reads zero: grid electricity counts as non-renewable because the data records no "
                "renewable supply contract or certificates (the grid's own renewable share is not claimed), and no "
                "self-generated electricity (such as metered rooftop solar) is recorded for the organisation.",
            )
        )
    if conversions_used:
        add(
            Note(
                "energy_net_calorific_values",
                INFO,
                "Fuels are converted to kWh with net calorific values derived from UK DESNZ 2025 (listed with the "
                "factors); gas billed in kWh is on a gross basis and is converted to net. Fuel specifications in "
                "other countries differ by a few per cent. Grid losses, travel and waste carry emissions but are not "
                "energy the organisation used.",
            )
        )
    if unconverted:
        add(
            Note(
                "energy_not_converted",
                WARNING,
                f"No calorific value is known for {', '.join(f'{a} in {u}' for a, u in sorted(unconverted))}: "
                "that fuel's energy is missing from the energy figures (its emissions are counted).",
            )
        )
    missing_size = [
        name
        for name, value in (("a headcount", intensity.per_employee_kg), ("an annual revenue", intensity.per_revenue_kg))
        if value is None
    ]
    if missing_size:
        add(
            Note(
                "intensity_not_available",
                INFO,
                f"The organisation has not recorded {' or '.join(missing_size)}: "
                f"{'that intensity is' if len(missing_size) == 1 else 'the intensities are'} not given.",
            )
        )
    if len(missing_size) < 2:
        add(
            Note(
                "intensity_basis",
                INFO,
                f"Intensities use the headcount and annual revenue recorded on the organisation now, not figures "
                f"specific to {year}.",
            )
        )
    if retirements:
        add(
            Note(
                "retirements_separate",
                INFO,
                "Retired credits are shown beside the inventory, not deducted from it: the GHG Protocol reports "
                "offsets separately from gross emissions. net_kg = total - retired is given for readers who ask for "
                "it; it counts every certificate the organisation retired in the year, whoever the beneficiary.",
            )
        )
    return tuple(notes)
