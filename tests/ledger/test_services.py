import itertools
import json
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.models import Organization, buffer_pool
from core.errors import DomainError
from ledger.errors import (
    BlockNotFoundError,
    BlockStatusError,
    InsufficientCreditsError,
    InvalidMovementError,
    InvalidQuantityError,
    SelfDealingError,
)
from ledger.models import CreditBlock, LedgerEntry, LedgerHead
from ledger.selectors import entries_for_organization, holdings_totals_for
from ledger.services import (
    credits_issue,
    credits_release,
    credits_reserve,
    credits_retire,
    credits_trade,
    credits_transfer,
)
from tests.accounts.factories import OrganizationFactory
from tests.ledger.factories import issue
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def test_issue_gives_the_owner_the_rest_and_the_buffer_pool_its_share_rounded_up():
    project = ProjectFactory.create(country="IN")

    issuance = credits_issue(project=project, vintage=2025, quantity_kg=1001, memo={"claim": "7"})

    owner, pool = issuance.owner_block, issuance.buffer_block
    assert pool is not None
    assert (owner.serial_start, owner.serial_end, owner.owner, owner.status) == (1, 900, project.owner, "available")
    assert (pool.serial_start, pool.serial_end, pool.owner) == (901, 1001, buffer_pool())
    assert pool.quantity_kg == 101, "ceil(1001 x 0.10)"
    assert owner.serial == f"CC-IN-{project.pk:06d}-2025-1-900"
    entry = issuance.entry
    assert entry.kind == "issue" and entry.seq == 1
    assert entry.payload["memo"] == {"claim": "7"}
    assert entry.payload["quantity_kg"] == 1001 and entry.payload["buffer_kg"] == 101
    assert [b["id"] for b in entry.payload["blocks"]] == [str(owner.pk), str(pool.pk)]
    assert LedgerEntry.objects.get(seq=1).canonical == entry.canonical


def test_issue_allocates_a_fresh_range_per_project_and_vintage():
    project = ProjectFactory.create()

    first = credits_issue(project=project, vintage=2025, quantity_kg=100)
    second = credits_issue(project=project, vintage=2025, quantity_kg=50, buffer_share=Decimal(0))
    other_vintage = credits_issue(project=project, vintage=2024, quantity_kg=10, buffer_share=Decimal(0))

    assert first.buffer_block is not None
    assert (first.buffer_block.serial_end, second.owner_block.serial_start) == (100, 101)
    assert second.buffer_block is None
    assert other_vintage.owner_block.serial_start == 1
    assert [e.kind for e in LedgerEntry.objects.all()] == ["issue"] * 3


def test_default_buffer_share_comes_from_settings(settings):
    settings.CREDIT_BUFFER_SHARE = Decimal("0.25")

    issuance = credits_issue(project=ProjectFactory.create(), vintage=2025, quantity_kg=10)

    assert issuance.buffer_block is not None
    assert (issuance.owner_block.quantity_kg, issuance.buffer_block.quantity_kg) == (7, 3)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"quantity_kg": 0}, InvalidQuantityError),
        ({"quantity_kg": -5}, InvalidQuantityError),
        ({"quantity_kg": 1.5}, InvalidQuantityError),
        ({"quantity_kg": True}, InvalidQuantityError),
        ({"quantity_kg": 1}, InvalidQuantityError),  # the buffer takes the only kilogram
        ({"vintage": 1800}, InvalidMovementError),
        ({"buffer_share": Decimal(1)}, InvalidMovementError),
        ({"buffer_share": 0.1}, InvalidMovementError),
        ({"memo": {"claim": 7}}, InvalidMovementError),
        ({"memo": {"x": "y" * 1001}}, InvalidMovementError),
    ],
)
def test_issue_refuses_bad_input_with_a_400_and_writes_nothing(kwargs, error):
    project = ProjectFactory.create()
    args = {"project": project, "vintage": 2025, "quantity_kg": 100, **kwargs}

    with pytest.raises(error) as raised:
        credits_issue(**args)

    assert raised.value.status_code == 400
    assert not CreditBlock.objects.exists()
    assert not LedgerEntry.objects.exists()


def test_partial_transfer_splits_keeping_the_original_block_and_id():
    issuance = issue(quantity_kg=1000)
    block, sender, receiver = issuance.owner_block, issuance.owner_block.owner, OrganizationFactory.create()

    movement = credits_transfer(sender=sender, block=block.pk, quantity_kg=300, to=receiver, memo={"order": "12"})

    source, child = movement.source, movement.block
    assert source.pk == block.pk and source.owner == sender and source.status == "available"
    assert (source.serial_start, source.serial_end) == (1, 600)
    assert (child.serial_start, child.serial_end, child.owner, child.parent_id) == (601, 900, receiver, block.pk)
    assert movement.entry.kind == "transfer"
    assert movement.entry.payload["memo"] == {"order": "12"}
    assert movement.entry.payload["from"] == str(sender.pk) and movement.entry.payload["to"] == str(receiver.pk)
    stored = CreditBlock.objects.get(pk=block.pk)
    assert (stored.serial_start, stored.serial_end) == (1, 600)


