"""Approvals racing on PostgreSQL with real threads: the claim row lock makes issuance happen once."""

import pytest

from ledger.models import CreditBlock
from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.verification.concurrency import outcomes, race
from tests.verification.test_issuance import QUEUE, REVIEW, assert_ledger_sound, issue_entries, submit
from verification.models import ClaimIssuance, ReductionClaim

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def decide(client, claim_id: int, verb: str):
    return lambda: client.post(f"{QUEUE}{claim_id}/{verb}/", {"note": f"{verb} in a race"}, format="json")


def pending_claim(user) -> int:
    response = submit(user, REVIEW)
    assert response.json()["status"] == "needs_review"
    return response.json()["id"]


def test_two_concurrent_approvals_issue_exactly_once(user):
    claim_id = pending_claim(user)
    verifiers = [client_for(UserFactory.create(verifier=True)) for _ in range(2)]

    responses = race([decide(client, claim_id, "approve") for client in verifiers])

    assert outcomes(responses) == ["200", "409"], responses
    loser = next(r for r in responses if r.status_code == 409)
    assert loser.json()["code"] == "claim_not_pending"
    issuance = ClaimIssuance.objects.get()
    assert issuance.claim_id == claim_id
    entries = issue_entries()
    assert [entry.seq for entry in entries] == [issuance.ledger_entry_id]
    assert entries[0].payload["memo"]["claim"] == str(claim_id)
    assert set(CreditBlock.objects.values_list("id", flat=True)) == {issuance.owner_block_id, issuance.buffer_block_id}
    assert_ledger_sound()


def test_approval_racing_a_rejection_either_issues_once_or_not_at_all(user):
    claim_id = pending_claim(user)
    approver, rejecter = (client_for(UserFactory.create(verifier=True)) for _ in range(2))

    responses = race([decide(approver, claim_id, "approve"), decide(rejecter, claim_id, "reject")])

    assert outcomes(responses) == ["200", "409"], responses
    status = ReductionClaim.objects.get(pk=claim_id).status
    winner = "approved" if responses[0].status_code == 200 else "rejected"
    assert status == winner
    issued = 1 if status == "approved" else 0
    assert ClaimIssuance.objects.count() == len(issue_entries()) == issued
    assert CreditBlock.objects.count() == 2 * issued
    assert_ledger_sound()
