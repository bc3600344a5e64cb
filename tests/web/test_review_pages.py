"""The verifiers' queue: 403 for everyone else; evidence and reasons side by side; decisions
through the review services."""

import datetime
from decimal import Decimal

import pytest

from verification.models import ReductionClaim
from verification.services import claim_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(sme, settings):
    """A claim screening sends to a verifier (above the review size)."""
    from tests.verification.factories import project_for, solar_evidence

    settings.VERIFICATION_REVIEW_SIZE_KG = 1000
    project = project_for(sme.organization, category="solar", country="IN")
    claim = claim_submit(
        submitted_by=sme,
        project_id=project.pk,
        period_start=datetime.date(2024, 1, 1),
        period_end=datetime.date(2024, 12, 31),
        parameters={"capacity_kwp": Decimal(50), "generation_kwh": Decimal(70000)},
        evidence=[
            {
                **item,
                "period_start": datetime.date.fromisoformat(item["period_start"]),
                "period_end": datetime.date.fromisoformat(item["period_end"]),
                "quantity": Decimal(item["quantity"]),
            }
            for item in solar_evidence("2024-01-01", "2024-12-31", 70000, country="IN")
        ],
    )
    assert claim.status == ReductionClaim.Status.NEEDS_REVIEW
    return claim


def test_review_is_for_verifiers_only(client, sme_client, pending):
    assert client.get("/app/review/").status_code == 302
    forbidden = sme_client.get("/app/review/")
    assert forbidden.status_code == 403
    assert "You may not open this page" in forbidden.content.decode()
    assert sme_client.get(f"/app/review/claims/{pending.pk}/").status_code == 403
    assert sme_client.post(f"/app/review/claims/{pending.pk}/approve/").status_code == 403


def test_the_queue_lists_claims_waiting(verifier_session, pending, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = verifier_session.get("/app/review/")

    assert response.status_code == 200
    assert f"Claim {pending.pk}" in response.content.decode()


def test_a_claim_shows_evidence_beside_the_screening(verifier_session, pending):
    html = verifier_session.get(f"/app/review/claims/{pending.pk}/").content.decode()

    assert "Evidence and figures" in html and "Screening" in html
    assert "MTR-2024-01" in html
    assert "Why a verifier looks at it" in html
    assert "Approve and issue" in html


def test_approve_issues_through_the_review_service(verifier_session, pending):
    response = verifier_session.post(f"/app/review/claims/{pending.pk}/approve/", {"note": "Meter photos match."})

    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == ReductionClaim.Status.APPROVED
    assert pending.issuance.quantity_kg > 0


def test_reject_then_a_second_decision_is_refused(verifier_session, pending):
    assert (
        verifier_session.post(f"/app/review/claims/{pending.pk}/reject/", {"note": "Photos unreadable."}).status_code
        == 302
    )
    again = verifier_session.post(f"/app/review/claims/{pending.pk}/approve/", {"note": ""})

    assert again.status_code == 409
    assert "only a claim that needs review can be decided" in again.content.decode()
    pending.refresh_from_db()
    assert pending.status == ReductionClaim.Status.REJECTED


def test_an_unknown_claim_is_404(verifier_session):
    assert verifier_session.get("/app/review/claims/999999/").status_code == 404
    assert verifier_session.post("/app/review/claims/999999/approve/").status_code == 404
