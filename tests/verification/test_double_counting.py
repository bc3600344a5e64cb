"""Double issuance (overlapping periods) and double counting (reused evidence), also under races
(PostgreSQL, real threads), where the ledger must show at most the winning claim issued."""

from functools import partial

import pytest
from django.db import IntegrityError, transaction

from ledger.audit import ledger_verify, replay
from ledger.models import LedgerEntry
from tests.conftest import client_for
from tests.verification.concurrency import outcomes, race
from tests.verification.factories import NORTHERN_SOLAR_SHAPE, claim_body, monthly_evidence, project_for
from tests.verification.test_claims_api import URL, solar_body
from verification.models import ClaimIssuance, EvidenceItem, ReductionClaim


@pytest.fixture
def review_everything(settings):
    settings.VERIFICATION_REVIEW_SIZE_KG = 1


def codes(response):
    return {r["code"] for r in response.json()["verification"]["reasons"]}


@pytest.mark.django_db
def test_overlapping_period_of_same_project_is_rejected(auth_client, user, review_everything):
    project = project_for(user.organization)
    first = auth_client.post(URL, solar_body(project), format="json")

    second = auth_client.post(
        URL, solar_body(project, kwh=35_000, period=("2024-06-01", "2024-11-30"), prefix="B"), format="json"
    )

    assert first.json()["status"] == "needs_review"
    assert second.status_code == 201
    assert second.json()["status"] == "rejected"
    assert "period_overlaps_earlier_claim" in codes(second)


@pytest.mark.django_db
def test_adjacent_period_and_freed_period_are_accepted(auth_client, user, verifier_client, review_everything):
    project = project_for(user.organization)
    first = auth_client.post(URL, solar_body(project, period=("2023-01-01", "2023-12-31"), prefix="A"), format="json")
    adjacent = auth_client.post(URL, solar_body(project, prefix="B"), format="json")
    assert adjacent.json()["status"] == "needs_review"

    verifier_client.post(f"/api/verifications/{adjacent.json()['id']}/reject/", {"note": "bad meter"}, format="json")
    again = auth_client.post(URL, solar_body(project, prefix="B"), format="json")

    assert first.json()["status"] == "needs_review"
    assert again.json()["status"] == "needs_review", "a rejected claim frees its period and its evidence"


@pytest.mark.django_db
def test_reused_evidence_reference_is_rejected(auth_client, user, review_everything):
    one, two = project_for(user.organization), project_for(user.organization)
    auth_client.post(URL, solar_body(one, prefix="INV"), format="json")

    reuse = solar_body(two, prefix="inv ")  # "inv -2024-01" normalises to the same reference
    response = auth_client.post(URL, reuse, format="json")

    assert response.json()["status"] == "rejected"
    assert "evidence_reused" in codes(response)
    assert not EvidenceItem.objects.filter(claim_id=response.json()["id"], active=True).exists()


@pytest.mark.django_db
def test_same_reference_at_another_organisation_goes_to_review(user, review_everything):
    from tests.accounts.factories import UserFactory

    client_for(user).post(URL, solar_body(project_for(user.organization)), format="json")
    other = UserFactory.create()

    response = client_for(other).post(URL, solar_body(project_for(other.organization)), format="json")

    assert "evidence_reference_seen_elsewhere" in codes(response)
    assert response.json()["status"] == "needs_review"


