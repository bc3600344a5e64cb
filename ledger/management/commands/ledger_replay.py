import json
from dataclasses import asdict

from django.core.management.base import BaseCommand, CommandError

from ledger.audit import replay


class Command(BaseCommand):
    help = "Rebuild every credit block from the ledger entries alone and report differences from the tables."

    def handle(self, *args, **options) -> None:
        report = replay()
        self.stdout.write(json.dumps(asdict(report)))
        if not report.ok:
            raise CommandError(f"replay found {len(report.differences)} difference(s)")
