"""Plain statement inputs (no database) for the pure builder and the PDF renderer."""

import dataclasses
import datetime
from decimal import Decimal

from reports.ghg.inputs import FactorUsed, LineInput, OrganizationInput, ReportInput, RetirementInput
from reports.ghg.statement import Statement, statement_build

AFTER_THE_YEAR = datetime.date(2026, 6, 1)
FILED = datetime.datetime(2025, 4, 2, 10, 30, tzinfo=datetime.UTC)

GRID_GB = FactorUsed(
    id=1,
    version=1,
    activity="electricity",
    region="GB",
    region_name="United Kingdom",
    value=Decimal("0.177"),
    unit="kWh",
    source="UK DESNZ GHG Conversion Factors for Company Reporting 2025",
    source_url="https://www.gov.uk/government/publications/greenhouse-gas-reporting-conversion-factors-2025",
    year=2025,
    licence="Open Government Licence v3.0",
)
DIESEL_GB = FactorUsed(
    id=2,
    version=1,
    activity="diesel",
    region="GB",
    region_name="United Kingdom",
    value=Decimal("2.57082"),
    unit="litre",
    source="UK DESNZ GHG Conversion Factors for Company Reporting 2025",
    source_url="https://www.gov.uk/government/publications/greenhouse-gas-reporting-conversion-factors-2025",
    year=2025,
    licence="Open Government Licence v3.0",
)
RAIL_GB = FactorUsed(
    id=3,
    version=1,
    activity="rail",
    region="GB",
    region_name="United Kingdom",
    value=Decimal("0.03546"),
    unit="passenger_km",
    source="UK DESNZ GHG Conversion Factors for Company Reporting 2025",
    source_url="https://www.gov.uk/government/publications/greenhouse-gas-reporting-conversion-factors-2025",
    year=2025,
    licence="Open Government Licence v3.0",
)
SCOPES = {"electricity": 2, "diesel": 1, "rail": 3}


def line(factor: FactorUsed, quantity: str, *, fallback: bool = False, region: str = "GB") -> LineInput:
    exact = Decimal(quantity) * factor.value
    return LineInput(
        activity=factor.activity,
        scope=SCOPES[factor.activity],
        quantity=Decimal(quantity),
        unit=factor.unit,
        conversion=Decimal(1),
        region=region,
        emissions_kg=int(exact.to_integral_value()),
        factor=factor,
        factor_match="grid_average" if fallback else "region",
        factor_label=f"Factor for {region}, 2025.",
        factor_fallback=fallback,
    )


def report(report_id: int, start: datetime.date, end: datetime.date, *lines: LineInput) -> ReportInput:
    return ReportInput(
        id=report_id,
        period_start=start,
        period_end=end,
        total_kg=sum(item.emissions_kg for item in lines),
        created_at=FILED,
        lines=tuple(lines),
    )


def organization(name: str = "Thames Valley Bakery Ltd", **changes) -> OrganizationInput:
    plain = OrganizationInput(
        id=7,
        name=name,
        country="GB",
        country_name="United Kingdom",
        employees=40,
        annual_revenue=Decimal("2500000.00"),
        revenue_currency="GBP",
    )
    return dataclasses.replace(plain, **changes)


def quarterly_reports() -> list[ReportInput]:
    """Four quarters of 2025, each with electricity, diesel and rail."""
    quarters = [
        (datetime.date(2025, 1, 1), datetime.date(2025, 3, 31)),
        (datetime.date(2025, 4, 1), datetime.date(2025, 6, 30)),
        (datetime.date(2025, 7, 1), datetime.date(2025, 9, 30)),
        (datetime.date(2025, 10, 1), datetime.date(2025, 12, 31)),
    ]
    return [
        report(index + 1, start, end, line(GRID_GB, "24000"), line(DIESEL_GB, "900"), line(RAIL_GB, "5000"))
        for index, (start, end) in enumerate(quarters)
    ]


def retirement(quantity_kg: int = 1500, beneficiary: str = "Thames Valley Bakery Ltd") -> RetirementInput:
    return RetirementInput(
        public_id="pub0001Xy3k9PqLmN0aBcDe",
        serial="CC-GB-000042-2025-1001-2500",
        quantity_kg=quantity_kg,
        retired_at=datetime.datetime(2025, 11, 5, 14, 0, tzinfo=datetime.UTC),
        beneficiary=beneficiary,
        public_url="https://carboncred.example/certificates/pub0001Xy3k9PqLmN0aBcDe/",
    )


def statement(
    *, name: str = "Thames Valley Bakery Ltd", reports=None, retirements=(), **organization_changes
) -> Statement:
    return statement_build(
        year=2025,
        organization=organization(name, **organization_changes),
        reports=quarterly_reports() if reports is None else reports,
        retirements=list(retirements),
        today=AFTER_THE_YEAR,
    )
