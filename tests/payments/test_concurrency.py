"""Real threads against PostgreSQL, through the HTTP API: a balance is never spent twice."""

from decimal import Decimal

import pytest

from marketplace.models import Order
from payments.models import Payout, ProviderEvent, TopUp
from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.ledger.test_concurrency import race
from tests.marketplace.factories import listing as make_listing
from tests.payments.helpers import assert_books_balance, balance, fund, sign, stripe_event
from tests.payments.test_stripe import WEBHOOK, FakeStripe

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def buy(client, listing_id: int, quantity_kg: int):
    return client.post("/api/buy/", {"listing": listing_id, "quantity_kg": quantity_kg}, format="json")


def test_twenty_concurrent_buys_against_a_balance_that_covers_seven(settings):
    settings.PLATFORM_FEE_RATE = Decimal("0.02")
    listing = make_listing(quantity_kg=1000, issued_kg=1000, price="100.00")  # 10 kg: 1.00 + 0.02 fee
    buyer = UserFactory.create()
    fund(buyer.organization, "7.14")  # 7 x 1.02
    clients = [client_for(buyer) for _ in range(20)]

    responses = race(20, lambda i: buy(clients[i], listing.pk, 10))

    statuses = sorted(getattr(r, "status_code", r) for r in responses)
    assert statuses == [201] * 7 + [409] * 13, statuses
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"insufficient_funds"}
    assert Order.objects.filter(buyer=buyer.organization).count() == 7
    assert balance(buyer.organization) == 0
    assert balance(listing.seller) == Decimal("7.00")
    listing.refresh_from_db()
    assert listing.quantity_sold_kg == 70
    assert_books_balance()


def test_payouts_racing_buys_never_overdraw(settings):
    settings.PLATFORM_FEE_RATE = Decimal("0.02")
    listing = make_listing(quantity_kg=1000, issued_kg=1000, price="500.00")  # 10 kg: 5.00 + 0.10 fee
    owner = UserFactory.create()
    fund(owner.organization, "50.00")
    client = client_for(owner)
    client.put("/api/balance/bank-account/", {"holder_name": "SME", "account_number": "12345678"}, format="json")
    clients = [client_for(owner) for _ in range(16)]

    def job(i: int):
        if i % 2:
            return clients[i].post("/api/payouts/", {"amount": "5.00"}, format="json")
        return buy(clients[i], listing.pk, 10)

    responses = race(16, job)

    assert all(r.status_code in (201, 409) for r in responses), [getattr(r, "content", r) for r in responses]
    bought = Order.objects.filter(buyer=owner.organization).count()
    paid_out = Payout.objects.filter(organization=owner.organization).count()
    spent = bought * Decimal("5.10") + paid_out * Decimal("5.00")
    assert spent <= Decimal("50.00")
    assert balance(owner.organization) == Decimal("50.00") - spent >= 0
    # The balance only goes down, so whatever was refused still could not fit at the end.
    left = Decimal("50.00") - spent
    refused = [i for i, r in enumerate(responses) if r.status_code == 409]
    assert all(left < (Decimal("5.00") if i % 2 else Decimal("5.10")) for i in refused)
    assert {responses[i].json()["code"] for i in refused} <= {"insufficient_funds"}
    assert_books_balance()


def test_a_webhook_delivered_concurrently_credits_once(settings, monkeypatch):
    from payments import providers

    settings.PAYMENTS_CARD_ENABLED = True
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_suite_secret"
    monkeypatch.setattr(providers, "stripe_client", lambda: FakeStripe())
    user = UserFactory.create()
    created = client_for(user).post("/api/balance/top-ups/", {"amount": "40.00", "method": "card"}, format="json")
    top_up = TopUp.objects.get(pk=created.json()["id"])
    payload = stripe_event(top_up=top_up, event_id="evt_race")
    signature = sign(payload)
    clients = [client_for(user) for _ in range(6)]

    responses = race(
        6,
        lambda i: clients[i].post(WEBHOOK, payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature),
    )

    assert sorted(r.json()["outcome"] for r in responses) == ["credited"] + ["duplicate"] * 5
    assert balance(user.organization) == Decimal("40.00")
    assert ProviderEvent.objects.count() == 1
    assert_books_balance()
