"""The factor table: loading it from the CSV the project carries, and choosing a factor for a line.

Which factor a line gets, in order (the first that exists for the line's unit wins):

1. the line's region (default: the organisation's country), e.g. GB, US-CAMX, IN;
2. for a grid sub-region (US-CAMX, AU-VIC), its country;
3. electricity only: the EU-27 average for an EU member state, else the world average, both
   labelled FALLBACK, and verify-emissions reports `electricity_unknown_grid`;
   other activities: the documented default set, UK DESNZ 2025 (fuel combustion chemistry and
   travel factors vary far less between countries than grids do), labelled as a default.
   Grid losses have no default: another country's loss factor would mislead, so it is a 400.

GB uses UK DESNZ 2025, US uses US EPA Hub 2025 (eGRID2023 for the grid), India the CEA inventory
average, Australia the NGA Factors 2024; other countries in the file have an Ember lifecycle grid
intensity that is itself a labelled fallback (the reference marks it "use only as fallback").
"""

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django_countries import countries

from emissions.activities import Activity

DATA_FILE = Path(__file__).resolve().parent / "data" / "emission_factors.csv"

EU_AVERAGE = "EU"
WORLD_AVERAGE = "WORLD"
# Council of the EU membership since 2020; decides which grid average stands in for an unknown grid.
EU_MEMBERS = frozenset(
    {"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE"}
    | {"IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"}
)
# Spellings people use for a region that the factor table files under another code.
REGION_ALIASES = {"UK": "GB", "AU-ACT": "AU-NSW"}

# Kept in step with EmissionLine.FactorMatch (models import this module's callers, not the reverse).
MATCH_REGION, MATCH_COUNTRY, MATCH_DEFAULT, MATCH_GRID_AVERAGE = "region", "country", "default", "grid_average"


def factor_rows(path: Path = DATA_FILE) -> list[dict[str, Any]]:
    """The CSV as EmissionFactor field values; numbers parsed from their text, never via float."""
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            {
                "activity": row["activity"],
                "region": row["region"],
                "unit": row["unit"],
                "value": Decimal(row["kg_co2e_per_unit"]),
                "year": int(row["year"]),
                "source": row["source"],
                "source_url": row["source_url"],
                "licence": row["licence"],
                "region_name": row["region_name"],
                "source_activity": row["source_activity"],
                "source_unit": row["source_unit"],
                "caveat": row["caveat"],
                "is_fallback": row["fallback"] == "true",
            }
            for row in csv.DictReader(handle)
        ]


def emission_factors_load(*, model: Any, path: Path = DATA_FILE) -> int:
    """Insert each CSV row whose (activity, region, unit) has no row yet, as version 1. Safe to
    re-run; never touches existing rows or their versions. ``model`` is the EmissionFactor class
    (the historical one inside a migration). Returns how many rows were inserted."""
    existing = set(model.objects.values_list("activity", "region", "unit"))
    new = [model(**row) for row in factor_rows(path) if (row["activity"], row["region"], row["unit"]) not in existing]
    model.objects.bulk_create(new)
    return len(new)


@dataclass(frozen=True)
class ResolvedFactor:
    factor: Any  # EmissionFactor
    match: str
    label: str

    @property
    def fallback(self) -> bool:
        return self.factor.is_fallback or self.match in (MATCH_DEFAULT, MATCH_GRID_AVERAGE)


class FactorTable:
    """The current factors, read once per report (the whole table is a few hundred rows at most)."""

    def __init__(self, factors: Iterable[Any]) -> None:
        self._factors = {(f.activity, f.region, f.unit): f for f in factors}
        self._regions = {f.region for f in self._factors.values()}

    def region(self, raw: str) -> str | None:
        """The region code for what a user typed, or None if it is neither an ISO 3166-1 alpha-2
        country nor a grid sub-region in the table (EU and WORLD are fallbacks, not locations)."""
        code = raw.strip().upper()
        code = REGION_ALIASES.get(code, code)
        if "-" in code:
            return code if code in self._regions else None
        return code if code and countries.alpha2(code) == code else None

    def resolve(self, activity: Activity, factor_unit: str, region: str) -> ResolvedFactor | None:
        for candidate, match in self._candidates(activity, region):
            factor = self._factors.get((activity.key, candidate, factor_unit))
            if factor is not None:
                return ResolvedFactor(factor, match, _label(activity, region, factor, match))
        return None

    def regions_with(self, activity: Activity) -> list[str]:
        return sorted({region for key, region, _ in self._factors if key == activity.key})

    @staticmethod
    def _candidates(activity: Activity, region: str) -> list[tuple[str, str]]:
        country = region.split("-")[0]
        chain = [(region, MATCH_REGION)]
        if country != region:
            chain.append((country, MATCH_COUNTRY))
        if activity.grid:
            if country in EU_MEMBERS:
                chain.append((EU_AVERAGE, MATCH_GRID_AVERAGE))
            chain.append((WORLD_AVERAGE, MATCH_GRID_AVERAGE))
        elif activity.default_region and activity.default_region != country:
            chain.append((activity.default_region, MATCH_DEFAULT))
        return chain


def _label(activity: Activity, region: str, factor: Any, match: str) -> str:
    name = factor.region_name or factor.region
    why = {
        MATCH_REGION: f"Factor for {name}, {factor.year}.",
        MATCH_COUNTRY: f"No factor for {region} is loaded; the {factor.region} factor ({factor.year}) is used.",
        MATCH_DEFAULT: (
            f"No {activity.key} factor for {region} is loaded; the documented default set "
            f"({factor.region}, {factor.year}) is used."
        ),
        MATCH_GRID_AVERAGE: (
            f"FALLBACK: the grid of {region} is not in the factor table; the {name} average ({factor.year}) is used."
        ),
    }[match]
    return f"{why} {factor.caveat}".strip()
