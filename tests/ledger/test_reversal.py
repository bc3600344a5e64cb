"""credits_reverse, the ledger's side of a reversal: which blocks are cancelled, which buffer credits
make up for those in circulation, what the entries say, and that replay, verification and the
conservation check follow every step (and catch a rewritten one)."""

from decimal import Decimal

import pytest

from accounts.models import buffer_pool
from carboncred.dashboard import recent_activity_for
from core.errors import DomainError
from ledger.audit import conservation, ledger_verify, replay
from ledger.errors import BlockStatusError, IssuanceAlreadyReversedError, NotAnIssuanceError
from ledger.models import CreditBlock, ImmutableRowError, LedgerEntry, Reversal
from ledger.services import (
    credits_reserve,
    credits_retire,
    credits_reverse,
    credits_transfer,
)
from tests.accounts.factories import OrganizationFactory
from tests.ledger.factories import buffer_of, issue
from tests.ledger.tamper import rewrite_from, triggers_off
from tests.ledger.test_chain import _refused
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def assert_sound() -> None:
    verified, replayed, conserved = ledger_verify(), replay(), conservation()
    assert verified.ok, verified.problems
    assert replayed.ok, replayed.differences
    assert conserved.ok, conserved.differences


def state(block: CreditBlock) -> tuple[int, int, int, str]:
    block.refresh_from_db()
    return block.owner_id, block.serial_start, block.serial_end, block.status


def test_what_the_owner_holds_is_cancelled_and_the_rest_made_up_from_the_pool():
    elsewhere = issue(quantity_kg=50_000)  # another project's: 5,000 kg of buffer
    reversed_ = issue(quantity_kg=10_000)  # owner 1..9000, buffer 9001..10000
    owner, pool = reversed_.owner_block.owner, buffer_pool()
    buyer = OrganizationFactory.create()
    block = reversed_.owner_block
    given = credits_transfer(sender=owner, block=block.pk, quantity_kg=3_000, to=buyer).block  # 6001..9000
    retired = credits_retire(owner=owner, block=block.pk, quantity_kg=1_000).block  # 5001..6000
    listed = credits_reserve(owner=owner, block=block.pk, quantity_kg=2_000).block  # 3001..5000

    result = credits_reverse(issue_entry=reversed_.entry.seq, reason="meter data copied", memo={"claim": "7"})

    plan = result.plan
    assert (plan.cancelled_kg, plan.buffer_share_cancelled_kg) == (3_000 + 2_000, 1_000)
    assert (plan.compensation_kg, plan.buffer_cancelled_kg, plan.shortfall_kg) == (4_000, 4_000, 0)
    assert state(block) == (owner.pk, 1, 3_000, "cancelled")
    assert state(listed) == (owner.pk, 3_001, 5_000, "cancelled")
    assert state(retired) == (owner.pk, 5_001, 6_000, "retired")
    assert state(given) == (buyer.pk, 6_001, 9_000, "available")
    assert state(buffer_of(reversed_)) == (pool.pk, 9_001, 10_000, "cancelled")
    # The other project's buffer block gave its last 4,000 serials; the rest stays available.
    assert state(buffer_of(elsewhere)) == (pool.pk, 45_001, 46_000, "available")
    drawn = CreditBlock.objects.get(parent=buffer_of(elsewhere))
    assert (drawn.owner, drawn.serial_start, drawn.serial_end, drawn.status) == (pool, 46_001, 50_000, "cancelled")

    cancel, buffer_cancel = result.entries
    assert (cancel.kind, buffer_cancel.kind) == ("cancel", "buffer_cancel")
    assert cancel.payload["issue"] == str(reversed_.entry.seq)
    assert (cancel.payload["serial_start"], cancel.payload["serial_end"]) == ("1", "10000")
    assert cancel.payload["quantity_kg"] == 6_000
    assert sorted((i["block"], i["status_before"], i["quantity_kg"]) for i in cancel.payload["cancelled"]) == sorted(
        [
            (str(block.pk), "available", 3_000),
            (str(listed.pk), "listed", 2_000),
            (str(buffer_of(reversed_).pk), "available", 1_000),
        ]
    )
    assert cancel.payload["memo"] == {"claim": "7", "reason": "meter data copied"}
    assert buffer_cancel.payload["buffer_pool"] == str(pool.pk)
    assert (buffer_cancel.payload["required_kg"], buffer_cancel.payload["shortfall_kg"]) == (4_000, 0)
    assert buffer_cancel.payload["cancelled"] == [
        {
            "block": str(drawn.pk),
            "source": str(buffer_of(elsewhere).pk),
            "owner": str(pool.pk),
            "quantity_kg": 4_000,
            "status_before": "available",
        }
    ]
    record = Reversal.objects.get()
    assert (record.cancel_entry_id, record.buffer_cancel_entry_id) == (cancel.seq, buffer_cancel.seq)
    assert record.created_at == buffer_cancel.created_at and record.reason == "meter data copied"
    # The serial filter finds the cancellations too.
    assert set(LedgerEntry.objects.filter(ranges__block_id=block.pk).values_list("kind", flat=True)) >= {"cancel"}
    assert_sound()
    report = conservation()
    assert (report.issued_kg, report.cancelled_kg, report.unbacked_kg) == (60_000, 10_000, 0)


