"""The chain: verification, tampering (as an attacker with superuser would), immutability."""

from contextlib import closing
from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from ledger import chain
from ledger.audit import _entry_rows, ledger_verify
from ledger.hashing import entry_body, entry_hash, format_timestamp
from ledger.models import Checkpoint, CreditBlock, ImmutableRowError, LedgerEntry, LedgerHead
from ledger.services import checkpoint_create, credits_retire, credits_transfer
from tests.accounts.factories import OrganizationFactory
from tests.ledger.factories import checkpoint_made, issue
from tests.ledger.tamper import drop_index_rows, rewrite_from, triggers_off
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def make_entries(count: int) -> CreditBlock:
    """``count`` entries: one issue, then single-kilogram retirements."""
    block = issue(quantity_kg=10_000).owner_block
    for _ in range(count - 1):
        credits_retire(owner=block.owner, block=block.pk, quantity_kg=1)
    return block


def test_an_untouched_chain_verifies():
    make_entries(12)
    checkpoint_create()

    report = ledger_verify()

    assert report.ok, report.problems
    assert (report.entries_checked, report.first_bad_seq, report.head_seq) == (12, None, 12)
    assert report.checkpoints_checked == 1


def test_an_empty_ledger_verifies():
    report = ledger_verify()

    assert report.ok and report.entries_checked == 0 and report.first_bad_seq is None


def test_every_hash_recomputes_from_the_stored_text_and_links_to_the_previous():
    make_entries(5)

    prev = bytes(32)
    for entry in LedgerEntry.objects.order_by("seq"):
        assert bytes(entry.prev_hash) == prev
        assert entry_hash(seq=entry.seq, prev_hash=prev, canonical=entry.canonical.encode()) == bytes(entry.hash)
        prev = bytes(entry.hash)
    head = LedgerHead.objects.get()
    assert (head.seq, bytes(head.hash)) == (5, prev)


def test_an_edited_payload_is_caught_at_its_seq():
    make_entries(8)
    with triggers_off() as cursor:
        cursor.execute(
            "UPDATE ledger_ledgerentry SET canonical = replace(canonical, '\"quantity_kg\":1', '\"quantity_kg\":9') "
            "WHERE seq = 5"
        )

    report = ledger_verify()

    assert not report.ok
    assert report.first_bad_seq == 5
    assert report.entries_checked == 4


def test_a_deleted_row_is_caught_at_its_seq():
    make_entries(8)
    with triggers_off() as cursor:
        drop_index_rows(cursor, 4)
        cursor.execute("DELETE FROM ledger_ledgerentry WHERE seq = 4")

    report = ledger_verify()

    assert not report.ok and report.first_bad_seq == 4


def test_a_deleted_tail_is_caught_against_the_head():
    make_entries(8)
    with triggers_off() as cursor:
        drop_index_rows(cursor, 7, 8)
        cursor.execute("DELETE FROM ledger_ledgerentry WHERE seq > 6")

    report = ledger_verify()

    assert not report.ok and report.first_bad_seq == 7


def test_reordered_rows_are_caught_at_the_first_swapped_seq():
    make_entries(8)
    with triggers_off() as cursor:
        drop_index_rows(cursor, 3, 4)
        cursor.execute("UPDATE ledger_ledgerentry SET seq = 1000 WHERE seq = 3")
        cursor.execute("UPDATE ledger_ledgerentry SET seq = 3 WHERE seq = 4")
        cursor.execute("UPDATE ledger_ledgerentry SET seq = 4 WHERE seq = 1000")

    report = ledger_verify()

    assert not report.ok and report.first_bad_seq == 3


def test_a_column_that_disagrees_with_the_hashed_text_is_caught():
    make_entries(4)
    with triggers_off() as cursor:
        cursor.execute("UPDATE ledger_ledgerentry SET kind = 'transfer' WHERE seq = 2")

    report = ledger_verify()

    assert not report.ok and report.first_bad_seq == 2


