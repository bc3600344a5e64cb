"""Verifier review: the queue, reject, 409 on a decided claim, permissions, admin actions."""

import pytest
from django.contrib.auth.models import Permission

from ledger.models import CreditBlock, LedgerEntry
from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.verification.factories import project_for
from tests.verification.test_claims_api import URL, solar_body
from verification.models import ClaimIssuance, EvidenceItem, ReductionClaim

QUEUE = "/api/verifications/"


@pytest.fixture
def pending(user, settings):
    settings.VERIFICATION_REVIEW_SIZE_KG = 1
    response = client_for(user).post(URL, solar_body(project_for(user.organization)), format="json")
    assert response.json()["status"] == "needs_review"
    return response.json()


@pytest.mark.django_db
def test_queue_lists_claims_that_need_review(verifier_client, pending, user):
    client_for(user).post(
        URL, solar_body(project_for(user.organization, country="GB"), kwp=100, kwh=300_000, prefix="X"), format="json"
    )

    queue = verifier_client.get(QUEUE, {"decision": "needs_review"}).json()

    assert [item["id"] for item in queue["results"]] == [pending["id"]]
    assert queue["results"][0]["verification"]["screening_label"] == "automated screening"
    assert verifier_client.get(QUEUE).json()["count"] == 2
    assert verifier_client.get(QUEUE, {"decision": "maybe"}).status_code == 400


@pytest.mark.django_db
def test_members_cannot_review(auth_client, pending):
    assert auth_client.get(QUEUE).status_code == 403
    assert auth_client.post(f"{QUEUE}{pending['id']}/approve/", {"note": "mine"}, format="json").status_code == 403


@pytest.mark.django_db
def test_reject_records_the_review_and_frees_the_evidence(verifier_client, verifier, pending):
    response = verifier_client.post(
        f"{QUEUE}{pending['id']}/reject/", {"note": "meter photos unreadable"}, format="json"
    )

    assert response.status_code == 200
    data = response.json()
    assert data["decision"] == "rejected"
    assert data["verification"]["screening_decision"] == "needs_review"
    assert data["verification"]["review"]["note"] == "meter photos unreadable"
    assert data["verification"]["review"]["reviewer"] == "CarbonCred verifier"  # never the verifier's address
    assert data["issuance"] is None
    assert not EvidenceItem.objects.filter(active=True).exists()


@pytest.mark.django_db
def test_deciding_a_decided_claim_is_409(verifier_client, pending):
    verifier_client.post(f"{QUEUE}{pending['id']}/reject/", {"note": "no"}, format="json")

    again = verifier_client.post(f"{QUEUE}{pending['id']}/reject/", {"note": "no"}, format="json")
    approve = verifier_client.post(f"{QUEUE}{pending['id']}/approve/", {"note": "yes"}, format="json")

    assert again.status_code == approve.status_code == 409
    assert approve.json()["code"] == "claim_not_pending"


@pytest.mark.django_db
def test_unknown_claim_is_404(verifier_client):
    assert verifier_client.post(f"{QUEUE}999999/approve/", {"note": ""}, format="json").status_code == 404


@pytest.mark.django_db
def test_verifier_cannot_review_own_organisation(pending, user):
    colleague = UserFactory.create(organization=user.organization, verifier=True)

    response = client_for(colleague).post(f"{QUEUE}{pending['id']}/reject/", {"note": ""}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "conflict_of_interest"


@pytest.mark.django_db
def test_admin_reject_action_calls_the_service(client, pending):
    admin = UserFactory.create(is_staff=True, is_superuser=True)
    client.force_login(admin)

    response = client.post(
        "/admin/verification/reductionclaim/",
        {"action": "reject_claims", "_selected_action": [pending["id"]]},
        follow=True,
    )

    assert response.status_code == 200
    claim = ReductionClaim.objects.get(pk=pending["id"])
    assert claim.status == "rejected"
    assert claim.reviewed_by == admin


@pytest.mark.django_db
def test_admin_approve_action_issues_the_credits_once(client, pending):
    admin = UserFactory.create(is_staff=True, is_superuser=True)
    client.force_login(admin)
    action = {"action": "approve_claims", "_selected_action": [pending["id"]]}

    client.post("/admin/verification/reductionclaim/", action, follow=True)
    again = client.post("/admin/verification/reductionclaim/", action, follow=True)

    claim = ReductionClaim.objects.get(pk=pending["id"])
    assert (claim.status, claim.reviewed_by) == ("approved", admin)
    issuance = ClaimIssuance.objects.get(claim=claim)
    assert issuance.total_kg == claim.computed_reduction_kg
    assert issuance.owner_block.owner_id == claim.project.owner_id
    assert list(LedgerEntry.objects.filter(kind="issue").values_list("seq", flat=True)) == [issuance.ledger_entry_id]
    assert "The claim is approved" in again.content.decode()
    assert client.get(f"/admin/verification/claimissuance/{issuance.pk}/change/").status_code == 200
    assert client.get(f"/admin/verification/reductionclaim/{claim.pk}/change/").status_code == 200


@pytest.mark.django_db
def test_admin_review_actions_are_for_verifiers_only(client, pending):
    staff = UserFactory.create(is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="verification"))
    client.force_login(staff)

    page = client.get("/admin/verification/reductionclaim/")
    client.post(
        "/admin/verification/reductionclaim/",
        {"action": "approve_claims", "_selected_action": [pending["id"]]},
        follow=True,
    )

    assert page.status_code == 200 and "approve_claims" not in page.content.decode()
    assert ReductionClaim.objects.get(pk=pending["id"]).status == "needs_review"
    assert not LedgerEntry.objects.exists()


def _suspend(claim_id: int, status: str) -> None:
    project = ReductionClaim.objects.get(pk=claim_id).project
    project.status = status
    project.save(update_fields=["status"])


def _nothing_issued(claim_id: int) -> None:
    claim = ReductionClaim.objects.get(pk=claim_id)
    assert claim.status == "needs_review"
    assert claim.reviewed_by is None
    assert not ClaimIssuance.objects.exists()
    assert not LedgerEntry.objects.exists()
    assert not CreditBlock.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["suspended", "closed"])
def test_approving_a_claim_of_a_project_no_longer_active_is_409_and_issues_nothing(verifier_client, pending, status):
    _suspend(pending["id"], status)

    response = verifier_client.post(f"{QUEUE}{pending['id']}/approve/", {"note": "looks fine"}, format="json")

    assert response.status_code == 409, response.content
    assert response.json()["code"] == "project_not_active"
    _nothing_issued(pending["id"])


@pytest.mark.django_db
def test_admin_approve_action_issues_nothing_for_a_suspended_project(client, pending):
    client.force_login(UserFactory.create(is_staff=True, is_superuser=True))
    _suspend(pending["id"], "suspended")

    response = client.post(
        "/admin/verification/reductionclaim/",
        {"action": "approve_claims", "_selected_action": [pending["id"]]},
        follow=True,
    )

    assert response.status_code == 200
    assert "The project is suspended: no credits can be issued" in response.content.decode()
    _nothing_issued(pending["id"])


@pytest.mark.django_db
def test_a_suspended_project_can_still_have_its_claim_rejected(verifier_client, pending):
    _suspend(pending["id"], "suspended")

    response = verifier_client.post(f"{QUEUE}{pending['id']}/reject/", {"note": "project suspended"}, format="json")

    assert response.status_code == 200
    assert ReductionClaim.objects.get(pk=pending["id"]).status == "rejected"
