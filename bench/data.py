"""Benchmark data at realistic volumes, generated into a database whose name contains "bench".

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cc_market_bench .venv/bin/python bench/data.py \
        --listings 100000 --sellers 2000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cc_ledger_bench .venv/bin/python bench/data.py \
        --entries 1000000

The database is dropped and recreated, migrated, and filled; bench/marketplace_bench.py and
bench/ledger_bench.py call the same functions (or reuse such a database with ``--reuse-db``).

- **Marketplace** (``seed_listings``): ``--sellers`` organisations, each with a project (category,
  country and vintage spread over the sets below) and one issued block, from which the open listings
  are reserved. Every listing's ``list`` entry is built by the ledger's own Python code
  (``ledger.entries``, ``ledger.hashing``) — the bytes ``credits_reserve`` would append — and written
  with ``COPY``, with the child blocks and listing rows ``listing_create`` would write. Only the
  round trips are skipped: blocks, ledger and listings stay consistent, and ``ledger_verify`` and
  ``replay`` pass over the result.
- **Ledger** (``fill_ledger``): entries appended with ``COPY``, their canonical text and SHA-256
  links computed here by ``ledger.hashing`` — the bytes ``ledger_append`` would write (the
  benchmark's ``ledger_verify`` run checks every one). They repeat one real entry's body at new
  timestamps, with no parties or ranges, so they exercise the hash chain and its verification, not
  ``replay`` (which would refuse the repeated movement): keep them out of a marketplace database.
"""

import argparse
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import common