@pytest.mark.parametrize("shift", [timedelta(microseconds=1), timedelta(hours=-1), timedelta(days=366)])
def test_a_created_at_column_that_disagrees_with_the_hashed_text_is_caught(shift):
    make_entries(4)
    with triggers_off() as cursor:
        moved = LedgerEntry.objects.get(seq=3).created_at + shift
        cursor.execute("UPDATE ledger_ledgerentry SET created_at = %s WHERE seq = 3", [moved])

    report = ledger_verify()

    assert not report.ok and report.first_bad_seq == 3
    assert report.problems == ["entry 3: kind or created_at column differs from the hashed text"]


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 11, 28, 15, 53, 7, 0, tzinfo=UTC),  # no fraction: still six digits
        datetime(2026, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
        datetime(2024, 2, 29, 0, 0, 0, 1, tzinfo=UTC),
        datetime(2026, 3, 29, 2, 30, 0, 500_000, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        datetime(999, 1, 2, 3, 4, 5, 60, tzinfo=UTC),
    ],
)
def test_the_verifier_spells_created_at_as_the_hashed_text_does(moment):
    make_entries(1)
    with triggers_off() as cursor:
        cursor.execute("UPDATE ledger_ledgerentry SET created_at = %s WHERE seq = 1", [moment])

    rows, spell = _entry_rows(chunk_size=10)
    with closing(rows):
        ((_, _, stamp, *_),) = list(rows)

    assert spell(stamp) == format_timestamp(moment)


def test_a_rewritten_tail_with_recomputed_hashes_is_caught_by_a_saved_checkpoint():
    make_entries(3)
    checkpoint_create()
    make_entries(5)
    checkpoint_create()  # covers 1..8
    pinned_head = (8, bytes(LedgerHead.objects.get().hash))
    make_entries(2)

    rewrite_from(5, edit=lambda text: text.replace('"quantity_kg":1,', '"quantity_kg":2,', 1))

    assert ledger_verify(expected_head=None).ok is False
    report = ledger_verify()
    # Entries 1..3 still match their checkpoint; the one over 1..8 stored the leaves it attested,
    # which name the rewritten entry itself.
    assert report.first_bad_seq == 5, report.problems
    assert any("checkpoint root" in problem for problem in report.problems)
    # The attacker also removes the checkpoints: the chain alone is self-consistent again ...
    with triggers_off() as cursor:
        cursor.execute("DELETE FROM ledger_checkpoint")
    assert ledger_verify().ok
    # ... but not against values pinned outside the database.
    pinned = ledger_verify(expected_head=pinned_head)
    assert not pinned.ok and pinned.first_bad_seq == 1


def test_a_rewritten_tail_is_caught_against_a_pinned_checkpoint_root():
    make_entries(6)
    checkpoint = checkpoint_made()
    pinned = (checkpoint.size, bytes(checkpoint.root))

    rewrite_from(2, edit=lambda text: text.replace('"memo":{}', '"memo":{"x":"y"}', 1))
    with triggers_off() as cursor:
        cursor.execute("DELETE FROM ledger_checkpoint")

    report = ledger_verify(expected_checkpoint=pinned)

    # The stored leaves add up to the pinned root, so they name the rewritten entry.
    assert not report.ok and report.first_bad_seq == 2


def test_the_model_refuses_changes_on_every_database():
    make_entries(2)
    entry = LedgerEntry.objects.get(seq=1)

    with pytest.raises(ImmutableRowError):
        entry.save()
    with pytest.raises(ImmutableRowError):
        entry.delete()
    with pytest.raises(ImmutableRowError):
        LedgerEntry.objects.filter(seq=1).update(kind="trade")
    with pytest.raises(ImmutableRowError):
        LedgerEntry.objects.all().delete()
    checkpoint = checkpoint_made()
    with pytest.raises(ImmutableRowError):
        checkpoint.delete()
    assert LedgerEntry.objects.count() == 2


def test_ranges_must_be_well_formed_on_every_database():
    project = ProjectFactory.create()

    with pytest.raises(IntegrityError), transaction.atomic():
        CreditBlock.objects.create(project=project, vintage=2025, serial_start=10, serial_end=9, owner=project.owner)
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditBlock.objects.create(project=project, vintage=2025, serial_start=0, serial_end=9, owner=project.owner)


@pytest.mark.postgres
def test_live_blocks_of_a_project_and_vintage_never_overlap_on_postgres():
    block = issue(quantity_kg=100).owner_block  # serials 1..90, the buffer 91..100

    with pytest.raises(IntegrityError, match="creditblock_serials_disjoint"), transaction.atomic():
        CreditBlock.objects.create(
            project=block.project, vintage=2025, serial_start=100, serial_end=120, owner=block.owner
        )
    CreditBlock.objects.create(project=block.project, vintage=2025, serial_start=101, serial_end=120, owner=block.owner)
    CreditBlock.objects.create(project=block.project, vintage=2024, serial_start=1, serial_end=90, owner=block.owner)


