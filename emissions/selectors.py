from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from accounts.models import Organization
from emissions.errors import EmissionReportNotFoundError
from emissions.models import EmissionFactor, EmissionLine, EmissionReport


def emission_report_list_for(*, organization: Organization) -> QuerySet[EmissionReport]:
    """The organisation's reports, newest period first, with lines and their factor rows in two queries."""
    lines = EmissionLine.objects.select_related("factor").order_by("position")
    return EmissionReport.objects.filter(organization=organization).prefetch_related(Prefetch("lines", queryset=lines))


def emission_report_get_for(*, organization: Organization, report_id: int) -> EmissionReport:
    try:
        return emission_report_list_for(organization=organization).get(pk=report_id)
    except EmissionReport.DoesNotExist:
        raise EmissionReportNotFoundError() from None


def emission_factor_list(
    *, activity: str | None = None, region: str | None = None, include_history: bool = False
) -> QuerySet[EmissionFactor]:
    """The factor table; ``region`` matches a code and its sub-regions (US matches US and US-CAMX)."""
    factors = EmissionFactor.objects.all()
    if not include_history:
        factors = factors.filter(is_current=True)
    if activity:
        factors = factors.filter(activity=activity)
    if region:
        factors = factors.filter(Q(region=region) | Q(region__startswith=f"{region}-"))
    return factors


def emissions_total_kg_for(*, organization: Organization) -> int:
    """All the organisation's reported emissions, integer kg CO2e (the dashboard's emissions_kg).
    Reports are summed as filed: overlapping or duplicate periods are counted as reported, and
    verify-emissions is where they are flagged (period_overlap, duplicate_period)."""
    return EmissionReport.objects.filter(organization=organization).aggregate(total=Coalesce(Sum("total_kg"), 0))[
        "total"
    ]


def emission_latest_period_end_for(*, organization: Organization):
    """The end of the organisation's latest reported period, or ``None`` before any report."""
    return (
        EmissionReport.objects.filter(organization=organization)
        .order_by("-period_end")
        .values_list("period_end", flat=True)
        .first()
    )


# Energy per unit of a report line, in the factor units the lines are converted to, for comparing a
# claimed baseline with the books. Gross calorific values (bills and UK/US factor sets state fuels on
# the gross basis), so a claimant's kWh is never compared with a smaller net figure.
# ASSUMPTION, rounded: natural gas 11.2 kWh/m3 (GB average ~39.5 MJ/m3), diesel 10.7 kWh/l (38.6 MJ/l).
CARRIER_KWH_PER_FACTOR_UNIT: dict[str, dict[str, Decimal]] = {
    "electricity": {"kWh": Decimal(1)},
    "natural_gas": {"kWh": Decimal(1), "m3": Decimal("11.2")},
    "diesel": {"litre": Decimal("10.7")},
}


@dataclass(frozen=True)
class ReportedEnergy:
    """What an organisation's emission reports say it consumed of one carrier over a window."""

    kwh: Decimal  # over the covered days
    covered_days: int  # days of the window that some report covers
    window_days: int
    report_ids: tuple[int, ...]


def reported_energy_for(*, organization_id: int, carrier: str, start: date, end: date) -> ReportedEnergy:
    """The organisation's reported consumption of ``carrier`` (electricity, natural_gas, diesel) from
    ``start`` to ``end``, in kWh. Each report's lines are spread evenly over its days; where reports
    overlap, a day counts once, at the highest daily figure of the reports covering it (a duplicate
    report does not double the books)."""
    per_unit = CARRIER_KWH_PER_FACTOR_UNIT[carrier]
    reports = list(
        EmissionReport.objects.filter(
            organization_id=organization_id, period_start__lte=end, period_end__gte=start
        ).order_by("period_start", "id")
    )
    daily: list[tuple[date, date, Decimal]] = []
    lines = EmissionLine.objects.filter(report__in=reports, activity=carrier).values_list(
        "report_id", "quantity", "conversion", "factor_unit"
    )
    totals: dict[int, Decimal] = {}
    for report_id, quantity, conversion, factor_unit in lines:
        kwh_per = per_unit.get(factor_unit)
        if kwh_per is not None:
            totals[report_id] = totals.get(report_id, Decimal(0)) + quantity * Decimal(conversion) * kwh_per
    for report in reports:
        days = (report.period_end - report.period_start).days + 1
        daily.append((report.period_start, report.period_end, totals.get(report.pk, Decimal(0)) / days))
    window_days = (end - start).days + 1
    kwh, covered = Decimal(0), 0
    for offset in range(window_days):
        day = start + timedelta(days=offset)
        rates = [rate for first, last, rate in daily if first <= day <= last]
        if rates:
            covered += 1
            kwh += max(rates)
    return ReportedEnergy(
        kwh=kwh, covered_days=covered, window_days=window_days, report_ids=tuple(report.pk for report in reports)
    )
