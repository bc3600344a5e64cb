"""Finding 1: the admin's sign-in locks out exactly like ``/api/token/``.

The admin form posts ``username`` while the lockout was keyed on ``email``: failures were counted
under no name at all, so after five wrong guesses the right password still signed in, and the 429
that wrong guesses got (while right ones did not) told an attacker which guess was right. Now both
sign-ins count failures under the same normalised e-mail address, and once locked out every
attempt, right or wrong password, gets the same 429 and no session.
"""

import pytest
from django.conf import settings
from django.test import Client

from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = "/admin/login/"
EMAIL = "operator@example.com"


@pytest.fixture
def staff(db):
    return UserFactory.create(email=EMAIL, is_staff=True, is_superuser=True)


def admin_sign_in(client: Client, username: str, password: str):
    return client.post(ADMIN_LOGIN, {"username": username, "password": password, "next": "/admin/"})


def token_sign_in(client: Client, email: str, password: str):
    return client.post("/api/token/", {"email": email, "password": password}, content_type="application/json")


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_the_right_password_signs_in_to_the_admin(staff):
    """The baseline the lockout breaks: without failures the form works."""
    client = Client()

    assert admin_sign_in(client, EMAIL, PASSWORD).status_code == 302
    assert signed_in(client)


def test_five_wrong_admin_guesses_lock_out_even_the_right_password(staff):
    client = Client()
    guesses = [admin_sign_in(client, EMAIL, f"guess-{n}").status_code for n in range(settings.AXES_FAILURE_LIMIT)]

    right = admin_sign_in(client, EMAIL, PASSWORD)

    assert guesses[:-1] == [200] * (settings.AXES_FAILURE_LIMIT - 1)  # the form again, with its error
    assert right.status_code == 429
    assert not signed_in(client)


def test_a_locked_out_admin_answer_does_not_tell_a_right_password_from_a_wrong_one(staff):
    client = Client()
    for n in range(settings.AXES_FAILURE_LIMIT):
        admin_sign_in(client, EMAIL, f"guess-{n}")

    right, wrong = admin_sign_in(client, EMAIL, PASSWORD), admin_sign_in(client, EMAIL, "another-guess")

    assert right.status_code == wrong.status_code == 429
    assert right.content == wrong.content
    assert right.headers["Retry-After"] == wrong.headers["Retry-After"]
    assert right.headers["Content-Type"] == wrong.headers["Content-Type"]
    assert not signed_in(client)


@pytest.mark.parametrize("spelling", ["OPERATOR@example.com", " operator@EXAMPLE.com "])
def test_admin_failures_count_under_the_normalised_address(staff, spelling):
    client = Client()
    for n in range(settings.AXES_FAILURE_LIMIT):
        admin_sign_in(client, spelling, f"guess-{n}")

    assert admin_sign_in(client, EMAIL, PASSWORD).status_code == 429


def test_failures_at_the_token_endpoint_lock_the_admin_too(staff):
    client = Client()
    for n in range(settings.AXES_FAILURE_LIMIT):
        token_sign_in(client, EMAIL, f"guess-{n}")

    assert admin_sign_in(client, EMAIL, PASSWORD).status_code == 429
    assert not signed_in(client)


def test_failures_at_the_admin_lock_the_token_endpoint_too(staff):
    client = Client()
    for n in range(settings.AXES_FAILURE_LIMIT):
        admin_sign_in(client, EMAIL, f"guess-{n}")

    response = token_sign_in(client, EMAIL, PASSWORD)

    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"


def test_an_admin_lockout_is_per_address_and_client(staff):
    """Five wrong guesses from one client do not lock the account for a client elsewhere."""
    attacker = Client(REMOTE_ADDR="203.0.113.66")
    for n in range(settings.AXES_FAILURE_LIMIT):
        admin_sign_in(attacker, EMAIL, f"guess-{n}")

    owner = Client(REMOTE_ADDR="198.51.100.20")

    assert admin_sign_in(owner, EMAIL, PASSWORD).status_code == 302
