"""Finding 2: one spelling per e-mail address, for sign-in, registration and lockouts.

The lookup was ``email__iexact``, which PostgreSQL folds further than Python's ``lower()``: U+017F
(long s) matched ``s`` and U+0131 (dotless i) matched ``i``, while the lockout was keyed on the
address as typed. A locked-out address signed in again with the other spelling. Addresses are now
normalised once (NFKC, then case folding) at registration and at every sign-in, stored so, looked
up exactly, and the lockout is keyed on the normalised value.
"""

import importlib

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import User
from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

REGISTER = "/api/auth/register/"


def wide(text: str) -> str:
    """``text`` in fullwidth forms (U+FF01..U+FF5E), as an attacker types a look-alike address."""
    return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in text)


def token_sign_in(client: Client, email: str, password: str = PASSWORD):
    return client.post("/api/token/", {"email": email, "password": password}, content_type="application/json")


def lock_out(client: Client, email: str) -> None:
    for n in range(settings.AXES_FAILURE_LIMIT):
        token_sign_in(client, email, f"guess-{n}")


def register(client: Client, email: str):
    body = {
        "email": email,
        "password": "a-long-unusual-passphrase-42",
        "organization_name": "Spoof Ltd",
        "country": "GB",
    }
    return client.post(REGISTER, body, content_type="application/json")


@pytest.mark.parametrize(
    ("address", "spelling"),
    [
        ("sam@example.com", "\u017fam@example.com"),  # U+017F LATIN SMALL LETTER LONG S
        ("jim@example.com", "j\u0131m@example.com"),  # U+0131 LATIN SMALL LETTER DOTLESS I
        (
            "sam@example.com",
            wide("sam@example.com"),
        ),  # fullwidth letters
        ("kim@example.com", "\u212aim@example.com"),  # KELVIN SIGN
    ],
)
def test_a_locked_out_address_stays_locked_out_under_another_spelling(address, spelling):
    UserFactory.create(email=address)
    client = Client()
    lock_out(client, address)

    response = token_sign_in(client, spelling)

    assert response.status_code != 200
    assert response.status_code in (401, 429)
    assert "access" not in response.json()


@pytest.mark.parametrize(
    "spelling",
    [
        "\u017fam@example.com",
        wide("sam@example.com"),
        "SAM@EXAMPLE.COM",
    ],
)
def test_failures_under_any_spelling_count_towards_the_one_lockout(spelling):
    UserFactory.create(email="sam@example.com")
    client = Client()
    lock_out(client, spelling)

    assert token_sign_in(client, "sam@example.com").status_code == 429


def test_a_spelling_that_normalises_to_the_address_signs_in_to_that_account():
    user = UserFactory.create(email="sam@example.com")

    response = token_sign_in(Client(), wide("sam@example.com"))

    assert response.status_code == 200
    me = Client().get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    assert me.json()["id"] == user.pk


def test_dotless_i_is_another_address_not_a_way_into_this_one():
    """Case folding keeps the dotless i (it is not ``i`` in Turkish): the exact lookup finds no one."""
    UserFactory.create(email="jim@example.com")

    assert token_sign_in(Client(), "j\u0131m@example.com").status_code == 401


@pytest.mark.parametrize(
    ("existing", "spelling"),
    [
        ("sam@example.com", "\u017fam@example.com"),
        ("sam@example.com", wide("SAM") + "@example.com"),
        ("strasse@example.com", "straße@example.com"),  # ß case-folds to ss
        ("kim@example.com", "\u212aim@example.com"),
    ],
)
def test_registration_refuses_another_spelling_of_a_registered_address(existing, spelling):
    UserFactory.create(email=existing)

    response = register(Client(), spelling)

    assert response.status_code == 400, response.content
    assert "email" in response.json()["errors"]
    assert User.objects.count() == 1


def test_registration_stores_the_normalised_address():
    response = register(Client(), " Straße@" + wide("EXAMPLE") + ".com ")

    assert response.status_code == 201, response.content
    assert response.json()["email"] == "strasse@example.com"
    assert User.objects.get().email == "strasse@example.com"


def test_a_spelling_registered_first_blocks_the_plain_address():
    """The other order: the long-s spelling first, then the ASCII address is the same one."""
    assert register(Client(), "\u017fam@example.com").status_code == 201

    assert register(Client(), "sam@example.com").status_code == 400
    assert token_sign_in(Client(), "sam@example.com", "a-long-unusual-passphrase-42").status_code == 200


def test_users_made_in_code_are_stored_normalised():
    user = User.objects.create_user(
        email=wide("BOB") + "@Example.COM", password=PASSWORD, organization=UserFactory().organization
    )

    user.refresh_from_db()
    assert user.email == "bob@example.com"


@given(st.text(max_size=40))
def test_normalising_twice_changes_nothing(text):
    from accounts.emails import email_normalize

    once = email_normalize(text)

    assert email_normalize(once) == once


def test_the_admin_refuses_another_spelling_of_an_existing_address(admin_client):
    existing = UserFactory.create(email="bob@example.com")
    body = {
        "email": wide("BOB") + "@example.com",
        "organization": existing.organization_id,
        "password1": "a-long-unusual-passphrase-42",
        "password2": "a-long-unusual-passphrase-42",
        "usable_password": "true",
    }

    response = admin_client.post("/admin/accounts/user/add/", body)

    assert response.status_code == 200  # the form again, with its error
    assert "already exists" in response.content.decode()
    assert User.objects.filter(email="bob@example.com").count() == 1


# --- the data migration ---------------------------------------------------------------------------


def _migration():
    return importlib.import_module("accounts.migrations.0005_email_normalised")


def _store_raw(user, email: str) -> None:
    User.objects.filter(pk=user.pk).update(email=email)  # as rows were stored before: lower() only


def test_the_migration_normalises_existing_addresses():
    fullwidth, plain = UserFactory.create(), UserFactory.create(email="carol@example.com")
    _store_raw(fullwidth, wide("dave") + "@example.com")

    _migration().normalise_emails(django_apps, None)

    assert User.objects.get(pk=fullwidth.pk).email == "dave@example.com"
    assert User.objects.get(pk=plain.pk).email == "carol@example.com"


def test_the_migration_stops_on_a_collision_and_names_both_accounts():
    plain, spoof, other = UserFactory.create(email="sam@example.com"), UserFactory.create(), UserFactory.create()
    _store_raw(spoof, "\u017fam@example.com")
    _store_raw(other, wide("dave") + "@example.com")
    migration = _migration()

    with pytest.raises(migration.EmailCollisionError) as error:
        migration.normalise_emails(django_apps, None)

    assert f"user {plain.pk}" in str(error.value)
    assert f"user {spoof.pk}" in str(error.value)
    # Nothing was changed, not even the address that did not collide.
    assert User.objects.get(pk=other.pk).email == wide("dave") + "@example.com"
    assert User.objects.get(pk=spoof.pk).email == "\u017fam@example.com"
