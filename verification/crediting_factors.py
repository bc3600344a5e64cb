"""Loading the crediting factors the project carries (verification/data/crediting_factors.csv).

Rows are versioned: ``crediting_factors_load`` inserts or refreshes each (family, activity, unit,
country, version), so loading twice changes nothing. The migration that first filled the table and
``reference_data_load`` both call it, with the historical model and the live one respectively.
"""

import csv
from decimal import Decimal
from pathlib import Path
from typing import Any

CSV_PATH = Path(__file__).resolve().parent / "data" / "crediting_factors.csv"
# Sub-national grid factors (a ``region`` column), loaded from migration 0007 on, when the column exists.
REGIONAL_CSV_PATH = Path(__file__).resolve().parent / "data" / "crediting_factors_regional.csv"


def crediting_factors_load(*, model: Any, path: Path = CSV_PATH) -> int:
    """Load every row of the CSV into ``model`` (CreditingFactor); returns the number of rows read."""
    rows = 0
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            where = {"region": row["region"]} if "region" in row else {}
            model.objects.update_or_create(
                family=row["family"],
                activity=row["activity"],
                unit=row["unit"],
                country=row["country"],
                version=row["version"],
                **where,
                defaults={
                    "value": Decimal(row["value"]),
                    "year": int(row["year"]),
                    "source": row["source"],
                    "source_url": row["source_url"],
                    "licence": row["licence"],
                    "quality": row["quality"],
                    "note": row["note"],
                    "active": True,
                },
            )
            rows += 1
    return rows
