"""Password change, and reset by e-mail (Django's tokens), through the API."""

import re

import pytest
from django.conf import settings
from django.core import mail

from accounts.models import RefreshTokenFamily, User
from tests.accounts.factories import PASSWORD, UserFactory
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

CHANGE = "/api/auth/password/change/"
RESET = "/api/auth/password/reset/"
CONFIRM = "/api/auth/password/reset/confirm/"
NEW = "a-new-pass-phrase-7"


@pytest.fixture
def person(db):
    return UserFactory.create(email="owner@bakery.example")


def sign_in(api_client, email="owner@bakery.example", password=PASSWORD):
    return api_client.post("/api/token/", {"email": email, "password": password}, format="json")


# --- change ------------------------------------------------------------------------------------


def test_a_wrong_old_password_is_400_and_changes_nothing(person):
    response = client_for(person).post(CHANGE, {"old_password": "not-it", "new_password": NEW}, format="json")

    assert response.status_code == 400 and list(response.json()["errors"]) == ["old_password"]
    assert User.objects.get(pk=person.pk).check_password(PASSWORD)


def test_a_weak_new_password_is_400_naming_it(person):
    response = client_for(person).post(CHANGE, {"old_password": PASSWORD, "new_password": "owner"}, format="json")

    assert response.status_code == 400 and list(response.json()["errors"]) == ["new_password"]
    assert User.objects.get(pk=person.pk).check_password(PASSWORD)


def test_a_change_signs_in_with_the_new_password_and_ends_every_other_sign_in(person, api_client):
    laptop, phone = sign_in(api_client).json(), sign_in(api_client).json()

    response = client_for(person).post(CHANGE, {"old_password": PASSWORD, "new_password": NEW}, format="json")

    assert response.status_code == 200, response.content
    fresh = response.json()["tokens"]
    for old in (laptop, phone):
        refused = api_client.post("/api/token/refresh/", {"refresh": old["refresh"]}, format="json")
        assert refused.status_code == 401
    assert api_client.post("/api/token/refresh/", {"refresh": fresh["refresh"]}, format="json").status_code == 200
    assert sign_in(api_client).status_code == 401
    assert sign_in(api_client, password=NEW).status_code == 200
    revoked = RefreshTokenFamily.objects.filter(user=person, revoked_reason="password").count()
    assert revoked == 2


def test_a_change_needs_a_token(api_client):
    assert api_client.post(CHANGE, {"old_password": PASSWORD, "new_password": NEW}, format="json").status_code == 401


def test_a_suspended_organisations_person_can_still_change_their_password(person):
    person.organization.verification_status = "suspended"
    person.organization.save()

    response = client_for(person).post(CHANGE, {"old_password": PASSWORD, "new_password": NEW}, format="json")

    assert response.status_code == 200


# --- reset -------------------------------------------------------------------------------------


def reset_link_parts(message) -> tuple[str, str]:
    found = re.search(r"/accounts/reset/([^/]+)/([^/]+)/", message.body)
    assert found, message.body
    uid, token = found.groups()
    return uid, token


def test_reset_end_to_end_through_the_email(person, api_client):
    laptop = sign_in(api_client).json()

    asked = api_client.post(RESET, {"email": "OWNER@bakery.example"}, format="json")

    assert asked.status_code == 202
    [message] = mail.outbox
    assert message.to == ["owner@bakery.example"]
    assert f"{settings.PUBLIC_BASE_URL}/accounts/reset/" in message.body
    uid, token = reset_link_parts(message)
    assert f'"uid": "{uid}", "token": "{token}"' in message.body  # spelled out for apps

    done = api_client.post(CONFIRM, {"uid": uid, "token": token, "new_password": NEW}, format="json")

    assert done.status_code == 200, done.content
    assert sign_in(api_client, password=NEW).status_code == 200
    assert api_client.post("/api/token/refresh/", {"refresh": laptop["refresh"]}, format="json").status_code == 401
    again = api_client.post(
        CONFIRM, {"uid": uid, "token": token, "new_password": "yet-another-phrase-8"}, format="json"
    )
    assert again.status_code == 400 and again.json()["code"] == "reset_link_invalid"
    assert sign_in(api_client, password=NEW).status_code == 200


