from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Organization
from emissions import checks
from emissions.activities import ACTIVITIES
from emissions.arithmetic import exact_emissions, plain, round_kg
from emissions.errors import EmissionFactorImmutableError
from emissions.factors import FactorTable
from emissions.models import EmissionCheck, EmissionFactor, EmissionLine, EmissionReport
from emissions.selectors import emission_report_get_for

# 1 Mt CO2e on one line is far past any SME; the bound keeps every sum inside a 64-bit integer column.
MAX_LINE_KG = 10**9
# EmissionLine.quantity is DECIMAL(15, 4).
QUANTITY_STEP = Decimal("0.0001")
MAX_QUANTITY = 10**11
IDENTITY_FIELDS = frozenset({"activity", "region", "unit"})
REVISABLE_FIELDS = frozenset(
    {
        "value",
        "year",
        "source",
        "source_url",
        "licence",
        "region_name",
        "source_activity",
        "source_unit",
        "caveat",
        "is_fallback",
    }
)


class _LineError(Exception):
    def __init__(self, field: str, message: str) -> None:
        self.field, self.message = field, message
        super().__init__(message)


@transaction.atomic
def emission_report_create(
    *, organization: Organization, period_start: date, period_end: date, lines: list[dict[str, Any]]
) -> EmissionReport:
    """Compute every line against the current factors, then write the report and its lines.
    Any bad line refuses the whole report (400 naming ``lines.<n>.<field>``); nothing is written."""
    if period_end < period_start:
        raise ValidationError({"period_end": ["The period cannot end before it starts."]})
    if not lines:
        raise ValidationError({"lines": ["A report needs at least one line."]})

    table = FactorTable(EmissionFactor.objects.filter(is_current=True))
    computed, errors = [], {}
    for position, line in enumerate(lines):
        try:
            # The plugin types CountryField as its CharField base; on an instance it is a Country.
            home = organization.country.code  # type: ignore[attr-defined]
            computed.append(_line_compute(line, table, position=position, home=home))
        except _LineError as error:
            errors[f"lines.{position}.{error.field}"] = [error.message]
    if errors:
        raise ValidationError(errors)

    by_scope = {scope: sum(line["emissions_kg"] for line in computed if line["scope"] == scope) for scope in (1, 2, 3)}
    report = EmissionReport.objects.create(
        organization=organization,
        period_start=period_start,
        period_end=period_end,
        scope1_kg=by_scope[1],
        scope2_kg=by_scope[2],
        scope3_kg=by_scope[3],
        total_kg=sum(by_scope.values()),
    )
    EmissionLine.objects.bulk_create(EmissionLine(report=report, **line) for line in computed)
    return report


def _line_compute(line: dict[str, Any], table: FactorTable, *, position: int, home: str) -> dict[str, Any]:
    """The stored fields of one line, or _LineError naming the offending field."""
    activity = ACTIVITIES.get(line.get("activity", ""))
    if activity is None:
        raise _LineError("activity", f"Unknown activity. Use one of: {', '.join(ACTIVITIES)}.")
    quantity = _quantity(line.get("quantity"))
    unit = activity.unit(str(line.get("unit", "")))
    if unit is None:
        raise _LineError("unit", f"Unknown unit for {activity.key}. Use one of: {', '.join(activity.unit_codes)}.")
    region = table.region(line.get("region") or home)
    if region is None:
        raise _LineError("region", "Unknown region. Use an ISO 3166-1 alpha-2 country code or a listed grid region.")
    resolved = table.resolve(activity, unit.factor_unit, region)
    if resolved is None:
        raise _LineError(
            "region",
            f"No {activity.key} factor per {unit.factor_unit} is loaded for {region}. "
            f"Regions with one: {', '.join(table.regions_with(activity)) or 'none'}.",
        )
    factor = resolved.factor
    emissions_kg = round_kg(exact_emissions(quantity, unit.to_factor_unit, factor.value))
    if emissions_kg > MAX_LINE_KG:
        raise _LineError("quantity", f"This line would emit over {MAX_LINE_KG:,} kg CO2e; check the quantity and unit.")
    return {
        "position": position,
        "activity": activity.key,
        "quantity": quantity,
        "unit": unit.code,
        "conversion": plain(unit.to_factor_unit),
        "region": region,
        "scope": activity.scope,
        "emissions_kg": emissions_kg,
        "factor": factor,
        "factor_match": resolved.match,
        "factor_value": factor.value,
        "factor_unit": factor.unit,
        "factor_source": factor.source,
        "factor_year": factor.year,
        "factor_region": factor.region,
        "factor_label": resolved.label,
        "factor_fallback": resolved.fallback,
    }


def _quantity(raw: Any) -> Decimal:
    """An exact decimal that fits the stored precision; floats are refused, not approximated."""
    if isinstance(raw, bool) or not isinstance(raw, Decimal | int):
        raise _LineError("quantity", "Give the quantity as a decimal number (a string or an exact decimal).")
    quantity = Decimal(raw)
    if not quantity.is_finite() or quantity < 0:
        raise _LineError("quantity", "Give a quantity of zero or more.")
    if quantity != quantity.quantize(QUANTITY_STEP) or quantity >= MAX_QUANTITY:
        raise _LineError("quantity", f"Give at most 4 decimal places and less than {MAX_QUANTITY:,}.")
    return quantity


@transaction.atomic
def emission_report_check(*, organization: Organization, report_id: int) -> EmissionCheck:
    """Run the checks on one of the organisation's reports and store the outcome (404 if not its own)."""
    report = emission_report_get_for(organization=organization, report_id=report_id)
    others = list(
        EmissionReport.objects.filter(organization=organization).exclude(pk=report.pk).prefetch_related("lines")
    )
    findings = checks.report_findings(report, others)
    return EmissionCheck.objects.create(
        report=report,
        status=EmissionCheck.Status.ANOMALIES_FOUND if findings else EmissionCheck.Status.CONSISTENT,
        risk_score=checks.risk_score(findings),
        findings=[finding.as_dict() for finding in findings],
        engine_version=checks.ENGINE_VERSION,
    )


@transaction.atomic
def emission_factor_revise(*, factor_id: int, changes: dict[str, Any], note: str = "") -> EmissionFactor:
    """Publish a new version of a current factor and retire the old one. Report lines keep the row
    they used; only later reports see the new value. The identity (activity, region, unit) is fixed."""
    current = EmissionFactor.objects.select_for_update().get(pk=factor_id)
    if not current.is_current:
        raise EmissionFactorImmutableError(f"Version {current.version} is retired; revise the current version.")
    refused = set(changes) - REVISABLE_FIELDS
    if refused:
        raise ValidationError({name: ["This field cannot be revised; add a new factor instead."] for name in refused})
    if "value" in changes and (not isinstance(changes["value"], Decimal) or changes["value"] < 0):
        raise ValidationError({"value": ["Give the factor as a decimal of zero or more."]})

    EmissionFactor.objects.filter(pk=current.pk).update(is_current=False)
    kept = {
        field.name: getattr(current, field.name)
        for field in EmissionFactor._meta.concrete_fields
        if field.name in REVISABLE_FIELDS | IDENTITY_FIELDS
    }
    revision = EmissionFactor(
        **{**kept, **changes}, version=current.version + 1, is_current=True, previous=current, note=note
    )
    revision.full_clean()
    revision.save()
    return revision
