"""Sign-up, sign-in (with the API's lockout and throttle), sign-out, password reset."""

import pytest
from django.conf import settings
from django.core import mail

from accounts.models import User
from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_login_form_labels_are_email_and_password(client):
    html = client.get("/accounts/login/").content.decode()

    assert '<label for="id_email">Email</label>' in html
    assert '<label for="id_password">Password</label>' in html
    assert "csrfmiddlewaretoken" in html


def test_sign_in_opens_the_workspace(client):
    user = UserFactory.create(email="owner@bakery.example")

    response = client.post("/accounts/login/", {"email": "  Owner@Bakery.example ", "password": PASSWORD})

    assert response.status_code == 302 and response["Location"] == "/app/"
    assert client.get("/app/").context["user"] == user


def test_sign_in_refuses_a_wrong_password_plainly(client):
    UserFactory.create(email="owner@bakery.example")

    response = client.post("/accounts/login/", {"email": "owner@bakery.example", "password": "wrong"})

    assert response.status_code == 400
    assert "No account matches this e-mail address and password." in response.content.decode()


def test_sign_in_never_redirects_to_another_site(client):
    UserFactory.create(email="owner@bakery.example")

    response = client.post(
        "/accounts/login/", {"email": "owner@bakery.example", "password": PASSWORD, "next": "https://evil.example/"}
    )

    assert response["Location"] == "/app/"


def test_failures_on_the_page_and_the_api_share_one_lockout(client, api_client, settings):
    UserFactory.create(email="owner@bakery.example")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/accounts/login/", {"email": "OWNER@bakery.example", "password": "wrong"})
    api_client.post("/api/token/", {"email": "owner@bakery.example", "password": "wrong"}, format="json")

    # Locked out now, on both doors, even with the right password.
    page = client.post("/accounts/login/", {"email": "owner@bakery.example", "password": PASSWORD})
    api = api_client.post("/api/token/", {"email": "owner@bakery.example", "password": PASSWORD}, format="json")

    assert page.status_code == 429
    assert api.status_code == 429
    assert "_auth_user_id" not in client.session


def test_sign_in_uses_the_apis_token_throttle(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.THROTTLE_RATES, "token": "2/min"},  # type: ignore[dict-item]
    }
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    # The class reads its rates once, at import; restore exactly what it had, or every later test runs
    # with this test's 2/min token rate.
    original_rates = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES  # type: ignore[assignment]
    try:
        statuses = [
            client.post("/accounts/login/", {"email": f"u{i}@x.example", "password": "nope"}).status_code
            for i in range(3)
        ]
    finally:
        SimpleRateThrottle.THROTTLE_RATES = original_rates

    assert statuses == [400, 400, 429]


def test_sign_up_registers_the_business_through_the_apis_rules(client):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "Anna@Bakery.example",
            "password": "a-long-pass-phrase-9",
            "organization_name": "Anna's Bakery",
            "country": "IN",
        },
    )

    assert response.status_code == 302 and response["Location"] == "/app/"
    user = User.objects.get(email="anna@bakery.example")
    assert user.organization.name == "Anna's Bakery"
    assert client.get("/app/").status_code == 200


def test_sign_up_shows_each_refusal_on_its_field(client):
    UserFactory.create(email="taken@bakery.example")

    response = client.post(
        "/accounts/signup/",
        {"email": "taken@bakery.example", "password": "short", "organization_name": "", "country": "XX"},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "This field may not be blank." in html  # organisation name, the API's message
    assert "is not a valid choice" in html  # country
    assert not User.objects.filter(organization__name="").exists()


def test_sign_out_is_a_post(client):
    user = UserFactory.create()
    client.force_login(user)

    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert client.get("/app/").status_code == 302  # back to the login page


def test_forms_need_their_csrf_token():
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/accounts/login/", {"email": "a@b.example", "password": "x"}).status_code == 403


def test_password_reset_sends_a_link_that_works(client):
    UserFactory.create(email="owner@bakery.example")

    response = client.post("/accounts/password-reset/", {"email": "owner@bakery.example"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line)
    assert link.startswith(settings.PUBLIC_BASE_URL + "/accounts/reset/")  # never the request's Host
    path = link.removeprefix(settings.PUBLIC_BASE_URL)

    form = client.get(path, follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": "a-new-pass-phrase-7", "new_password2": "a-new-pass-phrase-7"}
    )
    assert done.status_code == 302
    signed_in = client.post("/accounts/login/", {"email": "owner@bakery.example", "password": "a-new-pass-phrase-7"})
    assert signed_in.status_code == 302


def test_password_reset_says_the_same_for_an_unknown_address(client):
    response = client.post("/accounts/password-reset/", {"email": "nobody@nowhere.example"})

    assert response.status_code == 302
    assert len(mail.outbox) == 0
