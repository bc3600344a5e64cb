from django.core.management.base import BaseCommand

from carboncred.reference import reference_data_load


class Command(BaseCommand):
    help = "Load the emission and crediting factor tables (and the verifiers group) where they are empty."

    def handle(self, *args, **options) -> None:
        loaded = reference_data_load()
        self.stdout.write(", ".join(f"{name}: {count} rows loaded" for name, count in loaded.items()))