@pytest.mark.parametrize("email", ["nobody@nowhere.example", "removed@bakery.example"])
def test_reset_answers_202_for_any_address_and_mails_nobody_unknown(api_client, email):
    UserFactory.create(email="removed@bakery.example", is_active=False)

    response = api_client.post(RESET, {"email": email}, format="json")

    assert response.status_code == 202
    assert response.json() == {
        "detail": "If an account has this address, an e-mail with a link to choose a new password is on its way."
    }
    assert mail.outbox == []


def test_reset_answers_the_same_body_whether_or_not_the_account_exists(person, api_client):
    known = api_client.post(RESET, {"email": "owner@bakery.example"}, format="json")
    unknown = api_client.post(RESET, {"email": "stranger@bakery.example"}, format="json")

    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(("email", "mailed"), [("not-an-email", 0), ("", 0), (" OWNER@bakery.example\n", 1)])
def test_reset_answers_202_even_for_text_that_is_no_address(person, api_client, email, mailed):
    response = api_client.post(RESET, {"email": email}, format="json")

    assert response.status_code == 202
    assert len(mail.outbox) == mailed


def test_reset_without_an_email_field_is_400(api_client):
    response = api_client.post(RESET, {"mail": "owner@bakery.example"}, format="json")

    assert response.status_code == 400 and list(response.json()["errors"]) == ["email"]


@pytest.mark.parametrize(
    "parts",
    [
        {"uid": "MQ", "token": "wrong-token"},
        {"uid": "!!!", "token": "x"},
        {"uid": "OTk5OTk5OTk5OTk5OTk5OTk5OTk5OQ", "token": "x"},  # 9999999999999999999999: no user
        {"uid": "", "token": ""},
    ],
)
def test_a_bad_reset_link_is_400_and_changes_nothing(person, api_client, parts):
    response = api_client.post(CONFIRM, {**parts, "new_password": NEW}, format="json")

    assert response.status_code == 400
    assert User.objects.get(pk=person.pk).check_password(PASSWORD)


def test_a_reset_with_a_weak_password_is_400_and_the_link_still_works(person, api_client):
    api_client.post(RESET, {"email": "owner@bakery.example"}, format="json")
    uid, token = reset_link_parts(mail.outbox[0])

    weak = api_client.post(CONFIRM, {"uid": uid, "token": token, "new_password": "bakery"}, format="json")
    strong = api_client.post(CONFIRM, {"uid": uid, "token": token, "new_password": NEW}, format="json")

    assert weak.status_code == 400 and list(weak.json()["errors"]) == ["new_password"]
    assert strong.status_code == 200


def test_the_web_reset_also_ends_api_sign_ins(person, api_client, client):
    laptop = sign_in(api_client).json()
    client.post("/accounts/password-reset/", {"email": "owner@bakery.example"})
    uid, token = reset_link_parts(mail.outbox[0])

    form = client.get(f"/accounts/reset/{uid}/{token}/", follow=True)
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})

    assert done.status_code == 302
    assert api_client.post("/api/token/refresh/", {"refresh": laptop["refresh"]}, format="json").status_code == 401


@pytest.mark.parametrize("email", ["owner@bakery.example", "stranger@bakery.example"])
def test_a_reset_request_enqueues_one_task_and_sends_nothing_itself(
    person, api_client, settings, email, django_assert_num_queries
):
    """The request does the same work for any address (one task queued, no lookup, no mail server),
    so its timing tells nothing either; the worker sends the e-mail."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    from django.tasks import task_backends

    from accounts.passwords import password_reset_mail_task

    with django_assert_num_queries(0):  # no lookup of the address
        response = api_client.post(RESET, {"email": email}, format="json")

    assert response.status_code == 202 and mail.outbox == []
    [queued] = task_backends["default"].results  # type: ignore[attr-defined]  # the dummy backend's list
    assert queued.args == [] and queued.kwargs == {"email": email}
    password_reset_mail_task.call(**queued.kwargs)  # as the worker will
    assert len(mail.outbox) == (1 if email == "owner@bakery.example" else 0)
