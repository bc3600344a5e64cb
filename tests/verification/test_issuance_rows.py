"""An issuance writes the same rows whatever its size: serials are kilogram ranges, so 10,000 t is one
owner block and one buffer block, never a row per tonne. Runs bench/issuance_rows.py's own scenario
(``claim_submit``, then ``claim_approve`` by another organisation's verifier), so the benchmark and
this test measure the same thing."""

import pytest

from accounts.models import buffer_pool
from bench.issuance_rows import (
    claim_input_prepare,
    claim_issue,
    issuance_measure,
    parties_create,
    rows_added,
    table_row_counts,
)
from ledger.models import LedgerEntry

ROWS_PER_ISSUANCE = {
    "ledger_creditblock": 2,  # the owner's block and the buffer pool's
    "ledger_ledgerentry": 1,  # the `issue` entry
    "ledger_ledgerentryparty": 2,  # its index rows: the owner and the buffer pool
    "ledger_ledgerentryrange": 2,  # its index rows: the two serial ranges
    "payments_journalentry": 1,  # the minting fee, charged or recorded as owed
    "payments_posting": 2,  # its two legs: the owner's account and the platform's fees
    "verification_assessment": 1,
    "verification_claimissuance": 1,
    "verification_claimslot": 2,  # the claim holds its site's energy and its one meter for the period
    "verification_evidenceitem": 12,  # the claim's monthly meter readings
    "verification_reductionclaim": 1,
}


@pytest.fixture
def parties(db):
    """The claimant and a verifier of another organisation, after a first issuance (which also
    creates the buffer-pool organisation and the ledger head)."""
    parties = parties_create()
    claim_issue(parties=parties, claim_input=claim_input_prepare(submitter=parties.submitter, quantity_kg=1_000))
    return parties


def test_issuance_writes_the_same_rows_from_1_to_10000_tonnes(parties):
    measured = [issuance_measure(parties=parties, quantity_kg=tonnes * 1000) for tonnes in (1, 100, 10_000)]

    assert [m.rows for m in measured] == [ROWS_PER_ISSUANCE] * 3
    assert len({m.statements for m in measured}) == 1


@pytest.mark.parametrize("tonnes", [1, 100, 10_000])
def test_issued_quantities_are_the_claimed_size_with_the_buffer_share_rounded_up(parties, tonnes):
    quantity_kg = tonnes * 1000
    buffer_kg = -(-quantity_kg // 10)  # 10 %, rounded up

    issuance = issuance_measure(parties=parties, quantity_kg=quantity_kg).claim.issuance

    owner_kg = quantity_kg - buffer_kg
    owner_block, buffer_block = issuance.owner_block, issuance.buffer_block
    assert buffer_block is not None
    assert (issuance.quantity_kg, issuance.buffer_kg) == (owner_kg, buffer_kg)
    assert (owner_block.owner_id, owner_block.quantity_kg) == (parties.submitter.organization_id, owner_kg)
    assert (buffer_block.owner, buffer_block.quantity_kg) == (buffer_pool(), buffer_kg)
    # One fresh range of the new project: the owner's first part, the buffer's the rest.
    assert (owner_block.serial_start, owner_block.serial_end) == (1, owner_kg)
    assert (buffer_block.serial_start, buffer_block.serial_end) == (owner_kg + 1, quantity_kg)
    entry = LedgerEntry.objects.get(seq=issuance.ledger_entry_id)
    assert (entry.payload["quantity_kg"], entry.payload["buffer_kg"]) == (quantity_kg, buffer_kg)


@pytest.mark.django_db
def test_only_the_first_issuance_ever_adds_the_buffer_pool_the_ledger_head_and_the_fee_accounts():
    parties = parties_create()
    claim_input = claim_input_prepare(submitter=parties.submitter, quantity_kg=1_000)
    before = table_row_counts()

    claim_issue(parties=parties, claim_input=claim_input)

    assert rows_added(before, table_row_counts()) == {
        **ROWS_PER_ISSUANCE,
        "accounts_organization": 1,
        "ledger_ledgerhead": 1,
        "payments_account": 3,  # the owner's available and receivable accounts, the platform's fees
    }