APPEND_ONLY = [
    "ledger_ledgerentry",
    "ledger_ledgerentryparty",
    "ledger_ledgerentryrange",
    "ledger_checkpoint",
    "ledger_merklenode",
]


def _refused(sql: str, *, replica: bool = False) -> None:
    with (
        pytest.raises(DatabaseError, match=r"refused|cannot|never"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        if replica:
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql)


@pytest.mark.postgres
@pytest.mark.parametrize("replica", [False, True], ids=["origin", "replica"])
@pytest.mark.parametrize("table", APPEND_ONLY)
def test_postgres_refuses_update_delete_and_truncate_of_ledger_tables(table, replica):
    block = make_entries(20)
    checkpoint_create()
    assert CreditBlock.objects.filter(pk=block.pk).exists()

    column = {"ledger_ledgerentry": "seq", "ledger_merklenode": "level", "ledger_ledgerentryparty": "entry_id"}.get(
        table, "id"
    )
    _refused(f"UPDATE {table} SET {column} = {column}", replica=replica)  # noqa: S608 - fixed names
    _refused(f"DELETE FROM {table}", replica=replica)  # noqa: S608
    _refused(f"TRUNCATE {table} CASCADE", replica=replica)


@pytest.mark.postgres
@pytest.mark.parametrize("replica", [False, True], ids=["origin", "replica"])
def test_postgres_refuses_changing_a_retired_block_or_deleting_any_block(replica):
    block = issue(quantity_kg=100).owner_block
    retired = credits_retire(owner=block.owner, block=block.pk, quantity_kg=10).block

    _refused(f"UPDATE ledger_creditblock SET status = 'available' WHERE id = {retired.pk}", replica=replica)  # noqa: S608
    _refused(f"DELETE FROM ledger_creditblock WHERE id = {block.pk}", replica=replica)  # noqa: S608
    _refused("TRUNCATE ledger_creditblock CASCADE", replica=replica)
    with connection.cursor() as cursor:  # a live block may change (the services do it)
        cursor.execute("UPDATE ledger_creditblock SET status = 'listed' WHERE id = %s", [block.pk])


@pytest.mark.postgres
def test_sql_and_python_appends_produce_one_valid_chain():
    block = issue(quantity_kg=1000).owner_block
    payload = {"memo": {"beneficiary": "Müller & Söhne ✓ 😀 \u2028"}, "quantity_kg": 1}

    with transaction.atomic():
        in_python = chain._append_in_python(
            kind="retire", body=entry_body(kind="retire", payload=payload), party_ids=[block.owner_id], moved=[block]
        )
    with transaction.atomic():
        in_sql = chain.append_entry(kind="retire", payload=payload, parties=[block.owner_id], moved=[block])
    with transaction.atomic():
        again_in_python = chain._append_in_python(
            kind="retire", body=entry_body(kind="retire", payload=payload), party_ids=[block.owner_id], moved=[block]
        )

    assert [in_python.seq, in_sql.seq, again_in_python.seq] == [2, 3, 4]
    # Same body, different created_at: everything after the timestamp is byte-identical.
    assert in_sql.canonical.split('"kind"')[1] == in_python.canonical.split('"kind"')[1]
    for entry in LedgerEntry.objects.filter(seq__gte=2):
        expected = entry_hash(seq=entry.seq, prev_hash=bytes(entry.prev_hash), canonical=entry.canonical.encode())
        assert bytes(entry.hash) == expected, f"entry {entry.seq}"
    assert ledger_verify().ok


@pytest.mark.django_db(transaction=True)
def test_the_head_lock_is_taken_inside_the_callers_transaction_only():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        chain.append_entry(kind="issue", payload={}, parties=[], moved=[])


def test_a_transfer_entry_is_indexed_for_both_parties_and_its_moved_range():
    block = issue(quantity_kg=1000).owner_block
    receiver = OrganizationFactory.create()

    entry = credits_transfer(sender=block.owner, block=block.pk, quantity_kg=100, to=receiver).entry

    assert sorted(entry.parties.values_list("organization_id", flat=True)) == sorted([block.owner_id, receiver.pk])
    assert list(entry.ranges.values_list("serial_start", "serial_end")) == [(801, 900)]
    assert Checkpoint.objects.count() == 0