def test_moving_the_whole_block_hands_it_over_without_a_split():
    issuance = issue(quantity_kg=100)
    block = issuance.owner_block

    movement = credits_transfer(sender=block.owner, block=block.pk, quantity_kg=90, to=OrganizationFactory.create())

    assert movement.block is movement.source
    assert movement.block.pk == block.pk
    assert CreditBlock.objects.filter(parent=block).count() == 0


def test_another_organisations_block_is_not_found():
    block = issue().owner_block
    stranger = OrganizationFactory.create()

    with pytest.raises(BlockNotFoundError) as raised:
        credits_transfer(sender=stranger, block=block.pk, quantity_kg=1, to=OrganizationFactory.create())

    assert raised.value.status_code == 404
    with pytest.raises(BlockNotFoundError):
        credits_retire(owner=block.owner, block=999_999, quantity_kg=1)
    bad_ids: list[Any] = ["1", None, 2**64, -1, True]  # deliberately not block ids
    for bad_id in bad_ids:
        with pytest.raises(BlockNotFoundError):
            credits_retire(owner=block.owner, block=bad_id, quantity_kg=1)


def test_over_quantity_is_a_409_that_says_how_much_there_is():
    block = issue(quantity_kg=100).owner_block

    with pytest.raises(InsufficientCreditsError) as raised:
        credits_retire(owner=block.owner, block=block.pk, quantity_kg=91)

    error = raised.value
    assert (error.status_code, error.code) == (409, "insufficient_credits")
    assert error.extra == {"available_kg": 90, "requested_kg": 91}
    assert LedgerEntry.objects.count() == 1, "nothing appended"


def test_a_retired_block_can_never_move_again():
    block = issue(quantity_kg=100).owner_block
    credits_retire(owner=block.owner, block=block.pk, quantity_kg=90, memo={"beneficiary": "ACME"})

    for attempt in (
        lambda: credits_retire(owner=block.owner, block=block.pk, quantity_kg=1),
        lambda: credits_transfer(sender=block.owner, block=block.pk, quantity_kg=1, to=OrganizationFactory.create()),
        lambda: credits_reserve(owner=block.owner, block=block.pk, quantity_kg=1),
        lambda: credits_release(owner=block.owner, block=block.pk),
    ):
        with pytest.raises(BlockStatusError) as raised:
            attempt()
        assert (raised.value.status_code, raised.value.code) == (409, "block_not_available")


def test_listing_trading_and_withdrawing():
    issuance = issue(quantity_kg=1000)
    seller, buyer = issuance.owner_block.owner, OrganizationFactory.create()

    listed = credits_reserve(owner=seller, block=issuance.owner_block.pk, quantity_kg=500).block
    assert listed.status == "listed" and listed.quantity_kg == 500
    with pytest.raises(BlockStatusError):
        credits_transfer(sender=seller, block=listed.pk, quantity_kg=1, to=buyer)
    with pytest.raises(BlockStatusError):
        credits_trade(seller=seller, block=issuance.owner_block.pk, quantity_kg=1, buyer=buyer)

    sold = credits_trade(seller=seller, block=listed.pk, quantity_kg=200, buyer=buyer, memo={"order": "1"})
    assert (sold.block.owner, sold.block.status, sold.block.quantity_kg) == (buyer, "available", 200)
    assert (sold.source.status, sold.source.quantity_kg) == ("listed", 300)
    assert sold.entry.kind == "trade"

    released = credits_release(owner=seller, block=listed.pk)
    assert released.block.pk == listed.pk and released.block.status == "available"
    assert released.entry.kind == "delist"
    assert holdings_totals_for(organization=seller) == {"available_kg": 700, "listed_kg": 0, "retired_kg": 0}
    assert holdings_totals_for(organization=buyer) == {"available_kg": 200, "listed_kg": 0, "retired_kg": 0}


def test_trading_or_transferring_to_oneself_is_refused():
    block = issue().owner_block

    with pytest.raises(SelfDealingError):
        credits_transfer(sender=block.owner, block=block.pk, quantity_kg=1, to=block.owner)
    reserved = credits_reserve(owner=block.owner, block=block.pk, quantity_kg=5).block
    with pytest.raises(SelfDealingError):
        credits_trade(seller=block.owner, block=reserved.pk, quantity_kg=1, buyer=block.owner)
    assert LedgerEntry.objects.count() == 2  # the issue and the reservation


