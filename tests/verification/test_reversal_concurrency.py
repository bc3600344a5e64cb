"""Reversals racing purchases and each other, on PostgreSQL with real threads.

A buy locks its listing, then the block; a reversal locks the owner's row, the pool's row, the
listings of the issuance, then the blocks — listing before block as well, so the two queue instead
of deadlocking. Whatever the interleaving, a buy either completed before the reversal (its credits
stay the buyer's and the buffer pool made them up) or fails cleanly (409 or 404) and moves nothing:
never credits that were both issued to a buyer and left uncompensated."""

import pytest

from accounts.models import buffer_pool
from ledger.audit import conservation, ledger_verify, replay
from ledger.models import CreditBlock, LedgerEntry, Reversal
from marketplace.models import Listing, Order
from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.ledger.factories import buffer_of
from tests.marketplace.checks import assert_open_counts_agree
from tests.verification.concurrency import outcomes, race
from tests.verification.reversals import REVERSE, fund_pool, issued_claim
from verification.models import ClaimReversal

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

BUYERS = 6
EACH_KG = 700


def buy(client, listing_id: int):
    return lambda: client.post("/api/buy/", {"listing": listing_id, "quantity_kg": EACH_KG}, format="json")


def reverse(client, claim_id: int):
    return lambda: client.post(REVERSE.format(claim_id), {"reason": "Raced in a test"}, format="json")


@pytest.mark.parametrize("reversal_position", [0, BUYERS // 2, BUYERS])
def test_a_reversal_racing_buys_of_the_same_credits_leaves_every_sold_credit_backed(user, reversal_position):
    claim = issued_claim(user)
    funding = fund_pool(20_000)
    listed = client_for(user).post(
        "/api/listings/",
        {"block": claim["issuance"]["block"], "quantity_kg": BUYERS * EACH_KG, "price_per_tonne": "10.00"},
        format="json",
    )
    assert listed.status_code == 201, listed.content
    listing_id = listed.json()["id"]
    buyers = [UserFactory.create() for _ in range(BUYERS)]
    jobs = [buy(client_for(buyer), listing_id) for buyer in buyers]
    jobs.insert(reversal_position, reverse(client_for(UserFactory.create(verifier=True)), claim["id"]))

    responses = race(jobs)

    reversal_response = responses.pop(reversal_position)
    assert reversal_response.status_code == 200, reversal_response
    assert all(response.status_code in (201, 404, 409) for response in responses), outcomes(responses)
    refused = [response.json()["code"] for response in responses if response.status_code != 201]
    assert set(refused) <= {"listing_closed", "listing_not_found"}, refused

    orders = list(Order.objects.filter(listing_id=listing_id))
    sold_kg = sum(order.quantity_kg for order in orders)
    assert len(orders) == sum(response.status_code == 201 for response in responses)
    # Every buy that succeeded kept its credits: available, the buyer's, not cancelled.
    for order in orders:
        block = CreditBlock.objects.get(pk=order.block_id)
        assert (block.owner_id, block.status, block.quantity_kg) == (order.buyer_id, "available", order.quantity_kg)
    # ... and the buffer pool made every one of them up; nothing else of the issuance was in circulation.
    record = Reversal.objects.get()
    assert record.compensation_kg == sold_kg == record.buffer_cancelled_kg
    assert record.shortfall_kg == 0
    cancelled_from_pool = sum(
        block.quantity_kg
        for block in CreditBlock.objects.filter(owner=buffer_pool(), status="cancelled").exclude(
            project_id=claim["project"]
        )
    )
    assert cancelled_from_pool == sold_kg
    funding_block = buffer_of(funding)
    funding_block.refresh_from_db()
    assert funding_block.quantity_kg == 20_000 - sold_kg
    # The owner holds nothing of the issuance any more; the listing closed with what it had sold.
    assert not CreditBlock.objects.filter(
        project_id=claim["project"], owner=user.organization, status__in=["available", "listed"]
    ).exists()
    listing = Listing.objects.get(pk=listing_id)
    assert listing.quantity_sold_kg == sold_kg
    assert listing.status in ("withdrawn", "sold") and listing.quantity_available_kg == 0
    assert_open_counts_agree()
    assert ClaimReversal.objects.get().claim_id == claim["id"]
    assert LedgerEntry.objects.filter(kind="trade").count() == len(orders)
    report = conservation()
    assert report.ok, report.differences
    assert ledger_verify().ok
    assert replay().ok, replay().differences


def test_two_racing_reversals_of_one_claim_reverse_it_once(user):
    claim = issued_claim(user)
    fund_pool(5_000)
    verifiers = [client_for(UserFactory.create(verifier=True)) for _ in range(3)]

    responses = race([reverse(client, claim["id"]) for client in verifiers])

    assert outcomes(responses) == ["200", "409", "409"], responses
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"claim_already_reversed"}
    assert Reversal.objects.count() == ClaimReversal.objects.count() == 1
    assert LedgerEntry.objects.filter(kind="cancel").count() == 1
    assert conservation().ok and replay().ok


def test_reversals_of_different_claims_draw_from_the_pool_one_at_a_time():
    """Several reversals at once, each needing the pool: together they never cancel more than it held."""
    owners = [UserFactory.create() for _ in range(3)]
    claims = []
    for n, owner in enumerate(owners):
        claim = issued_claim(owner, prefix=f"RACE{n}")
        given = client_for(owner).post(
            "/api/transfers/",
            {
                "block": claim["issuance"]["block"],
                "quantity_kg": 4_000,
                "to_organization": UserFactory.create().organization_id,
            },
            format="json",
        )
        assert given.status_code == 201, given.content
        claims.append(claim)
    fund_pool(5_000)  # less than the 12 t in circulation, beside the issuances' own shares
    verifier = client_for(UserFactory.create(verifier=True))

    responses = race([reverse(verifier, claim["id"]) for claim in claims])

    assert outcomes(responses) == ["200"] * 3, responses
    records = list(Reversal.objects.all())
    # What each had in circulation, plus its own buffer share where an earlier reversal had drawn it:
    # those credits backed another issuance's and are backed again now.
    drawn_shares = sum(claim["issuance"]["buffer_kg"] for claim in claims) - sum(
        record.buffer_share_cancelled_kg for record in records
    )
    assert sum(record.compensation_kg for record in records) == 12_000 + drawn_shares
    assert sum(record.buffer_cancelled_kg + record.shortfall_kg for record in records) == 12_000 + drawn_shares
    assert not CreditBlock.objects.filter(owner=buffer_pool(), status="available").exists()
    report = conservation()
    assert report.ok, report.differences
    assert report.unbacked_kg == sum(record.shortfall_kg for record in records) > 0
    assert replay().ok and ledger_verify().ok
