"""Finding 7: the ledger's own tools under tampering.

``ledger_verify`` named only "the entry after the last checkpoint that still matches" when a forger
had recomputed the hashes from the forged entry on — possibly thousands of entries before the one
changed — and named the entry *after* a forged one whose hash alone was recomputed (its successor
no longer linked). It now finds the first entry whose hash differs from what the checkpoints attest
(their stored leaves, themselves proven against the checkpoint root). ``ledger_replay`` crashed with
a traceback on an entry whose text was not JSON; it now reports that entry by its seq.
"""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from ledger import merkle
from ledger.audit import ledger_verify, replay
from ledger.models import LedgerEntry
from ledger.services import checkpoint_create, credits_retire
from tests.ledger.factories import issue
from tests.ledger.tamper import rewrite_from, triggers_off

pytestmark = pytest.mark.django_db


def entries(count: int) -> None:
    """``count`` entries: an issue, then single-kilogram retirements."""
    block = issue(quantity_kg=10_000).owner_block
    for _ in range(count - 1):
        credits_retire(owner=block.owner, block=block.pk, quantity_kg=1)


def bump_quantity(text: str) -> str:
    return text.replace('"quantity_kg":1,', '"quantity_kg":2,', 1)


@pytest.fixture
def checkpointed_ledger():
    """40 entries; checkpoints over 1..10 and 1..40 (so 11..40 are attested by one root). Entries
    1 and 11 issue, the rest retire one kilogram each."""
    entries(10)
    checkpoint_create()
    entries(30)
    checkpoint_create()
    assert LedgerEntry.objects.count() == 40


@pytest.mark.parametrize("forged", [12, 23, 33, 40])
def test_a_rewrite_with_recomputed_hashes_is_named_at_the_forged_entry(checkpointed_ledger, forged):
    rewrite_from(forged, edit=bump_quantity)

    report = ledger_verify()

    assert not report.ok
    assert report.first_bad_seq == forged, report.problems
    assert any(f"entry {forged}" in problem and "attests" in problem for problem in report.problems)


def test_a_forged_entry_whose_own_hash_was_recomputed_is_named_not_its_successor(checkpointed_ledger):
    """Entry 23 changed and re-hashed, 24 left alone: 24 no longer links, but 23 is the forgery."""
    entry = LedgerEntry.objects.get(seq=23)
    from ledger.hashing import entry_hash

    canonical = bump_quantity(entry.canonical)
    digest = entry_hash(seq=23, prev_hash=bytes(entry.prev_hash), canonical=canonical.encode())
    with triggers_off() as cursor:
        cursor.execute("UPDATE ledger_ledgerentry SET canonical = %s, hash = %s WHERE seq = 23", [canonical, digest])

    report = ledger_verify()

    assert report.first_bad_seq == 23, report.problems


def test_the_command_names_the_forged_entry(checkpointed_ledger):
    rewrite_from(23, edit=bump_quantity)
    out = io.StringIO()

    with pytest.raises(CommandError, match="seq 23"):
        call_command("ledger_verify", stdout=out)

    assert json.loads(out.getvalue())["first_bad_seq"] == 23


def test_stored_leaves_rewritten_too_are_not_believed(checkpointed_ledger):
    """An attacker who also rewrites the checkpoint's stored leaves cannot make the verifier blame
    a later entry: leaves that do not add up to the checkpoint root are not used, and the answer
    falls back to the first entry the checkpoints no longer vouch for."""
    rewrite_from(23, edit=bump_quantity)
    # The stored leaves made to agree with the rewritten entries: nothing differs from them now.
    with triggers_off() as cursor:
        for seq, digest in LedgerEntry.objects.filter(seq__gte=23).values_list("seq", "hash"):
            cursor.execute(
                'UPDATE ledger_merklenode SET hash = %s WHERE level = 0 AND "index" = %s',
                [merkle.leaf_hash(bytes(digest)), seq - 1],
            )

    report = ledger_verify()

    assert not report.ok
    assert report.first_bad_seq == 11
    assert any("do not add up" in problem for problem in report.problems)


def test_the_exact_entry_inside_a_group_of_sixteen(checkpointed_ledger):
    """Stored subtrees start at 16 leaves; the stored leaves pin the entry inside its group."""
    for forged in (17, 18, 31):
        rewrite_from(forged, edit=bump_quantity)
        assert ledger_verify().first_bad_seq == min(17, forged)


# --- replay -------------------------------------------------------------------------------------


@pytest.mark.parametrize("canonical", ["not json at all", "[1, 2, 3]", '{"kind": "retire"}', '{"payload": 7}'])
def test_replay_reports_an_entry_that_is_no_json_entry_by_its_seq(canonical):
    entries(6)
    with triggers_off() as cursor:
        cursor.execute("UPDATE ledger_ledgerentry SET canonical = %s WHERE seq = 4", [canonical])

    report = replay()

    assert not report.ok
    assert report.entries_replayed == 3
    assert any(difference.startswith("entry 4 ") for difference in report.differences), report.differences


def test_the_replay_command_fails_cleanly_on_a_non_json_entry():
    entries(6)
    with triggers_off() as cursor:
        cursor.execute("UPDATE ledger_ledgerentry SET canonical = 'garbage' WHERE seq = 4")
    out = io.StringIO()

    with pytest.raises(CommandError, match="difference"):
        call_command("ledger_replay", stdout=out)

    assert any("entry 4 " in line for line in json.loads(out.getvalue())["differences"])


def test_the_public_entry_list_serves_an_entry_that_is_no_json_entry_with_its_text(api_client):
    """An auditor finds the bad entry through the public API; it must not answer 500."""
    entries(4)
    with triggers_off() as cursor:
        cursor.execute("UPDATE ledger_ledgerentry SET canonical = 'garbage' WHERE seq = 3")

    listing, detail = api_client.get("/api/ledger/entries/"), api_client.get("/api/ledger/entries/3/")

    assert listing.status_code == detail.status_code == 200
    assert detail.json()["payload"] is None
    assert detail.json()["canonical"] == "garbage"
    assert [entry["payload"] is None for entry in listing.json()["results"]] == [False, False, True, False]
