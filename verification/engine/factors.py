"""Crediting factors for the calculators, chosen conservatively.

Where several published factors apply (for example IFI 2021 and India's CEA database for the Indian
grid, or UK DESNZ and US EPA for diesel), the calculator asks for the *lowest* on the baseline side,
which credits the fewest tonnes, and the *highest* for project emissions, which charges the most.
"""

import csv
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Literal, Protocol

from verification.engine.types import FactorUsed

Pick = Literal["lowest", "highest"]
CSV_PATH = Path(__file__).resolve().parent.parent / "data" / "crediting_factors.csv"


class FactorProvider(Protocol):
    def pick(self, *, family: str, activity: str, unit: str, country: str, choose: Pick) -> FactorUsed | None: ...


def _choose(candidates: Iterable[FactorUsed], choose: Pick) -> FactorUsed | None:
    rows = list(candidates)
    if not rows:
        return None
    # Ties break on the ref so that the choice never depends on row order.
    if choose == "lowest":
        return min(rows, key=lambda row: (row.value, row.ref))
    return max(rows, key=lambda row: (row.value, row.ref))


def _applies(row: FactorUsed, *, family: str, activity: str, unit: str, country: str) -> bool:
    return row.family == family and row.activity == activity and row.unit == unit and row.country in ("", country)


def factor_ref(*, family: str, activity: str, unit: str, country: str, version: str) -> str:
    return f"{family}:{activity}:{unit}:{country or '*'}:{version}"


def row_to_factor(row: dict[str, str]) -> FactorUsed:
    return FactorUsed(
        ref=factor_ref(
            family=row["family"],
            activity=row["activity"],
            unit=row["unit"],
            country=row["country"],
            version=row["version"],
        ),
        family=row["family"],
        activity=row["activity"],
        unit=row["unit"],
        value=Decimal(row["value"]),
        country=row["country"],
        year=int(row["year"]),
        version=row["version"],
        source=row["source"],
        source_url=row["source_url"],
        licence=row["licence"],
        quality=row.get("quality", ""),
        note=row.get("note", ""),
    )


def load_csv_factors(path: Path = CSV_PATH) -> list[FactorUsed]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [row_to_factor(row) for row in csv.DictReader(handle)]


class ListFactorProvider:
    """Factors from a list: the CSV for training data, the stored rows for a replay."""

    def __init__(self, factors: Iterable[FactorUsed]) -> None:
        self.factors = list(factors)

    def pick(self, *, family: str, activity: str, unit: str, country: str, choose: Pick) -> FactorUsed | None:
        rows = (r for r in self.factors if _applies(r, family=family, activity=activity, unit=unit, country=country))
        return _choose(rows, choose)


class DatabaseFactorProvider:
    """The active rows of :class:`verification.models.CreditingFactor`."""

    def pick(self, *, family: str, activity: str, unit: str, country: str, choose: Pick) -> FactorUsed | None:
        from django.db.models import Q

        from verification.models import CreditingFactor

        rows = CreditingFactor.objects.filter(
            Q(country="") | Q(country=country), family=family, activity=activity, unit=unit, active=True
        )
        return _choose(
            (
                FactorUsed(
                    ref=row.ref,
                    family=row.family,
                    activity=row.activity,
                    unit=row.unit,
                    value=row.value,
                    country=row.country,
                    year=row.year,
                    version=row.version,
                    source=row.source,
                    source_url=row.source_url,
                    licence=row.licence,
                    quality=row.quality,
                    note=row.note,
                )
                for row in rows
            ),
            choose,
        )
