"""Benchmark data at realistic volumes, generated into a database whose name contains "bench".

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cc_market_bench .venv/bin/python bench/data.py \
        --listings 100000 --sellers 2000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cc_ledger_bench .venv/bin/python bench/data.py \
        --entries 1000000

The database is dropped and recreated, migrated, and filled; bench/marketplace_bench.py and
bench/ledger_bench.py call the same functions (or reuse such a database with ``--reuse-db``).

- **Marketplace** (``seed_listings``): ``--sellers`` organisations, each with a project (category,
  country and vintage spread over the sets below) and one issued block, from which the open listings
  are reserved. Every listing is reserved by the ledger's own ``ledger_move`` function — the call
  ``credits_reserve`` makes on PostgreSQL, appending a real ``list`` entry to the hash chain — from
  one ``INSERT ... SELECT`` over ``generate_series`` per batch, which writes the listing row
  ``listing_create`` would write. Only the Python round trips are skipped: blocks, ledger and
  listings stay consistent, and ``ledger_verify`` and ``replay`` pass over the result.
- **Ledger** (``fill_ledger``): entries appended with ``COPY``, their canonical text and SHA-256
  links computed here by ``ledger.hashing`` — the bytes ``ledger_append`` would write (the
  benchmark's ``ledger_verify`` run checks every one). They repeat one real entry's body at new
  timestamps, with no parties or ranges, so they exercise the hash chain and its verification, not
  ``replay`` (which would refuse the repeated movement): keep them out of a marketplace database.
"""

import argparse
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
SEED_BATCH = 50

SEED_SQL = """
INSERT INTO marketplace_listing (
    seller_id, block_id, source_block_id, project_id, category, country, vintage,
    quantity_kg, quantity_sold_kg, quantity_available_kg, price_per_tonne, currency, status,
    ledger_entry_id, created_at, closed_at)
SELECT %(seller)s, moved.o_moved_id, %(block)s, %(project)s, %(category)s, %(country)s, %(vintage)s,
    moved.o_quantity, 0, moved.o_quantity, round((2 + random() * 58)::numeric, 2), 'USD', 'open',
    moved.o_seq, clock_timestamp(), NULL
FROM generate_series(1, %(count)s) AS g
CROSS JOIN LATERAL ledger_move('list', %(seller)s, %(block)s, 100 + (g %% 50) * 20, 'available', 'listed',
                               %(seller)s, '{}') AS moved
"""


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed_listings(count: int, *, sellers: int = SELLERS) -> float:
    """``count`` open listings from ``sellers`` organisations, each with its own project, prices
    2.00-60.00 USD/t (the same every run). Returns the seconds it took."""
    from decimal import Decimal

    from django.db import connection, transaction

    from accounts.models import Organization
    from ledger.services import credits_issue
    from marketplace.services import open_listing_counts_rebuild
    from projects.models import Project

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.42)")
    per_seller, extra = divmod(count, sellers)
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
        remaining = per_seller + (1 if i < extra else 0)
        while remaining > 0:
            # Batches of 50: one statement re-locks and shrinks the same block row each call, and
            # hundreds of versions of one row in one transaction make every later lookup walk them.
            batch = min(SEED_BATCH, remaining)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO off")  # the seed's durability is not measured
                cursor.execute(
                    SEED_SQL,
                    {
                        "seller": seller.pk,
                        "block": block.pk,
                        "project": project.pk,
                        "category": project.category,
                        "country": str(project.country),
                        "vintage": vintage,
                        "count": batch,
                    },
                )
            remaining -= batch
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
