"""Reversing a claim's issuance through the API: what the owner holds is cancelled, what others hold is
backed by cancelling the buffer pool's credits, certificates stay valid and say so, a shortfall suspends
the owner, the owner's next claims go to review."""

from decimal import Decimal

import pytest

from accounts.models import buffer_pool
from certificates.models import RetirementCertificate
from ledger.audit import conservation, ledger_verify, replay
from ledger.models import CreditBlock, LedgerEntry, Reversal
from ledger.services import checkpoint_create
from marketplace.models import Listing
from tests.accounts.factories import UserFactory
from tests.certificates.factories import retire
from tests.conftest import client_for
from tests.ledger.factories import buffer_of
from tests.marketplace.checks import assert_open_counts_agree
from tests.verification.cases import CASES
from tests.verification.factories import monthly_evidence, solar_shape
from tests.verification.reversals import REVERSE, fund_pool, issued_claim, pool_available_kg
from tests.verification.test_claims_api import URL
from tests.verification.test_issuance import HONEST, QUEUE, REVIEW, case_body, case_project, submit
from verification.models import Assessment, Audit, BufferShortfall, ClaimReversal, ReductionClaim
from verification.services import assessment_replay

pytestmark = pytest.mark.django_db

CARDBOARD = next(case for case in CASES if case.name == "gb_cardboard_20t")  # its evidence numbers differ


def blocks_of(project_id: int) -> list[tuple[int, int, int, int, str]]:
    return list(
        CreditBlock.objects.filter(project_id=project_id)
        .order_by("serial_start")
        .values_list("owner_id", "serial_start", "serial_end", "parent_id", "status")
    )


def post_json(client, url: str, body: dict):
    return client.post(url, body, format="json")