@pytest.mark.django_db
def test_database_refuses_reused_live_reference(user):
    project = project_for(user.organization)
    claims = [
        ReductionClaim.objects.create(
            project=project,
            submitted_by=user,
            period_start=f"{year}-01-01",
            period_end=f"{year}-12-31",
            parameters={},
            computed_reduction_kg=1,
            status="needs_review",
        )
        for year in (2023, 2024)
    ]
    fields = {"kind": "invoice", "period_start": "2024-01-01", "period_end": "2024-01-31", "quantity": 1, "unit": "kWh"}
    EvidenceItem.objects.create(claim=claims[0], position=0, organization=user.organization, reference="A-1",
                                reference_key="a1", **fields)  # fmt: skip

    with pytest.raises(IntegrityError), transaction.atomic():
        EvidenceItem.objects.create(claim=claims[1], position=0, organization=user.organization, reference="a 1",
                                    reference_key="a1", **fields)  # fmt: skip


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_database_refuses_overlapping_live_periods(user):
    project = project_for(user.organization)
    common = {"project": project, "submitted_by": user, "parameters": {}, "computed_reduction_kg": 1}
    ReductionClaim.objects.create(period_start="2024-01-01", period_end="2024-06-30", status="needs_review", **common)
    ReductionClaim.objects.create(period_start="2024-03-01", period_end="2024-04-30", status="rejected", **common)

    with pytest.raises(IntegrityError):
        ReductionClaim.objects.create(period_start="2024-06-30", period_end="2024-07-31", status="approved", **common)


def _race(bodies_by_user):
    """POST each (user, body) from its own thread, all released together."""
    clients = [(client_for(user), body) for user, body in bodies_by_user]
    return race([partial(client.post, URL, body, format="json") for client, body in clients])


def honest_solar_body(project, *, prefix):
    """A claim screening approves (India, 50 kWp, 70 MWh metered along the sun's season)."""
    evidence = monthly_evidence("2024-01-01", "2024-12-31", 70_000, weights=NORTHERN_SOLAR_SHAPE, prefix=prefix)
    return claim_body(project, parameters={"capacity_kwp": 50, "generation_kwh": 70_000}, evidence=evidence)


def assert_issued_at_most_to(winner: dict) -> None:
    """Only the winning claim issued, once, if it was approved; the ledger verifies and replays."""
    entries = LedgerEntry.objects.filter(kind="issue")
    issued = winner["status"] == "approved"
    assert [e.payload["memo"]["claim"] for e in entries] == ([str(winner["id"])] if issued else [])
    assert list(ClaimIssuance.objects.values_list("claim_id", flat=True)) == ([winner["id"]] if issued else [])
    assert ledger_verify().ok and replay().ok


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("review", "winner_status"), [(True, "needs_review"), (False, "approved")])
def test_two_concurrent_claims_for_one_period_only_one_holds_it(user, settings, review, winner_status):
    if review:
        settings.VERIFICATION_REVIEW_SIZE_KG = 1
    project = project_for(user.organization)
    bodies = [(user, honest_solar_body(project, prefix=f"R{n}")) for n in range(2)]

    responses = _race(bodies)

    assert outcomes(responses) == ["201", "201"], responses
    statuses = sorted(r.json()["status"] for r in responses)
    assert statuses == sorted([winner_status, "rejected"]), [codes(r) for r in responses]
    loser = next(r.json() for r in responses if r.json()["status"] == "rejected")
    assert "period_overlaps_earlier_claim" in {reason["code"] for reason in loser["verification"]["reasons"]}
    assert ReductionClaim.objects.exclude(status="rejected").count() == 1
    assert_issued_at_most_to(next(r.json() for r in responses if r.json()["status"] == winner_status))


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("review", "winner_status"), [(True, "needs_review"), (False, "approved")])
def test_two_concurrent_claims_reusing_evidence_only_one_keeps_it(user, settings, review, winner_status):
    if review:
        settings.VERIFICATION_REVIEW_SIZE_KG = 1
    bodies = [(user, honest_solar_body(project_for(user.organization), prefix="SAME")) for _ in range(2)]

    responses = _race(bodies)

    assert outcomes(responses) == ["201", "201"], responses
    statuses = sorted(r.json()["status"] for r in responses)
    assert statuses == sorted([winner_status, "rejected"])
    assert EvidenceItem.objects.filter(active=True).count() == 12
    assert_issued_at_most_to(next(r.json() for r in responses if r.json()["status"] == winner_status))
