"""Reads behind the GHG statement: the organisation's reports, retirements and self-generation for a
year, as the plain inputs of ``reports.ghg``; and the documents the registry issued."""

from datetime import UTC, date, datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django_countries.fields import Country

from accounts.models import Organization
from certificates.selectors import certificate_list_for, certificate_public_url
from emissions.selectors import emission_report_list_for
from reports.errors import IssuedReportNotFoundError, PublishedReportNotFoundError
from reports.ghg.inputs import (
    FactorUsed,
    LineInput,
    OrganizationInput,
    ReportInput,
    RetirementInput,
    SelfGeneration,
)
from reports.ghg.statement import Statement, statement_build
from reports.models import IssuedReport


def organization_input(organization: Organization) -> OrganizationInput:
    country = Country(code=str(organization.country))
    return OrganizationInput(
        id=organization.pk,
        name=organization.name,
        country=country.code,
        country_name=str(country.name),
        employees=organization.employees,
        annual_revenue=organization.annual_revenue,
        revenue_currency=organization.revenue_currency,
    )


def emission_reports_in(*, organization: Organization, year: int) -> list[ReportInput]:
    """The organisation's emissions reports whose period touches ``year``, with their lines and the
    factor rows they used (two queries)."""
    reports = emission_report_list_for(organization=organization).filter(
        period_start__lte=date(year, 12, 31), period_end__gte=date(year, 1, 1)
    )
    return [
        ReportInput(
            id=report.pk,
            period_start=report.period_start,
            period_end=report.period_end,
            total_kg=report.total_kg,
            created_at=report.created_at,
            lines=tuple(
                LineInput(
                    activity=line.activity,
                    scope=line.scope,
                    quantity=line.quantity,
                    unit=line.unit,
                    conversion=Decimal(line.conversion),
                    region=line.region,
                    emissions_kg=line.emissions_kg,
                    factor=FactorUsed(
                        id=line.factor_id,
                        version=line.factor.version,
                        activity=line.factor.activity,
                        region=line.factor_region,
                        region_name=line.factor.region_name,
                        value=line.factor_value,
                        unit=line.factor_unit,
                        source=line.factor_source,
                        source_url=line.factor.source_url,
                        year=line.factor_year,
                        licence=line.factor.licence,
                    ),
                    factor_match=line.factor_match,
                    factor_label=line.factor_label,
                    factor_fallback=line.factor_fallback,
                )
                for line in report.lines.all()
            ),
        )
        for report in reports
    ]


def retirements_in(*, organization: Organization, year: int) -> list[RetirementInput]:
    """The organisation's retirement certificates retired in ``year`` (UTC), oldest first."""
    certificates = certificate_list_for(organization=organization).filter(
        retired_at__gte=datetime(year, 1, 1, tzinfo=UTC), retired_at__lt=datetime(year + 1, 1, 1, tzinfo=UTC)
    )
    return [
        RetirementInput(
            public_id=certificate.public_id,
            serial=certificate.serial,
            quantity_kg=certificate.quantity_kg,
            retired_at=certificate.retired_at,
            beneficiary=certificate.beneficiary,
            public_url=certificate_public_url(certificate.public_id),
        )
        for certificate in certificates.order_by("retired_at", "id")
    ]


def self_generation_in(*, organization: Organization, year: int) -> list[SelfGeneration]:
    """Renewable electricity the organisation generated itself in ``year``.

    Nothing records it yet: the sites app will store metered readings of the organisation's own
    solar, and this is where they join the statement (one ``SelfGeneration`` per meter and reading
    period, ``source`` naming the site and meter). Until then the statement says renewable energy is
    not recorded.
    """
    return []


def ghg_statement_for(*, organization: Organization, year: int, today: date | None = None) -> Statement:
    """The organisation's GHG statement for ``year``: its own data only (four queries)."""
    return statement_build(
        year=year,
        organization=organization_input(organization),
        reports=emission_reports_in(organization=organization, year=year),
        retirements=retirements_in(organization=organization, year=year),
        self_generation=self_generation_in(organization=organization, year=year),
        today=today or timezone.now().date(),
    )


def issued_report_list_for(*, organization: Organization) -> QuerySet[IssuedReport]:
    return IssuedReport.objects.filter(organization=organization)


def issued_report_get_for(*, organization: Organization, report_id: int) -> IssuedReport:
    try:
        return issued_report_list_for(organization=organization).get(pk=report_id)
    except IssuedReport.DoesNotExist:
        raise IssuedReportNotFoundError() from None


def published_report_get(*, token: str) -> IssuedReport:
    """A published document by its verification address; unpublished ones are not found."""
    try:
        return IssuedReport.objects.select_related("organization").get(token=token, public=True)
    except IssuedReport.DoesNotExist:
        raise PublishedReportNotFoundError() from None


def published_report_find(*, sha256: str) -> IssuedReport | None:
    """The published document with these exact bytes, if any."""
    return IssuedReport.objects.select_related("organization").filter(sha256=sha256, public=True).first()


def report_verify_url() -> str:
    """Where anyone checks a document by its bytes or SHA-256 (printed on every statement)."""
    return f"{settings.PUBLIC_BASE_URL}{reverse('report-verify-page')}"


def report_published_url(report: IssuedReport) -> str:
    """The page of one published document."""
    return f"{settings.PUBLIC_BASE_URL}{reverse('report-verify-token-page', args=[report.token])}"
