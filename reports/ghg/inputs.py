"""What the statement is computed from, as plain values (``reports.selectors`` reads them)."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True, kw_only=True)
class FactorUsed:
    """An emission factor row a line used (rows are immutable, so this is what the line used)."""

    id: int
    version: int
    activity: str
    region: str
    region_name: str
    value: Decimal  # kg CO2e per unit
    unit: str
    source: str
    source_url: str
    year: int
    licence: str


@dataclass(frozen=True, kw_only=True)
class LineInput:
    """One line of an emissions report, as filed: the quantity, the factor and the rounded kg."""

    activity: str
    scope: int
    quantity: Decimal
    unit: str
    conversion: Decimal  # quantity x conversion = quantity in the factor's unit
    region: str
    emissions_kg: int
    factor: FactorUsed
    factor_match: str
    factor_label: str
    factor_fallback: bool


@dataclass(frozen=True, kw_only=True)
class ReportInput:
    """An emissions report of the organisation whose period touches the year."""

    id: int
    period_start: date
    period_end: date
    total_kg: int
    created_at: datetime
    lines: tuple[LineInput, ...]

    @property
    def days(self) -> int:
        return (self.period_end - self.period_start).days + 1


@dataclass(frozen=True, kw_only=True)
class RetirementInput:
    """A retirement certificate of the organisation."""

    public_id: str
    serial: str
    quantity_kg: int
    retired_at: datetime
    beneficiary: str
    public_url: str


@dataclass(frozen=True, kw_only=True)
class SelfGeneration:
    """Renewable electricity the organisation generated itself over a period (e.g. metered rooftop
    solar), in whole kWh, and where the figure comes from (printed in the statement)."""

    start: date
    end: date
    kwh: int
    source: str


@dataclass(frozen=True, kw_only=True)
class OrganizationInput:
    id: int
    name: str
    country: str  # ISO 3166-1 alpha-2
    country_name: str
    employees: int | None
    annual_revenue: Decimal | None
    revenue_currency: str
