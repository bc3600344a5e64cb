import json
from dataclasses import asdict

from django.core.management.base import BaseCommand, CommandError

from ledger.audit import conservation


class Command(BaseCommand):
    help = (
        "Check that no kilogram was created or lost: for every project and vintage, issued - cancelled = "
        "held + retired, and the credit blocks (cancelled ones too) tile exactly the serials issued."
    )

    def handle(self, *args, **options) -> None:
        report = conservation()
        self.stdout.write(json.dumps(asdict(report)))
        if not report.ok:
            raise CommandError(f"conservation found {len(report.differences)} difference(s): {report.differences[0]}")