def test_reversal_of_credits_partly_listed_sold_transferred_and_retired(user, verifier_client):
    owner, client = user.organization, client_for(user)
    buyer = UserFactory.create()
    buyer_client = client_for(buyer)
    claim = issued_claim(user)
    issuance = claim["issuance"]
    owner_kg, buffer_kg, block = issuance["quantity_kg"], issuance["buffer_kg"], issuance["block"]
    funding = fund_pool(30_000)  # another project's buffer share: what the pool can cancel in their place

    # The owner offers 20 t and 3 t; the buyer buys 5 t of the first offer and retires 2 t of them.
    offer = post_json(client, "/api/listings/", {"block": block, "quantity_kg": 20_000, "price_per_tonne": "10.00"})
    small = post_json(client, "/api/listings/", {"block": block, "quantity_kg": 3_000, "price_per_tonne": "11.00"})
    assert offer.status_code == small.status_code == 201, (offer.content, small.content)
    bought = post_json(buyer_client, "/api/buy/", {"listing": offer.json()["id"], "quantity_kg": 5_000})
    assert bought.status_code == 201, bought.content
    bought_block = CreditBlock.objects.get(owner=buyer.organization)
    buyer_certificate = retire(organization=buyer.organization, block=bought_block, quantity_kg=2_000)
    # The owner retires 4 t and gives 1 t to a customer.
    owner_certificate = retire(organization=owner, block=CreditBlock.objects.get(pk=block), quantity_kg=4_000)
    transfer = post_json(
        client, "/api/transfers/", {"block": block, "quantity_kg": 1_000, "to_organization": buyer.organization_id}
    )
    assert transfer.status_code == 201, transfer.content
    held_kg = owner_kg - 20_000 - 3_000 - 4_000 - 1_000
    pool_before = pool_available_kg()

    response = post_json(
        verifier_client, REVERSE.format(claim["id"]), {"reason": "Meter data copied from a sister site"}
    )

    assert response.status_code == 200, response.content
    body = response.json()
    in_circulation = 5_000 + 4_000 + 1_000  # sold (2 t of it since retired), retired by the owner, transferred
    assert body["claim"] == claim["id"]
    assert body["cancelled_kg"] == held_kg + 15_000 + 3_000  # available, and both listings' unsold rest
    assert body["buffer_cancelled_kg"] == in_circulation
    assert (body["buffer_share_cancelled_kg"], body["compensation_kg"], body["shortfall_kg"]) == (
        buffer_kg,
        in_circulation,
        0,
    )
    entries = [LedgerEntry.objects.get(seq=item["seq"]) for item in body["ledger_entries"]]
    assert [entry.kind for entry in entries] == ["cancel", "buffer_cancel"]
    assert [item["hash"] for item in body["ledger_entries"]] == [entry.hash_hex for entry in entries]

    # Every block of the issuance: the owner's and the issuance's buffer share cancelled, the rest untouched.
    project = claim["project"]
    by_owner: dict[tuple[int, str], int] = {}
    for owner_id, start, end, _parent, status in blocks_of(project):
        by_owner[(owner_id, status)] = by_owner.get((owner_id, status), 0) + end - start + 1
    pool = buffer_pool()
    assert by_owner == {
        (owner.pk, "cancelled"): held_kg + 18_000,
        (owner.pk, "retired"): 4_000,
        (buyer.organization_id, "available"): 3_000 + 1_000,
        (buyer.organization_id, "retired"): 2_000,
        (pool.pk, "cancelled"): buffer_kg,
    }
    assert not CreditBlock.objects.filter(project_id=project, owner=owner, status__in=["available", "listed"]).exists()
    # The pool made the 10 t up from the other project's buffer block: its last serials, split off.
    funding_block = buffer_of(funding)
    funding_block.refresh_from_db()
    compensated = CreditBlock.objects.get(parent=funding_block, status="cancelled")
    assert (compensated.owner, compensated.quantity_kg) == (pool, in_circulation)
    assert (funding_block.quantity_kg, funding_block.status) == (30_000 - in_circulation, "available")
    assert pool_available_kg() == pool_before - in_circulation - buffer_kg  # its own share went too

    # Both listings closed, their unsold rest cancelled as listed; nothing is for sale any more.
    listings = {listing.pk: listing for listing in Listing.objects.filter(seller=owner)}
    first, second = listings[offer.json()["id"]], listings[small.json()["id"]]
    assert (first.status, first.quantity_sold_kg, first.quantity_available_kg) == ("withdrawn", 5_000, 0)
    assert (second.status, second.quantity_sold_kg, second.quantity_available_kg) == ("withdrawn", 0, 0)
    assert CreditBlock.objects.get(pk=first.block_id).status == "cancelled"
    assert_open_counts_agree()
    late = post_json(client_for(UserFactory.create()), "/api/buy/", {"listing": first.pk, "quantity_kg": 1})
    assert late.status_code in (404, 409), late.content
    cancel, buffer_cancel = (entry.payload for entry in entries)
    assert sorted(item["status_before"] for item in cancel["cancelled"]) == [
        "available",
        "available",
        "listed",
        "listed",
    ]
    assert {item["owner"] for item in cancel["cancelled"]} == {str(owner.pk), str(pool.pk)}
    assert cancel["memo"] == {"claim": str(claim["id"]), "reason": "Meter data copied from a sister site"}
    assert (buffer_cancel["required_kg"], buffer_cancel["quantity_kg"], buffer_cancel["shortfall_kg"]) == (
        in_circulation,
        in_circulation,
        0,
    )

    # Balance of kilograms: issued - cancelled = held + retired, for the project and across the registry.
    cancelled = sum(kg for (_, status), kg in by_owner.items() if status == "cancelled")
    assert owner_kg + buffer_kg - cancelled == sum(kg for (_, status), kg in by_owner.items() if status != "cancelled")
    assert cancelled == body["cancelled_kg"] + body["buffer_share_cancelled_kg"]
    report = conservation()
    assert report.ok, report.differences
    assert report.unbacked_kg == 0
    assert ledger_verify().ok
    assert replay().ok, replay().differences

    # Both certificates stay valid and say the issuance was reversed and compensated from the buffer pool.
    checkpoint_create()  # made after each retirement commits; tests never commit
    for certificate in (buyer_certificate, owner_certificate):
        verified = client.get(f"/api/certificates/verify/{certificate.public_id}/").json()
        assert verified["valid"] is True, verified["checks"]
        reversal = verified["certificate"]["issuance_reversal"]
        assert reversal["compensated"] is True and reversal["buffer_cancelled_kg"] == in_circulation
        assert reversal["buffer_cancel_entry"] == entries[1].seq
        page = client.get(f"/certificates/{certificate.public_id}/").content.decode()
        assert "Issuance reversed, compensated from the buffer pool" in page
        assert "This retirement stays valid." in page
        assert "Meter data copied from a sister site" in page
        assert "Verified" in page
    assert RetirementCertificate.objects.count() == 2

    # The owner's holdings show the cancelled blocks as such; its dashboard counts none of them.
    holdings = client.get("/api/holdings/", {"status": "cancelled"}).json()["results"]
    assert sum(block["quantity_kg"] for block in holdings) == body["cancelled_kg"]
    dashboard = client.get("/api/dashboard/").json()
    assert dashboard["holdings"] == {"available_kg": 0, "listed_kg": 0} and dashboard["retired_kg"] == 4_000
    assert (
        dashboard["recent_activity"][0]["summary"]
        == f"Cancelled {body['cancelled_kg']:,} kg: the issuance was reversed"
    )

    # The claim says so, to its owner and to verifiers.
    mine = client.get(f"/api/reduction-data/{claim['id']}/").json()
    assert mine["status"] == "reversed"
    assert mine["reversal"]["cancelled_kg"] == body["cancelled_kg"]
    assert mine["reversal"]["ledger_entries"] == body["ledger_entries"]
    assert mine["issuance"] == issuance  # as issued
    assert ClaimReversal.objects.get(claim_id=claim["id"]).reason == "Meter data copied from a sister site"
    record = Reversal.objects.get(issue_entry_id=issuance["ledger_entry"]["seq"])
    assert (record.cancel_entry_id, record.buffer_cancel_entry_id) == (entries[0].seq, entries[1].seq)


