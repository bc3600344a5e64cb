from django.core.management.base import BaseCommand

from emissions.factors import DATA_FILE, emission_factors_load
from emissions.models import EmissionFactor


class Command(BaseCommand):
    help = (
        "Load emissions/data/emission_factors.csv into an empty or partial factor table (migration 0002 does "
        "this on migrate; use it after `flush`). Existing factors and their versions are never changed."
    )

    def handle(self, *args, **options) -> None:
        inserted = emission_factors_load(model=EmissionFactor)
        self.stdout.write(f"{inserted} emission factors loaded from {DATA_FILE.name}.")
