"""Finding 9a: a claimant never sees the e-mail address of the verifier who reviewed the claim.

The review block of a claim named its verifier by e-mail address: personal data of the registry's
staff, and a target for phishing. It now shows the verifier's name (as they set it) or their role.
"""

import pytest

from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.verification.factories import project_for
from tests.verification.test_claims_api import URL, solar_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed(user, settings):
    """A claim of ``user``'s organisation, reviewed (approved) by a verifier of the registry."""
    settings.VERIFICATION_REVIEW_SIZE_KG = 1
    claim = client_for(user).post(URL, solar_body(project_for(user.organization)), format="json").json()
    assert claim["status"] == "needs_review"
    verifier = UserFactory.create(verifier=True, email="jane.reviewer@registry.example")
    response = client_for(verifier).post(f"/api/verifications/{claim['id']}/approve/", {"note": "ok"}, format="json")
    assert response.status_code == 200, response.content
    return claim["id"], verifier


def test_the_claimant_sees_the_verifiers_role_not_their_address(reviewed, user):
    claim_id, verifier = reviewed

    detail = client_for(user).get(f"{URL}{claim_id}/")
    listing = client_for(user).get(URL)

    for response in (detail, listing):
        assert response.status_code == 200
        assert verifier.email not in response.content.decode()
        assert "@" not in response.content.decode().replace("@example.com", "")  # no other address either
    review = detail.json()["verification"]["review"]
    assert review["reviewer"] == "CarbonCred verifier"
    assert review["reviewer_role"] == "verifier"
    assert review["note"] == "ok"


def test_a_verifier_who_set_a_name_is_shown_by_that_name(user, settings):
    settings.VERIFICATION_REVIEW_SIZE_KG = 1
    claim = client_for(user).post(URL, solar_body(project_for(user.organization)), format="json").json()
    verifier = UserFactory.create(verifier=True, full_name="Jane Okafor", email="jane@registry.example")
    client_for(verifier).post(f"/api/verifications/{claim['id']}/reject/", {"note": "no"}, format="json")

    review = client_for(user).get(f"{URL}{claim['id']}/").json()["verification"]["review"]

    assert review["reviewer"] == "Jane Okafor"
    assert "jane@registry.example" not in str(review)