def test_a_second_reversal_of_the_same_claim_is_409_and_changes_nothing(user, verifier_client):
    claim = issued_claim(user)
    fund_pool(1_000)
    first = post_json(verifier_client, REVERSE.format(claim["id"]), {"reason": "Evidence forged"})
    assert first.status_code == 200, first.content
    entries, blocks = LedgerEntry.objects.count(), blocks_of(claim["project"])

    again = post_json(verifier_client, REVERSE.format(claim["id"]), {"reason": "Evidence forged, again"})

    assert again.status_code == 409, again.content
    assert again.json()["code"] == "claim_already_reversed"
    assert LedgerEntry.objects.count() == entries and blocks_of(claim["project"]) == blocks
    assert ClaimReversal.objects.filter(claim_id=claim["id"]).count() == Reversal.objects.count() == 1


def test_only_verifiers_of_another_organisation_may_reverse(user, api_client):
    claim = issued_claim(user)
    colleague_verifier = UserFactory.create(organization=user.organization, verifier=True)
    body = {"reason": "Looks wrong"}
    url = REVERSE.format(claim["id"])

    anonymous = post_json(api_client, url, body)
    owner = post_json(client_for(user), url, body)
    stranger = post_json(client_for(UserFactory.create()), url, body)
    own_verifier = post_json(client_for(colleague_verifier), url, body)

    assert anonymous.status_code == 401
    assert owner.status_code == stranger.status_code == 403
    assert owner.json()["detail"] == "Only verifiers may do this."
    assert own_verifier.status_code == 403 and own_verifier.json()["code"] == "conflict_of_interest"
    assert not LedgerEntry.objects.filter(kind__in=["cancel", "buffer_cancel"]).exists()
    assert ReductionClaim.objects.get(pk=claim["id"]).status == "approved"


