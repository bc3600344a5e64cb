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