@pytest.mark.parametrize("quantity", [0, -1, None, "5", 2.0, 10**16, 2**64])
def test_movements_refuse_non_positive_or_non_integer_quantities(quantity):
    block = issue().owner_block

    with pytest.raises(InvalidQuantityError):
        credits_retire(owner=block.owner, block=block.pk, quantity_kg=quantity)


def test_holdings_totals_are_one_query(django_assert_num_queries):
    block = issue(quantity_kg=1000).owner_block
    credits_reserve(owner=block.owner, block=block.pk, quantity_kg=100)
    credits_retire(owner=block.owner, block=block.pk, quantity_kg=50)

    with django_assert_num_queries(1):
        totals = holdings_totals_for(organization=block.owner)

    assert totals == {"available_kg": 750, "listed_kg": 100, "retired_kg": 50}


def test_recent_activity_lists_the_organisations_entries_newest_first():
    mine = issue(quantity_kg=1000).owner_block
    theirs = issue(quantity_kg=1000).owner_block
    moved = credits_transfer(sender=mine.owner, block=mine.pk, quantity_kg=10, to=theirs.owner)
    credits_retire(owner=theirs.owner, block=theirs.pk, quantity_kg=5)

    recent = entries_for_organization(organization=mine.owner, limit=10)

    assert [e.seq for e in recent] == [moved.entry.seq, 1]
    assert [e.seq for e in entries_for_organization(organization=theirs.owner, limit=2)] == [4, 3]


def test_every_service_is_one_unit_nothing_half_written_when_the_append_fails(monkeypatch):
    block = issue(quantity_kg=1000).owner_block

    def broken_append(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("ledger.services.append_entry", broken_append)
    with pytest.raises(RuntimeError):
        credits_transfer(sender=block.owner, block=block.pk, quantity_kg=10, to=OrganizationFactory.create())

    block.refresh_from_db()
    assert block.quantity_kg == 900
    assert CreditBlock.objects.count() == 2


@pytest.mark.postgres
def test_a_movement_in_sql_is_one_unit_nothing_half_written_when_the_append_fails():
    block = issue(quantity_kg=1000).owner_block
    with connection.cursor() as cursor:  # every further entry insert fails inside ledger_move
        cursor.execute("ALTER TABLE ledger_ledgerentry ADD CONSTRAINT test_no_more CHECK (seq < 2) NOT VALID")

    with pytest.raises(IntegrityError, match="test_no_more"), transaction.atomic():
        credits_transfer(sender=block.owner, block=block.pk, quantity_kg=10, to=OrganizationFactory.create())

    block.refresh_from_db()
    assert block.quantity_kg == 900
    assert CreditBlock.objects.count() == 2
    assert LedgerHead.objects.get().seq == 1


def test_a_caller_transaction_rolls_back_the_movement_with_it():
    block = issue(quantity_kg=1000).owner_block

    with pytest.raises(DomainError), transaction.atomic():
        credits_transfer(sender=block.owner, block=block.pk, quantity_kg=10, to=OrganizationFactory.create())
        raise DomainError("the caller's own check failed after the transfer")

    assert LedgerEntry.objects.count() == 1
    assert LedgerHead.objects.get().seq == 1
    assert CreditBlock.objects.get(pk=block.pk).quantity_kg == 900


def test_entry_payload_carries_block_snapshots_with_strings_for_ids_and_serials():
    block = issue(quantity_kg=100).owner_block

    entry = credits_retire(owner=block.owner, block=block.pk, quantity_kg=40).entry

    document = json.loads(entry.canonical)
    assert list(document) == ["created_at", "kind", "payload"]
    snapshot = {b["id"]: b for b in document["payload"]["blocks"]}[str(entry.payload["block"])]
    assert snapshot["serial_start"] == "51" and snapshot["serial_end"] == "90"
    assert snapshot["status"] == "retired" and snapshot["parent"] == str(block.pk)
    assert snapshot["quantity_kg"] == 40


def test_entries_keep_created_at_in_seq_order_and_in_the_hashed_text():
    block = issue(quantity_kg=100).owner_block
    for _ in range(5):
        credits_retire(owner=block.owner, block=block.pk, quantity_kg=1)

    entries = list(LedgerEntry.objects.all())

    assert [e.seq for e in entries] == list(range(1, 7))
    assert all(a.created_at <= b.created_at for a, b in itertools.pairwise(entries))
    for entry in entries:
        assert json.loads(entry.canonical)["created_at"] == entry.created_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_buffer_pool_is_a_singleton_created_on_first_use():
    first = buffer_pool()

    assert buffer_pool() == first
    assert first.kind == Organization.Kind.BUFFER_POOL
    assert connection.vendor in {"sqlite", "postgresql"}