def test_the_pool_gives_the_same_project_and_vintage_first_then_the_oldest_blocks():
    owner = OrganizationFactory.create()
    project = ProjectFactory.create(owner=owner)
    oldest = issue(quantity_kg=20_000, vintage=2020)  # another project: 2,000 of buffer, issued first
    reversed_ = issue(project=project, quantity_kg=10_000, vintage=2024)
    sibling = issue(project=project, quantity_kg=5_000, vintage=2024)  # same project and vintage: 500
    other_vintage = issue(project=project, quantity_kg=5_000, vintage=2023)  # same project, another vintage
    newest = issue(quantity_kg=30_000, vintage=2025)  # 3,000
    credits_transfer(sender=owner, block=reversed_.owner_block.pk, quantity_kg=3_000, to=OrganizationFactory.create())

    result = credits_reverse(issue_entry=reversed_.entry.seq, reason="r")

    drawn = [(item["source"], item["quantity_kg"]) for item in result.entries[1].payload["cancelled"]]
    assert drawn == [
        (str(buffer_of(sibling).pk), 500),
        (str(buffer_of(oldest).pk), 2_000),
        (str(buffer_of(other_vintage).pk), 500),  # issued before "newest": older, of 500 kg
    ]
    assert state(buffer_of(newest))[3] == "available"
    assert_sound()


def test_an_issuance_whose_buffer_share_backed_another_reversal_is_backed_again():
    owner = OrganizationFactory.create()
    project = ProjectFactory.create(owner=owner)
    first = issue(project=project, quantity_kg=10_000, vintage=2024)
    second = issue(project=project, quantity_kg=5_000, vintage=2024)  # its 500 kg of buffer back the first
    issue(quantity_kg=20_000)  # 2,000 more in the pool
    credits_transfer(sender=owner, block=first.owner_block.pk, quantity_kg=500, to=OrganizationFactory.create())
    credits_reverse(issue_entry=first.entry.seq, reason="first")
    assert state(buffer_of(second))[3] == "cancelled"  # drawn whole for the first

    result = credits_reverse(issue_entry=second.entry.seq, reason="second")

    # The owner held all 4,500; the buffer share is gone, and what it backed is now unbacked: made up.
    plan = result.plan
    assert (plan.cancelled_kg, plan.buffer_share_cancelled_kg, plan.compensation_kg) == (4_500, 0, 500)
    assert plan.buffer_cancelled_kg == 500 and plan.shortfall_kg == 0
    assert result.entries[1].payload["required_kg"] == 500
    assert_sound()


def test_an_empty_pool_records_the_whole_shortfall_in_a_buffer_cancel_without_blocks():
    reversed_ = issue(quantity_kg=1_000, buffer_share=Decimal(0))
    owner = reversed_.owner_block.owner
    credits_retire(owner=owner, block=reversed_.owner_block.pk, quantity_kg=400)

    result = credits_reverse(issue_entry=reversed_.entry.seq, reason="r")

    assert (result.plan.cancelled_kg, result.plan.buffer_cancelled_kg, result.plan.shortfall_kg) == (600, 0, 400)
    buffer_cancel = result.entries[1].payload
    assert (buffer_cancel["cancelled"], buffer_cancel["blocks"], buffer_cancel["shortfall_kg"]) == ([], [], 400)
    assert_sound()
    assert conservation().unbacked_kg == 400
    # The owner's activity says what happened; the pool's empty entry shows nowhere.
    activity = recent_activity_for(organization=owner)
    assert activity[0]["summary"] == "Cancelled 600 kg: the issuance was reversed"
    assert recent_activity_for(organization=buffer_pool()) == []


def test_nothing_in_circulation_needs_no_buffer_cancel():
    reversed_ = issue(quantity_kg=2_000)

    result = credits_reverse(issue_entry=reversed_.entry.seq, reason="r")

    assert [entry.kind for entry in result.entries] == ["cancel"]
    assert Reversal.objects.get().buffer_cancel_entry_id is None
    assert_sound()


