"""The GHG statement as CSV: one long table a spreadsheet can filter and pivot.

Columns: ``section, name, month, scope, activity, region, value, unit, source, year, licence, detail``.
Sections: ``summary`` (the headline figures), ``month`` (per month and scope), ``activity``,
``energy`` (per carrier), ``factor`` (emission factors and energy conversions, with source, year and
licence), ``retirement``, ``report`` (the emissions reports used), ``note`` (data quality). Numbers
are plain integers or decimals (a dot, no grouping); the file starts with a UTF-8 byte order mark
so spreadsheet programs read names in any script. Text that a spreadsheet would run as a formula
(starting with = + - @ or a control character) is prefixed with an apostrophe.
"""

import csv
import io
from collections.abc import Iterator
from decimal import Decimal

from reports.ghg.statement import Statement

COLUMNS = [
    "section",
    "name",
    "month",
    "scope",
    "activity",
    "region",
    "value",
    "unit",
    "source",
    "year",
    "licence",
    "detail",
]
KG = "kg CO2e"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_START) else value


def _number(value: int | Decimal | None) -> str:
    if value is None:
        return ""
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def _rows(statement: Statement) -> Iterator[dict[str, str]]:
    year = str(statement.year)

    def row(section: str, name: str, value: str = "", unit: str = "", **extra: str) -> dict[str, str]:
        return {"section": section, "name": name, "value": value, "unit": unit, **extra}

    summary = [
        ("scope1_kg", statement.scope1_kg, KG),
        ("scope2_kg", statement.scope2_kg, f"{KG} (location-based)"),
        ("scope3_kg", statement.scope3_kg, f"{KG} (reported categories)"),
        ("total_kg", statement.total_kg, KG),
        ("retired_kg", statement.retired_kg, KG),
        ("net_kg", statement.net_kg, KG),
        ("energy_total_kwh", statement.energy.total_kwh, "kWh"),
        ("energy_renewable_kwh", statement.energy.renewable_kwh, "kWh"),
        ("energy_non_renewable_kwh", statement.energy.non_renewable_kwh, "kWh"),
        ("per_employee_kg", statement.intensity.per_employee_kg, f"{KG} per employee"),
        ("per_revenue_kg", statement.intensity.per_revenue_kg, statement.intensity.revenue_unit),
    ]
    for name, value, unit in summary:
        yield row("summary", name, _number(value), unit, year=year)
    yield row(
        "summary", "organization", detail=_text(statement.organization.name), region=statement.organization.country
    )
    yield row("summary", "data_as_of", detail=statement.data_as_of.isoformat() if statement.data_as_of else "")
    yield row("summary", "fingerprint", detail=statement.fingerprint)

    for month in statement.monthly:
        label = month.label
        for scope, value in ((1, month.scope1_kg), (2, month.scope2_kg), (3, month.scope3_kg)):
            yield row("month", "emissions_kg", str(value), KG, month=label, scope=str(scope))
        yield row("month", "total_kg", str(month.total_kg), KG, month=label)
        yield row("month", "energy_kwh", str(month.energy_kwh), "kWh", month=label)
        yield row("month", "days_covered", str(month.days_covered), f"of {month.days} days", month=label)

    for activity in statement.by_activity:
        common = {"activity": activity.activity, "scope": str(activity.scope), "detail": activity.label}
        yield row("activity", "emissions_kg", str(activity.emissions_kg), KG, **common)
        yield row("activity", "quantity", _number(activity.quantity), activity.unit, **common)
        if activity.energy_kwh is not None:
            yield row("activity", "energy_kwh", str(activity.energy_kwh), "kWh", **common)

    for carrier in statement.energy.carriers:
        yield row(
            "energy",
            carrier.carrier,
            str(carrier.kwh),
            "kWh",
            detail=f"{carrier.label}; renewable: {carrier.renewable}",
        )

    for factor in statement.factors:
        fallback = "fallback" if factor.fallback else ""
        yield row(
            "factor",
            factor.kind,
            _number(factor.value),
            factor.value_unit,
            activity=factor.activity,
            region=factor.region,
            source=_text(factor.source),
            year=str(factor.year),
            licence=_text(factor.licence),
            detail=_text(" | ".join(part for part in (factor.note, factor.source_url, fallback) if part)),
        )

    for retirement in statement.retirements:
        yield row(
            "retirement",
            retirement.serial,
            str(retirement.quantity_kg),
            KG,
            month=f"{retirement.retired_at:%Y-%m}",
            detail=_text(f"{retirement.retired_at.isoformat()} | {retirement.beneficiary} | {retirement.public_url}"),
        )

    for report in statement.reports:
        yield row(
            "report",
            f"#{report.id}",
            str(report.in_year_kg),
            KG,
            detail=f"{report.period_start} to {report.period_end}; {report.days_in_year} of {report.days} days in "
            f"{statement.year}; report total {report.total_kg} kg",
        )

    for note in statement.notes:
        yield row("note", note.code, unit=note.severity, detail=_text(note.detail))


def statement_csv(statement: Statement) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, restval="", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(_rows(statement))
    return buffer.getvalue()
