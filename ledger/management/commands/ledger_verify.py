import json
import time
from dataclasses import asdict

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ledger.audit import ledger_verify


def _pin(value: str) -> tuple[int, bytes]:
    number, _, digest = value.partition(":")
    try:
        pin = int(number), bytes.fromhex(digest)
    except ValueError:
        raise CommandError(f"expected NUMBER:HEX, got {value!r}") from None
    if len(pin[1]) != 32:
        raise CommandError("a pinned hash is 64 hex digits")
    return pin


class Command(BaseCommand):
    help = "Re-hash the whole ledger chain (streaming) and check it against the head and checkpoints."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--expect-head", metavar="SEQ:HASH", help="a head (seq and hex hash) pinned elsewhere")
        parser.add_argument(
            "--expect-checkpoint", metavar="SIZE:ROOT", help="a checkpoint (size and hex root) pinned elsewhere"
        )
        parser.add_argument("--chunk-size", type=int, default=None, help="rows per server-side cursor fetch")

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        report = ledger_verify(
            expected_head=_pin(options["expect_head"]) if options["expect_head"] else None,
            expected_checkpoint=_pin(options["expect_checkpoint"]) if options["expect_checkpoint"] else None,
            chunk_size=options["chunk_size"],
        )
        seconds = time.perf_counter() - started
        self.stdout.write(json.dumps({**asdict(report), "seconds": round(seconds, 3)}))
        if not report.ok:
            problems = "; ".join(report.problems)
            raise CommandError(f"ledger verification failed at seq {report.first_bad_seq}: {problems}")