def test_an_issuance_is_reversed_once_and_only_an_issue_entry_can_be():
    reversed_ = issue(quantity_kg=2_000)
    moved = credits_transfer(
        sender=reversed_.owner_block.owner,
        block=reversed_.owner_block.pk,
        quantity_kg=10,
        to=OrganizationFactory.create(),
    )
    credits_reverse(issue_entry=reversed_.entry.seq, reason="r")
    count = LedgerEntry.objects.count()

    with pytest.raises(IssuanceAlreadyReversedError) as again:
        credits_reverse(issue_entry=reversed_.entry.seq, reason="again")
    with pytest.raises(NotAnIssuanceError):
        credits_reverse(issue_entry=moved.entry.seq, reason="r")
    with pytest.raises(NotAnIssuanceError):
        credits_reverse(issue_entry=10**9, reason="r")
    with pytest.raises(DomainError):
        credits_reverse(issue_entry=issue().entry.seq, reason=" ")

    assert again.value.status_code == 409
    assert LedgerEntry.objects.count() == count + 1  # the last issue() only


def test_a_cancelled_block_never_moves_again():
    reversed_ = issue(quantity_kg=2_000)
    owner, block = reversed_.owner_block.owner, reversed_.owner_block
    credits_reverse(issue_entry=reversed_.entry.seq, reason="r")

    for move in (
        lambda: credits_transfer(sender=owner, block=block.pk, quantity_kg=1, to=OrganizationFactory.create()),
        lambda: credits_retire(owner=owner, block=block.pk, quantity_kg=1),
        lambda: credits_reserve(owner=owner, block=block.pk, quantity_kg=1),
    ):
        with pytest.raises(BlockStatusError):
            move()
    assert state(block)[3] == "cancelled"
    with pytest.raises(ImmutableRowError):
        Reversal.objects.get().save()


@pytest.mark.postgres
@pytest.mark.parametrize("replica", [False, True], ids=["origin", "replica"])
def test_on_postgresql_a_cancelled_block_and_a_reversal_refuse_any_change(replica):
    reversed_ = issue(quantity_kg=2_000)
    credits_reverse(issue_entry=reversed_.entry.seq, reason="r")
    cancelled = reversed_.owner_block.pk

    _refused(f"UPDATE ledger_creditblock SET status = 'available' WHERE id = {cancelled}", replica=replica)  # noqa: S608
    _refused(f"UPDATE ledger_creditblock SET owner_id = owner_id WHERE id = {cancelled}", replica=replica)  # noqa: S608
    _refused("UPDATE ledger_reversal SET shortfall_kg = 0", replica=replica)
    _refused("DELETE FROM ledger_reversal", replica=replica)
    _refused("TRUNCATE ledger_reversal CASCADE", replica=replica)


def test_replay_and_conservation_catch_a_cancelled_block_revived_behind_the_ledgers_back():
    reversed_ = issue(quantity_kg=2_000)
    credits_reverse(issue_entry=reversed_.entry.seq, reason="r")
    with triggers_off() as cursor:
        cursor.execute("UPDATE ledger_creditblock SET status = 'available' WHERE id = %s", [reversed_.owner_block.pk])

    replayed, conserved = replay(), conservation()

    assert not replayed.ok and f"block {reversed_.owner_block.pk} is" in replayed.differences[0]
    assert not conserved.ok
    assert any("the ledger cancelled 2000 kg, the cancelled blocks hold 200 kg" in d for d in conserved.differences)


def test_replay_catches_a_buffer_cancel_rewritten_to_make_up_less():
    issue(quantity_kg=50_000)
    reversed_ = issue(quantity_kg=10_000)
    owner = reversed_.owner_block.owner
    credits_transfer(sender=owner, block=reversed_.owner_block.pk, quantity_kg=3_000, to=OrganizationFactory.create())
    buffer_cancel = credits_reverse(issue_entry=reversed_.entry.seq, reason="r").entries[1]

    # A careful attacker rewrites the entry (and every later hash) to say less was in circulation.
    rewrite_from(buffer_cancel.seq, edit=lambda text: text.replace('"required_kg":3000', '"required_kg":2000'))

    assert ledger_verify().ok  # the rewrite is self-consistent; only a pinned checkpoint would show it
    report = replay()
    assert not report.ok
    assert f"entry {buffer_cancel.seq} (buffer_cancel) cannot be replayed" in report.differences[0]
    assert "the issuance left 3000 kg" in report.differences[0]


def test_replay_refuses_a_second_reversal_of_one_issuance_written_into_the_chain():
    reversed_ = issue(quantity_kg=2_000)
    cancel = credits_reverse(issue_entry=reversed_.entry.seq, reason="r").entries[0]
    again = issue(quantity_kg=2_000)
    second = credits_reverse(issue_entry=again.entry.seq, reason="r").entries[0]

    # Make the second cancel claim to reverse the first issuance again.
    rewrite_from(
        second.seq, edit=lambda text: text.replace(f'"issue":"{again.entry.seq}"', f'"issue":"{reversed_.entry.seq}"')
    )

    report = replay()
    assert not report.ok
    assert f"entry {second.seq} (cancel) cannot be replayed" in report.differences[0]
    assert cancel.seq < second.seq
