"""Load verification/data/crediting_factors.csv into CreditingFactor (idempotent: keyed by version)."""

import csv
from decimal import Decimal
from pathlib import Path

CSV_PATH = Path(__file__).resolve().parent.parent / "data" / "crediting_factors.csv"


def load(apps, schema_editor):
    CreditingFactor = apps.get_model("verification", "CreditingFactor")
    with CSV_PATH.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            CreditingFactor.objects.update_or_create(
                family=row["family"],
                activity=row["activity"],
                unit=row["unit"],
                country=row["country"],
                version=row["version"],
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