CATEGORIES = ("solar", "energy_efficiency", "recycling", "fuel_switch")
COUNTRIES = ("IN", "GB", "DE", "US", "KE", "BR", "VN", "ID", "MX", "ZA", "FR", "ES")
VINTAGES = tuple(range(2018, 2026))
SELLERS = 2000


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed_listings(count: int, *, sellers: int = SELLERS) -> float:
    """``count`` open listings from ``sellers`` organisations, each with its own project, prices
    2.00-60.00 USD/t (the same every run). Returns the seconds it took.

    Each seller's block is issued through ``credits_issue``. The listings' ``list`` entries are then
    built here exactly as ``credits_reserve`` builds them — ``ledger.entries.movement_payload`` for
    the body, ``ledger.hashing`` for the canonical text and the hash — and written with ``COPY`` in
    one transaction that holds the ledger head lock, with the child blocks, the entries' index rows
    and the listing rows ``listing_create`` would write. ``ledger_verify`` and ``replay`` pass.
    """
    from decimal import Decimal

    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import Organization
    from ledger.entries import movement_payload
    from ledger.hashing import entry_body, entry_canonical, entry_hash, format_timestamp
    from ledger.models import BlockStatus, CreditBlock, EntryKind, LedgerHead
    from ledger.services import credits_issue
    from marketplace.services import open_listing_counts_rebuild
    from projects.models import Project

    started = time.perf_counter()
    prices = random.Random(42)
    per_seller, extra = divmod(count, sellers)
    issued: list[tuple[Organization, Project, CreditBlock, int]] = []
    for i in range(sellers):
        seller = Organization.objects.create(name=f"Seller {i:04d} Ltd", country=COUNTRIES[i % len(COUNTRIES)])
        project = Project.objects.create(
            owner=seller,
            title=f"Project {i:04d}",
            category=CATEGORIES[i % len(CATEGORIES)],
            country=COUNTRIES[(i // len(CATEGORIES)) % len(COUNTRIES)],
            start_date="2018-01-01",
        )
        vintage = VINTAGES[i % len(VINTAGES)]
        block = credits_issue(project=project, vintage=vintage, quantity_kg=10**9, buffer_share=Decimal(0)).owner_block
        issued.append((seller, project, block, per_seller + (1 if i < extra else 0)))

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO off")  # the seed's durability is not measured
        head = LedgerHead.objects.select_for_update().get(pk=1)
        seq, prev_hash = head.seq, bytes(head.hash)
        moment = max(timezone.now(), head.created_at or timezone.now())
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('ledger_creditblock', 'id')) FROM generate_series(1, %s)", [count]
        )
        block_ids = iter(row[0] for row in cursor.fetchall())
        blocks, entries, parties, ranges, listings = [], [], [], [], []
        for seller, project, source, listings_left in issued:
            for g in range(1, listings_left + 1):
                quantity = 100 + (g % 50) * 20
                source.serial_end -= quantity
                child = CreditBlock(
                    pk=next(block_ids),
                    project_id=project.pk,
                    vintage=source.vintage,
                    serial_start=source.serial_end + 1,
                    serial_end=source.serial_end + quantity,
                    owner_id=seller.pk,
                    status=BlockStatus.LISTED,
                    parent_id=source.pk,
                    created_at=moment,
                )
                payload = movement_payload(
                    quantity_kg=quantity, actor_id=seller.pk, receiver_id=seller.pk, source=source, moved=child, memo={}
                )
                seq += 1
                moment += timedelta(microseconds=1)
                canonical = entry_canonical(
                    created_at=format_timestamp(moment), body=entry_body(kind=EntryKind.LIST, payload=payload)
                )
                digest = entry_hash(seq=seq, prev_hash=prev_hash, canonical=canonical)
                entries.append((seq, EntryKind.LIST.value, canonical.decode(), prev_hash, digest, moment))
                prev_hash = digest
                blocks.append((child.pk, project.pk, child.vintage, child.serial_start, child.serial_end, seller.pk,
                               child.status, source.pk, moment))  # fmt: skip
                parties.append((seq, seller.pk))
                ranges.append((seq, child.pk, project.pk, child.vintage, child.serial_start, child.serial_end))
                price = Decimal(prices.randint(200, 6000)) / 100
                listings.append((seller.pk, child.pk, source.pk, project.pk, project.category, str(project.country),
                                 child.vintage, quantity, 0, quantity, price, "USD", "open", seq, moment))  # fmt: skip
            # The source shrinks before its children exist: the ranges never overlap, even briefly.
            CreditBlock.objects.filter(pk=source.pk).update(serial_end=source.serial_end)
        copies = (
            ("ledger_creditblock (id, project_id, vintage, serial_start, serial_end, owner_id, status, parent_id, "
             "created_at)", blocks),
            ("ledger_ledgerentry (seq, kind, canonical, prev_hash, hash, created_at)", entries),
            ("ledger_ledgerentryparty (entry_id, organization_id)", parties),
            ("ledger_ledgerentryrange (entry_id, block_id, project_id, vintage, serial_start, serial_end)", ranges),
            ("marketplace_listing (seller_id, block_id, source_block_id, project_id, category, country, vintage, "
             "quantity_kg, quantity_sold_kg, quantity_available_kg, price_per_tonne, currency, status, "
             "ledger_entry_id, created_at)", listings),
        )  # fmt: skip
        for table, rows in copies:
            with cursor.cursor.copy(f"COPY {table} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        LedgerHead.objects.filter(pk=1).update(seq=seq, hash=prev_hash, created_at=moment)
    open_listing_counts_rebuild()  # the seed wrote listing rows directly, so it counts them once
    vacuum_analyze()
    return time.perf_counter() - started


def sample_body(kind: str) -> bytes:
    """A real entry's body (the latest of ``kind``): its canonical text without ``created_at``."""
    from ledger.models import LedgerEntry

    canonical = LedgerEntry.objects.filter(kind=kind).order_by("-seq").values_list("canonical", flat=True)[0]
    return ("{" + canonical.split('",', 1)[1]).encode()


def fill_ledger(rows: int, *, kind: str, body: bytes) -> float:
    """Append ``rows`` entries of ``kind`` with ``body`` after the ledger's head, in one transaction
    that holds the head lock. Returns the seconds it took."""
    from django.db import connection, transaction
    from django.utils import timezone

    from ledger.hashing import entry_canonical, entry_hash, format_timestamp
    from ledger.models import LedgerHead

    started = time.perf_counter()
    with transaction.atomic():
        head = LedgerHead.objects.select_for_update().get(pk=1)
        seq, prev_hash = head.seq, bytes(head.hash)
        now = timezone.now()
        first = max(now, head.created_at) if head.created_at is not None else now
        created_at = first
        copy_sql = "COPY ledger_ledgerentry (seq, kind, canonical, prev_hash, hash, created_at) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
            for i in range(rows):
                seq += 1
                created_at = first + timedelta(microseconds=i)
                canonical = entry_canonical(created_at=format_timestamp(created_at), body=body)
                digest = entry_hash(seq=seq, prev_hash=prev_hash, canonical=canonical)
                copy.write_row((seq, kind, canonical.decode(), prev_hash, digest, created_at))
                prev_hash = digest
        LedgerHead.objects.filter(pk=1).update(seq=seq, hash=prev_hash, created_at=created_at)
    vacuum_analyze()
    return time.perf_counter() - started


def vacuum_analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def seed_transfer(*, quantity_kg: int = 10**7) -> tuple[int, int, int]:
    """A sender with an issued block and a receiver, one real transfer between them (so the ledger
    holds a ``transfer`` body to repeat). Returns ``(block id, sender id, receiver id)``."""
    from decimal import Decimal

    from accounts.models import Organization
    from ledger.services import credits_issue, credits_transfer
    from projects.models import Project

    sender = Organization.objects.create(name="Bench transfer sender", country="GB")
    receiver = Organization.objects.create(name="Bench transfer receiver", country="GB")
    project = Project.objects.create(
        owner=sender, title="Bench transfers", category="solar", country="GB", start_date="2025-01-01"
    )
    block = credits_issue(project=project, vintage=2025, quantity_kg=quantity_kg, buffer_share=Decimal(0)).owner_block
    credits_transfer(sender=sender, block=block.pk, quantity_kg=1, to=receiver)
    return block.pk, sender.pk, receiver.pk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listings", type=int, default=0, help="open listings to seed (marketplace data)")
    parser.add_argument("--sellers", type=int, default=SELLERS, help="organisations the listings come from")
    parser.add_argument("--entries", type=int, default=0, help="ledger entries to reach (ledger data)")
    options = parser.parse_args()
    if options.listings and options.entries:
        sys.exit("Marketplace data and filler ledger entries go into separate databases (see --help).")
    url = common.database_url()
    common.recreate_database(url)
    common.django_setup()
    migrate()
    if options.listings:
        seconds = seed_listings(options.listings, sellers=options.sellers)
        print(f"{options.listings:,} open listings from {options.sellers:,} sellers in {seconds:.0f} s")
    if options.entries:
        from ledger.models import LedgerEntry

        seed_transfer()
        missing = options.entries - LedgerEntry.objects.count()
        seconds = fill_ledger(missing, kind="transfer", body=sample_body("transfer"))
        print(f"{LedgerEntry.objects.count():,} ledger entries ({missing:,} appended in {seconds:.0f} s)")


if __name__ == "__main__":
    main()