def test_bad_reversals_are_4xx_and_write_nothing(user, verifier_client):
    pending = submit(user, REVIEW).json()
    assert pending["status"] == "needs_review"
    claim = issued_claim(UserFactory.create())

    cases = {
        "no reason": (post_json(verifier_client, REVERSE.format(claim["id"]), {}), 400),
        "blank reason": (post_json(verifier_client, REVERSE.format(claim["id"]), {"reason": "  "}), 400),
        "reason too long": (post_json(verifier_client, REVERSE.format(claim["id"]), {"reason": "x" * 1001}), 400),
        "unknown claim": (post_json(verifier_client, REVERSE.format(10**9), {"reason": "r"}), 404),
        "not an id": (post_json(verifier_client, REVERSE.format("abc"), {"reason": "r"}), 404),
        "nothing issued": (post_json(verifier_client, REVERSE.format(pending["id"]), {"reason": "r"}), 409),
    }

    assert {name: response.status_code for name, (response, _) in cases.items()} == {
        name: status for name, (_, status) in cases.items()
    }
    assert "reason" in cases["no reason"][0].json()["errors"]
    assert cases["nothing issued"][0].json()["code"] == "claim_not_issued"
    assert not LedgerEntry.objects.filter(kind__in=["cancel", "buffer_cancel"]).exists()
    assert not ClaimReversal.objects.exists() and not CreditBlock.objects.filter(status="cancelled").exists()


