import json

from django.core.management.base import BaseCommand

from ledger.services import checkpoint_create


class Command(BaseCommand):
    help = "Store a Merkle checkpoint over every committed ledger entry (run it periodically, e.g. from cron)."

    def handle(self, *args, **options) -> None:
        checkpoint = checkpoint_create()
        if checkpoint is None:
            self.stdout.write(json.dumps({"size": 0, "root": None}))
            return
        self.stdout.write(json.dumps({"size": checkpoint.size, "root": checkpoint.root_hex}))
