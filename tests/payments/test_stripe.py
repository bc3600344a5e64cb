"""Card top-ups through Stripe: signed webhook fixtures made with a test secret; no network anywhere."""

import time
from decimal import Decimal
from types import SimpleNamespace

import pytest

from payments import providers
from payments.models import ProviderEvent, TopUp
from tests.payments.helpers import WEBHOOK_SECRET, assert_books_balance, balance, sign, stripe_event

pytestmark = pytest.mark.django_db

WEBHOOK = "/api/payments/stripe/webhook/"


class FakeStripe:
    """Stands in for ``stripe.StripeClient``: records what a PaymentIntent would be created with."""

    def __init__(self) -> None:
        self.created: list[tuple[dict, dict]] = []
        self.v1 = SimpleNamespace(payment_intents=SimpleNamespace(create=self.create))

    def create(self, params, options=None):
        self.created.append((params, options or {}))
        number = len(self.created)
        return SimpleNamespace(id=f"pi_test_{number}", client_secret=f"pi_test_{number}_secret_abc")


@pytest.fixture
def fake_stripe(settings, monkeypatch):
    settings.PAYMENTS_CARD_ENABLED = True
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_suite"
    fake = FakeStripe()
    monkeypatch.setattr(providers, "stripe_client", lambda: fake)
    return fake


@pytest.fixture
def card_top_up(auth_client, fake_stripe):
    response = auth_client.post("/api/balance/top-ups/", {"amount": "25.00", "method": "card"}, format="json")
    assert response.status_code == 201, response.content
    return TopUp.objects.get(pk=response.json()["id"])


def deliver(api_client, payload: bytes, signature: str | None):
    headers = {"HTTP_STRIPE_SIGNATURE": signature} if signature is not None else {}
    return api_client.post(WEBHOOK, payload, content_type="application/json", **headers)


def test_a_card_top_up_creates_one_payment_intent_and_returns_its_client_secret(auth_client, fake_stripe):
    response = auth_client.post("/api/balance/top-ups/", {"amount": "25.00", "method": "card"}, format="json")

    body = response.json()
    assert (body["status"], body["method"]) == ("pending", "card")
    assert body["instructions"]["client_secret"] == "pi_test_1_secret_abc"
    assert body["instructions"]["publishable_key"] == "pk_test_suite"
    (params, options) = fake_stripe.created[0]
    assert (params["amount"], params["currency"]) == (2500, "usd")
    assert params["metadata"]["top_up_id"] == str(body["id"])
    assert options["idempotency_key"] == f"carboncred-top-up-{body['id']}"


def test_a_signed_payment_succeeded_event_credits_the_top_up(user, card_top_up):
    from rest_framework.test import APIClient

    payload = stripe_event(top_up=card_top_up)
    stripe_side = APIClient(enforce_csrf_checks=True)  # no session, no token, no CSRF cookie: Stripe's request

    response = deliver(stripe_side, payload, sign(payload))

    assert response.status_code == 200 and response.json() == {"received": True, "outcome": "credited"}
    card_top_up.refresh_from_db()
    assert card_top_up.status == "completed"
    assert balance(user.organization) == Decimal("25.00")
    assert_books_balance()


def test_an_event_delivered_twice_credits_once(user, api_client, card_top_up):
    payload = stripe_event(top_up=card_top_up, event_id="evt_twice")

    first = deliver(api_client, payload, sign(payload))
    second = deliver(api_client, payload, sign(payload))

    assert [first.json()["outcome"], second.json()["outcome"]] == ["credited", "duplicate"]
    assert second.status_code == 200
    assert balance(user.organization) == Decimal("25.00")
    assert ProviderEvent.objects.count() == 1


def test_another_success_event_for_a_credited_top_up_does_not_credit_again(user, api_client, card_top_up):
    for event_id in ("evt_a", "evt_b"):
        payload = stripe_event(top_up=card_top_up, event_id=event_id)
        deliver(api_client, payload, sign(payload))
    assert balance(user.organization) == Decimal("25.00")
    assert ProviderEvent.objects.get(event_id="evt_b").outcome == "already_completed"


@pytest.mark.parametrize(
    "signature",
    [
        None,
        "",
        "t=1,v1=deadbeef",
        "garbage",
        "forged-with-another-secret",
        "stale",
    ],
)
def test_a_forged_or_missing_signature_is_400_and_nothing_is_credited(user, api_client, card_top_up, signature):
    payload = stripe_event(top_up=card_top_up)
    if signature == "forged-with-another-secret":
        signature = sign(payload, secret="whsec_someone_else")
    elif signature == "stale":
        signature = sign(payload, timestamp=int(time.time()) - 3600)

    response = deliver(api_client, payload, signature)

    assert response.status_code == 400 and response.json()["code"] == "invalid_signature"
    card_top_up.refresh_from_db()
    assert card_top_up.status == "pending"
    assert balance(user.organization) == 0 and not ProviderEvent.objects.exists()


def test_a_body_changed_after_signing_is_400(user, api_client, card_top_up):
    payload = stripe_event(top_up=card_top_up)
    signature = sign(payload)
    tampered = payload.replace(b'"amount": 2500', b'"amount": 250000')
    assert deliver(api_client, tampered, signature).status_code == 400
    assert balance(user.organization) == 0


def test_a_body_that_is_not_json_or_utf8_is_400(api_client, fake_stripe):
    for payload in (b"not json", b"\xff\xfe"):
        signature = f"t={int(time.time())},v1=00"
        assert deliver(api_client, payload, signature).status_code == 400


def test_a_signed_event_with_the_wrong_amount_is_recorded_and_not_credited(user, api_client, card_top_up):
    payload = stripe_event(top_up=card_top_up, amount=100)
    response = deliver(api_client, payload, sign(payload))
    assert response.status_code == 200 and response.json()["outcome"] == "amount_mismatch"
    assert balance(user.organization) == 0
    card_top_up.refresh_from_db()
    assert card_top_up.status == "pending"


def test_a_failed_payment_marks_the_top_up_failed(user, api_client, card_top_up):
    payload = stripe_event(top_up=card_top_up, type="payment_intent.payment_failed", event_id="evt_fail")
    assert deliver(api_client, payload, sign(payload)).json()["outcome"] == "failed"
    card_top_up.refresh_from_db()
    assert card_top_up.status == "failed" and balance(user.organization) == 0


def test_events_of_other_kinds_are_acknowledged_and_ignored(api_client, fake_stripe):
    import json

    payload = json.dumps({"id": "evt_other", "object": "event", "type": "customer.created", "data": {"object": {}}})
    response = deliver(api_client, payload.encode(), sign(payload.encode()))
    assert response.status_code == 200 and response.json()["outcome"] == "ignored"


def test_a_provider_failure_is_502_and_the_top_up_is_marked_failed(auth_client, fake_stripe, monkeypatch):
    import stripe

    def broken(params, options=None):
        raise stripe.APIConnectionError("network down")

    fake_stripe.v1.payment_intents.create = broken
    response = auth_client.post("/api/balance/top-ups/", {"amount": "25.00", "method": "card"}, format="json")
    assert response.status_code == 502 and response.json()["code"] == "payment_provider_error"
    assert TopUp.objects.get().status == "failed"
