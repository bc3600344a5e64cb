"""Finding 3: refresh-token rotation cannot fork, and reuse of a rotated token revokes its family.

The same refresh token sent 8 times at once used to come back with several new refresh tokens,
each the head of an independent chain: whoever had stolen the token kept a chain of their own.
Now exactly one concurrent use succeeds (the rotation locks the token's family row), and any use
of a refresh token that was already rotated — by a thief or by the real client, the server cannot
tell — revokes every refresh token of that sign-in, as the OAuth 2.0 Security BCP (RFC 9700,
§4.14.2) recommends. Access tokens already issued run out on their own (15 minutes).
"""

import pytest
from rest_framework.test import APIClient

from tests.accounts.factories import PASSWORD, UserFactory
from tests.verification.concurrency import race

REFRESH = "/api/token/refresh/"


def sign_in(email: str) -> dict:
    response = APIClient().post("/api/token/", {"email": email, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def refresh(token: str):
    return APIClient().post(REFRESH, {"refresh": token}, format="json")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_uses_of_one_refresh_token_rotate_it_once():
    user = UserFactory.create()
    token = sign_in(user.email)["refresh"]

    results = race([lambda: refresh(token) for _ in range(8)])

    statuses = sorted(response.status_code for response in results)
    assert statuses == [200] + [401] * 7, statuses
    losers = [response.json() for response in results if response.status_code == 401]
    assert all(body["code"] == "token_not_valid" for body in losers), losers
    # The seven late uses were uses of a rotated token: the family is revoked, so even the one new
    # refresh token handed out is refused; no chain survives for anyone to continue.
    (winner,) = [response.json() for response in results if response.status_code == 200]
    assert refresh(winner["refresh"]).status_code == 401


@pytest.mark.django_db
def test_reusing_a_rotated_refresh_token_revokes_the_whole_family():
    user = UserFactory.create()
    first = sign_in(user.email)["refresh"]
    second = refresh(first).json()["refresh"]
    third = refresh(second).json()["refresh"]  # the real client's current token

    reuse = refresh(first)  # a stolen copy of an old token

    assert reuse.status_code == 401
    assert reuse.json()["code"] == "token_not_valid"
    assert refresh(third).status_code == 401  # the current token died with its family
    assert refresh(second).status_code == 401


@pytest.mark.django_db
def test_a_revoked_family_leaves_the_users_other_sign_ins_alone():
    user = UserFactory.create()
    laptop, phone = sign_in(user.email)["refresh"], sign_in(user.email)["refresh"]
    refresh(laptop)

    refresh(laptop)  # reuse: the laptop's family is revoked

    assert refresh(phone).status_code == 200


@pytest.mark.django_db
def test_rotation_keeps_working_along_one_chain():
    """The baseline: a client that always sends its newest refresh token can go on for ever."""
    user = UserFactory.create()
    token = sign_in(user.email)["refresh"]

    for _ in range(5):
        response = refresh(token)
        assert response.status_code == 200
        assert response.json()["access"]
        token = response.json()["refresh"]


@pytest.mark.django_db
def test_logging_out_ends_the_family():
    user = UserFactory.create()
    pair = sign_in(user.email)
    rotated = refresh(pair["refresh"]).json()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {rotated['access']}")

    assert client.post("/api/token/blacklist/", {"refresh": rotated["refresh"]}, format="json").status_code == 200

    assert refresh(rotated["refresh"]).status_code == 401
    assert refresh(pair["refresh"]).status_code == 401


@pytest.mark.django_db
def test_a_deactivated_user_cannot_rotate():
    user = UserFactory.create()
    token = sign_in(user.email)["refresh"]
    user.is_active = False
    user.save(update_fields=["is_active"])

    assert refresh(token).status_code == 401
