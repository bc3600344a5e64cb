import json

from django.core.management.base import BaseCommand, CommandParser

from ledger.services import checkpoint_create
from ledger.tasks import periodic_checkpoint_ensure


class Command(BaseCommand):
    help = (
        "Store a signed Merkle checkpoint over every committed ledger entry now. Checkpoints are otherwise "
        "made by the task worker (manage.py db_worker); --schedule also makes sure its periodic run is queued."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="also queue the periodic checkpoint task unless a run is pending (make run does this at start)",
        )

    def handle(self, *args, schedule: bool = False, **options) -> None:
        checkpoint = checkpoint_create()
        result: dict[str, object] = (
            {"size": 0, "root": None} if checkpoint is None else {"size": checkpoint.size, "root": checkpoint.root_hex}
        )
        if schedule:
            result["periodic"] = periodic_checkpoint_ensure()
        self.stdout.write(json.dumps(result))
