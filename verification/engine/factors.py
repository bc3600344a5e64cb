"""Crediting factors for the calculators, chosen by vintage and region, then conservatively.

1. **Vintage.** Rows of one publication series (the version's first word: ``ifi``, ``cea``, ``egrid``,
   ``desnz``...) are editions of one figure: the claim takes the edition of its vintage year (the
   latest edition published for a year at or before it), not the latest for every year. A vintage
   older than the first edition takes the first (labelled in the factor's note).
2. **Region.** National rows apply to the whole country; sub-national rows (``region``, e.g. an eGRID
   subregion ``US-CAMX``) apply when the site may lie in that region (``engine.regions``).
3. **Conservative.** Where several series or regions remain (IFI 2021 and India's CEA database; the
   national combined margin and a subregion's rate; UK DESNZ and US EPA for diesel), the calculator
   asks for the *lowest* on the baseline side, which credits the fewest tonnes, and the *highest* for
   project emissions, which charges the most. A regional factor can therefore lower a claim's credits,
   never raise them above the national figure.
"""

import csv
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Literal, Protocol

from verification.engine.types import FactorUsed

Pick = Literal["lowest", "highest"]
CSV_PATH = Path(__file__).resolve().parent.parent / "data" / "crediting_factors.csv"
REGIONAL_CSV_PATH = Path(__file__).resolve().parent.parent / "data" / "crediting_factors_regional.csv"


class FactorProvider(Protocol):
    def pick(
        self,
        *,
        family: str,
        activity: str,
        unit: str,
        country: str,
        choose: Pick,
        year: int | None = None,
        regions: tuple[str, ...] = (),
    ) -> FactorUsed | None: ...


def series_of(row: FactorUsed) -> str:
    """The publication series a row is an edition of (its version's first word, and its region)."""
    return f"{row.version.split('-')[0]}:{row.region}"


def for_vintage(rows: Iterable[FactorUsed], year: int | None) -> list[FactorUsed]:
    """Per series, the edition for ``year``: the latest at or before it, else the earliest."""
    by_series: dict[str, list[FactorUsed]] = {}
    for row in rows:
        by_series.setdefault(series_of(row), []).append(row)
    if year is None:
        return [row for editions in by_series.values() for row in editions]
    chosen: list[FactorUsed] = []
    for editions in by_series.values():
        earlier = [row for row in editions if row.year <= year]
        if earlier:
            latest = max(row.year for row in earlier)
            chosen.extend(row for row in earlier if row.year == latest)
        else:
            first = min(row.year for row in editions)
            chosen.extend(row for row in editions if row.year == first)
    return chosen


def _choose(candidates: Iterable[FactorUsed], choose: Pick, year: int | None = None) -> FactorUsed | None:
    rows = for_vintage(candidates, year)
    if not rows:
        return None
    # Ties break on the ref so that the choice never depends on row order.
    if choose == "lowest":
        return min(rows, key=lambda row: (row.value, row.ref))
    return max(rows, key=lambda row: (row.value, row.ref))


def _applies(
    row: FactorUsed, *, family: str, activity: str, unit: str, country: str, regions: tuple[str, ...] = ()
) -> bool:
    return (
        row.family == family
        and row.activity == activity
        and row.unit == unit
        and row.country in ("", country)
        and (not row.region or row.region in regions)
    )


def factor_ref(*, family: str, activity: str, unit: str, country: str, version: str, region: str = "") -> str:
    where = f"{country or '*'}/{region}" if region else (country or "*")
    return f"{family}:{activity}:{unit}:{where}:{version}"


def row_to_factor(row: dict[str, str]) -> FactorUsed:
    return FactorUsed(
        ref=factor_ref(
            family=row["family"],
            activity=row["activity"],
            unit=row["unit"],
            country=row["country"],
            version=row["version"],
            region=row.get("region", ""),
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
        region=row.get("region", ""),
    )


def load_csv_factors(path: Path = CSV_PATH, regional: Path | None = REGIONAL_CSV_PATH) -> list[FactorUsed]:
    rows: list[FactorUsed] = []
    for each in (path, regional):
        if each is None:
            continue
        with each.open(newline="", encoding="utf-8") as handle:
            rows.extend(row_to_factor(row) for row in csv.DictReader(handle))
    return rows


class ListFactorProvider:
    """Factors from a list: the CSV for training data, the stored rows for a replay."""

    def __init__(self, factors: Iterable[FactorUsed]) -> None:
        self.factors = list(factors)

    def pick(
        self,
        *,
        family: str,
        activity: str,
        unit: str,
        country: str,
        choose: Pick,
        year: int | None = None,
        regions: tuple[str, ...] = (),
    ) -> FactorUsed | None:
        rows = (
            r
            for r in self.factors
            if _applies(r, family=family, activity=activity, unit=unit, country=country, regions=regions)
        )
        return _choose(rows, choose, year)


class DatabaseFactorProvider:
    """The active rows of :class:`verification.models.CreditingFactor`."""

    def pick(
        self,
        *,
        family: str,
        activity: str,
        unit: str,
        country: str,
        choose: Pick,
        year: int | None = None,
        regions: tuple[str, ...] = (),
    ) -> FactorUsed | None:
        from django.db.models import Q

        from verification.models import CreditingFactor

        rows = CreditingFactor.objects.filter(
            Q(country="") | Q(country=country),
            Q(region="") | Q(region__in=list(regions)),
            family=family,
            activity=activity,
            unit=unit,
            active=True,
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
                    region=row.region,
                )
                for row in rows
            ),
            choose,
            year,
        )
