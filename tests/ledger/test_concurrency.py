"""Real threads against PostgreSQL: the head lock keeps one chain, the block lock prevents oversell."""

import itertools
import threading
from decimal import Decimal

import pytest
from django.db import connection

from ledger import merkle
from ledger.audit import ledger_verify, replay
from ledger.errors import BlockNotFoundError, BlockStatusError, InsufficientCreditsError
from ledger.models import Checkpoint, CreditBlock, LedgerEntry, LedgerHead
from ledger.services import (
    checkpoint_create,
    credits_issue,
    credits_reserve,
    credits_retire,
    credits_trade,
    credits_transfer,
)
from tests.accounts.factories import OrganizationFactory
from tests.projects.factories import ProjectFactory

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def race(workers: int, job) -> list:
    """Run ``job(i)`` in ``workers`` threads released together; return each result or exception."""
    barrier = threading.Barrier(workers)
    results: list = [None] * workers

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = job(i)
        except Exception as error:  # the test inspects what each thread got
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a worker hung"
    return results


def one_block(quantity_kg: int) -> CreditBlock:
    project = ProjectFactory.create()
    return credits_issue(project=project, vintage=2025, quantity_kg=quantity_kg, buffer_share=Decimal(0)).owner_block


def test_concurrent_transfers_from_one_block_never_oversell():
    block = one_block(100)
    receivers = [OrganizationFactory.create() for _ in range(10)]

    results = race(10, lambda i: credits_transfer(sender=block.owner, block=block.pk, quantity_kg=30, to=receivers[i]))

    moved = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(moved) == 3
    assert all(isinstance(r, InsufficientCreditsError) for r in refused), refused
    block.refresh_from_db()
    assert block.quantity_kg == 10
    assert sum(b.quantity_kg for b in CreditBlock.objects.filter(project=block.project)) == 100
    assert LedgerEntry.objects.count() == 1 + 3
    assert replay().ok


def test_concurrent_retirements_of_a_whole_block_retire_it_once():
    block = one_block(50)

    results = race(8, lambda i: credits_retire(owner=block.owner, block=block.pk, quantity_kg=50))

    assert len([r for r in results if not isinstance(r, Exception)]) == 1
    assert all(isinstance(r, BlockStatusError) for r in results if isinstance(r, Exception)), results
    assert LedgerEntry.objects.filter(kind="retire").count() == 1


def test_mixed_retirements_transfers_and_trades_from_one_block_stay_within_it():
    block = one_block(100)
    listed = credits_reserve(owner=block.owner, block=block.pk, quantity_kg=40).block  # 60 stay available
    buyer = OrganizationFactory.create()

    def job(i: int):
        if i % 3 == 0:
            return credits_retire(owner=block.owner, block=block.pk, quantity_kg=20)
        if i % 3 == 1:
            return credits_transfer(sender=block.owner, block=block.pk, quantity_kg=20, to=buyer)
        return credits_trade(seller=block.owner, block=listed.pk, quantity_kg=15, buyer=buyer)

    results = race(9, job)

    ok = [r for r in results if not isinstance(r, Exception)]
    # Once the last 20 kg moved whole, the block is retired or another's: refused as such.
    expected = (InsufficientCreditsError, BlockStatusError, BlockNotFoundError)
    assert all(isinstance(r, expected) for r in results if isinstance(r, Exception)), results
    from_available = sum(r.block.quantity_kg for r in ok if r.entry.kind in {"retire", "transfer"})
    from_listed = sum(r.block.quantity_kg for r in ok if r.entry.kind == "trade")
    assert from_available == 60 and from_listed == 30, "every kilogram that could move did, and no more"
    assert sum(b.quantity_kg for b in CreditBlock.objects.filter(project=block.project)) == 100
    assert replay().ok


def test_many_concurrent_appends_keep_one_gapless_chain():
    workers, rounds = 8, 12
    blocks = [one_block(1_000) for _ in range(workers)]
    shared = ProjectFactory.create()
    others = [OrganizationFactory.create() for _ in range(workers)]
    before = LedgerEntry.objects.count()

    def job(i: int) -> int:
        block, done = blocks[i], 0
        for round_ in range(rounds):
            if i == 0 and round_ % 3 == 0:
                credits_issue(project=shared, vintage=2025, quantity_kg=10)  # issuance races too
            elif round_ % 2:
                credits_retire(owner=block.owner, block=block.pk, quantity_kg=1)
            else:
                credits_transfer(sender=block.owner, block=block.pk, quantity_kg=2, to=others[i])
            done += 1
        return done

    results = race(workers, job)

    assert results == [rounds] * workers, results
    entries = list(LedgerEntry.objects.order_by("seq").values_list("seq", "prev_hash", "hash", "created_at"))
    assert [seq for seq, *_ in entries] == list(range(1, before + workers * rounds + 1)), "no gap"
    assert len({bytes(prev) for _, prev, _, _ in entries}) == len(entries), "no fork"
    assert all(bytes(b[1]) == bytes(a[2]) for a, b in itertools.pairwise(entries)), "each links to the last"
    assert all(a[3] <= b[3] for a, b in itertools.pairwise(entries)), "created_at follows seq"
    head = LedgerHead.objects.get()
    assert (head.seq, bytes(head.hash)) == (entries[-1][0], bytes(entries[-1][2])), "head equals the last entry"
    assert ledger_verify().ok
    assert replay().ok
    issued = sorted(CreditBlock.objects.filter(project=shared).values_list("serial_start", "serial_end"))
    assert issued[0][0] == 1 and issued[-1][1] == 40, "four issues of 10 kg (owner and buffer parts)"
    assert all(a[1] + 1 == b[0] for a, b in itertools.pairwise(issued)), "fresh, contiguous, never overlapping"


def test_checkpoints_taken_while_appending_match_the_entries():
    block = one_block(1_000)
    receiver = OrganizationFactory.create()

    def job(i: int):
        for _ in range(10):
            if i < 2:
                checkpoint_create()
            else:
                credits_transfer(sender=block.owner, block=block.pk, quantity_kg=1, to=receiver)

    results = race(4, job)

    assert results == [None] * 4, results
    checkpoint_create()
    hashes = [merkle.leaf_hash(bytes(h)) for h in LedgerEntry.objects.order_by("seq").values_list("hash", flat=True)]
    for checkpoint in Checkpoint.objects.all():
        assert bytes(checkpoint.root) == merkle.subtree_root(hashes[: checkpoint.size]), checkpoint.size
    assert Checkpoint.objects.latest().size == len(hashes)
    assert ledger_verify().ok
