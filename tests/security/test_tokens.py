"""Tokens that must not work: expired, blacklisted, forged, of the wrong type, of a disabled user."""

from datetime import timedelta

import jwt
import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PROTECTED = "/api/holdings/"


def bearer(token) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def expired_access_token(user) -> AccessToken:
    token = AccessToken.for_user(user)
    token.set_exp(from_time=timezone.now() - timedelta(hours=1), lifetime=timedelta(minutes=15))
    return token


def test_a_valid_access_token_works(user):
    # The baseline the tests below break one property of.
    assert bearer(AccessToken.for_user(user)).get(PROTECTED).status_code == 200


def test_an_expired_access_token_is_401(user):
    response = bearer(expired_access_token(user)).get(PROTECTED)

    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_refresh_token_is_401(api_client, user):
    refresh = RefreshToken.for_user(user)
    refresh.set_exp(from_time=timezone.now() - timedelta(days=30), lifetime=timedelta(days=7))

    assert api_client.post("/api/token/refresh/", {"refresh": str(refresh)}, format="json").status_code == 401


def test_a_blacklisted_refresh_token_is_401_and_its_rotation_too(api_client):
    user = UserFactory.create(email="leaver@example.com")
    pair = api_client.post("/api/token/", {"email": user.email, "password": PASSWORD}, format="json").json()
    rotated = api_client.post("/api/token/refresh/", {"refresh": pair["refresh"]}, format="json").json()

    logout = bearer(rotated["access"]).post("/api/token/blacklist/", {"refresh": rotated["refresh"]}, format="json")

    assert logout.status_code == 200
    for refresh in (rotated["refresh"], pair["refresh"]):  # the logged-out one, and the one it replaced
        response = api_client.post("/api/token/refresh/", {"refresh": refresh}, format="json")
        assert response.status_code == 401
        assert response.json()["code"] == "token_not_valid"


def test_a_refresh_token_is_not_an_access_token(user):
    assert bearer(RefreshToken.for_user(user)).get(PROTECTED).status_code == 401


@pytest.mark.parametrize("algorithm_and_key", [("HS256", "not-the-server-secret-but-long-enough-32b"), ("none", None)])
def test_a_token_not_signed_with_the_servers_key_is_401(user, algorithm_and_key):
    algorithm, key = algorithm_and_key
    claims = dict(AccessToken.for_user(user).payload)

    forged = jwt.encode(claims, key, algorithm=algorithm)

    assert bearer(forged).get(PROTECTED).status_code == 401


def test_a_disabled_users_token_stops_working(user):
    token = AccessToken.for_user(user)
    user.is_active = False
    user.save(update_fields=["is_active"])

    assert bearer(token).get(PROTECTED).status_code == 401