def test_a_shortfall_is_recorded_and_suspends_the_owner(user, verifier_client, verifier):
    owner, client = user.organization, client_for(user)
    buyer = UserFactory.create()
    claim = issued_claim(user)
    fund_pool(1_000)  # all the pool holds besides the issuance's own share
    sent = post_json(
        client,
        "/api/transfers/",
        {"block": claim["issuance"]["block"], "quantity_kg": 6_000, "to_organization": buyer.organization_id},
    )
    assert sent.status_code == 201, sent.content
    certificate = retire(organization=buyer.organization, block=CreditBlock.objects.get(owner=buyer.organization))

    response = post_json(verifier_client, REVERSE.format(claim["id"]), {"reason": "Inverter logs contradict the meter"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["compensation_kg"], body["buffer_cancelled_kg"], body["shortfall_kg"]) == (6_000, 1_000, 5_000)
    assert pool_available_kg() == 0
    shortfall = BufferShortfall.objects.get()
    assert (shortfall.organization, shortfall.quantity_kg, shortfall.reversal.claim_id) == (owner, 5_000, claim["id"])
    owner.refresh_from_db()
    assert owner.verification_status == "suspended"
    change = owner.status_changes.first()
    assert (change.to_status, change.changed_by) == ("suspended", verifier)
    assert "5,000 kg" in change.note and "pending review" in change.note
    assert client.get("/api/me/").json()["organization"]["verification_status"] == "suspended"
    buffer_cancel = LedgerEntry.objects.get(kind="buffer_cancel").payload
    assert (buffer_cancel["required_kg"], buffer_cancel["quantity_kg"], buffer_cancel["shortfall_kg"]) == (
        6_000,
        1_000,
        5_000,
    )
    report = conservation()
    assert report.ok, report.differences
    assert report.unbacked_kg == 5_000
    assert replay().ok and ledger_verify().ok
    checkpoint_create()
    verified = client.get(f"/api/certificates/verify/{certificate.public_id}/").json()
    assert verified["valid"] is True
    assert verified["certificate"]["issuance_reversal"]["compensated"] is False
    page = client.get(f"/certificates/{certificate.public_id}/").content.decode()
    assert "Issuance reversed, partly compensated" in page
    assert "5,000 kg are not compensated yet" in page


def test_a_shortfall_suspension_withdraws_the_owners_other_listings(user, verifier_client):
    client = client_for(user)
    claim = issued_claim(user)
    other = submit(user, CARDBOARD).json()  # a second issuance of the owner's, partly on offer
    assert other["status"] == "approved", other["verification"]["reasons"]
    offer = post_json(
        client, "/api/listings/", {"block": other["issuance"]["block"], "quantity_kg": 2_000, "price_per_tonne": "9.00"}
    )
    assert offer.status_code == 201
    gone = {
        "block": claim["issuance"]["block"],
        "quantity_kg": 20_000,
        "to_organization": UserFactory.create().organization_id,
    }
    assert post_json(client, "/api/transfers/", gone).status_code == 201
    # The pool holds the two issuances' own buffer shares only: far less than the 20 t given away.

    response = post_json(verifier_client, REVERSE.format(claim["id"]), {"reason": "Double counted"})

    assert response.status_code == 200, response.content
    assert response.json()["buffer_cancelled_kg"] == other["issuance"]["buffer_kg"]
    assert response.json()["shortfall_kg"] == 20_000 - other["issuance"]["buffer_kg"]
    listing = Listing.objects.get(pk=offer.json()["id"])
    assert listing.status == "withdrawn"
    delist = LedgerEntry.objects.get(kind="delist")
    assert delist.payload["memo"] == {"listing": str(listing.pk), "reason": "organization suspended"}
    assert CreditBlock.objects.get(pk=listing.block_id).status == "available"  # not this issuance's: kept
    assert_open_counts_agree()
    assert replay().ok and conservation().ok


def test_the_owners_next_claims_go_to_review(user, verifier_client):
    claim = issued_claim(user)
    fund_pool(1_000)
    assert post_json(verifier_client, REVERSE.format(claim["id"]), {"reason": "Copied meter data"}).status_code == 200

    after = submit(user, CARDBOARD).json()

    assert after["status"] == "needs_review", after["verification"]["reasons"]
    # The reversal alone sends it there: no other rule asks for a verifier.
    review = {reason["code"] for reason in after["verification"]["reasons"] if reason["severity"] != "info"}
    assert review == {"issuances_reversed"}
    assessment = Assessment.objects.get(claim_id=after["id"])
    assert assessment.context["trust"]["reversed_issuances"] == 1
    replayed = assessment_replay(assessment=assessment)  # the fact is recorded, so the replay agrees
    assert replayed.decision == "needs_review"
    assert "issuances_reversed" in {reason.code for reason in replayed.reasons}


def test_a_verifier_approved_issuance_can_be_reversed_and_was_never_sampled(user, verifier_client, settings):
    settings.AUDIT_MIN_RATE = settings.AUDIT_MAX_RATE = Decimal(1)  # every automatic issuance is drawn
    pending = submit(user, REVIEW).json()
    approved = post_json(verifier_client, f"/api/verifications/{pending['id']}/approve/", {"note": "bills checked"})
    assert approved.status_code == 200, approved.content
    memo = LedgerEntry.objects.get(kind="issue").payload["memo"]
    assert "audit_rate" not in memo and "audit_period" not in memo
    assert not Audit.objects.exists()
    fund_pool(1_000)

    response = post_json(verifier_client, REVERSE.format(pending["id"]), {"reason": "Baseline bills were estimates"})

    assert response.status_code == 200, response.content
    assert ClaimReversal.objects.get(claim_id=pending["id"]).audit is None


def test_claim_lists_with_reversed_claims_keep_a_constant_query_count(
    user, verifier_client, django_assert_max_num_queries
):
    client = client_for(user)
    case = HONEST[0]
    ids = []
    for n in range(3):
        evidence = monthly_evidence(*case.period, 70_000, weights=solar_shape("IN"), prefix=f"P{n}")
        project = case_project(user.organization, case)
        ids.append(client.post(URL, {**case_body(project, case), "evidence": evidence}, format="json").json()["id"])
    fund_pool(1_000)
    for claim_id in ids[:2]:
        assert post_json(verifier_client, REVERSE.format(claim_id), {"reason": "r"}).status_code == 200

    with django_assert_max_num_queries(4):
        mine = client.get(URL).json()
    with django_assert_max_num_queries(5):
        queue = verifier_client.get(QUEUE).json()

    for listing in (mine, queue):
        reversed_ = {claim["id"]: claim["reversal"] for claim in listing["results"] if claim["reversal"]}
        assert sorted(reversed_) == sorted(ids[:2])
        # Nothing of them was sold: each reversal cancelled what the owner held, and needed no buffer_cancel.
        seqs = [entry["seq"] for reversal in reversed_.values() for entry in reversal["ledger_entries"]]
        assert sorted(LedgerEntry.objects.filter(seq__in=seqs).values_list("kind", flat=True)) == ["cancel", "cancel"]
