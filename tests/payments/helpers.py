"""Money in tests is made through the services (top-ups confirmed), so the journal stays consistent."""

import json
import time
from decimal import Decimal

import stripe
from django.db.models import Sum

from payments.models import Account, JournalEntry, Posting
from payments.selectors import available_balance, journal_problems
from payments.services import top_up_fund

WEBHOOK_SECRET = "whsec_test_suite_secret"


def fund(organization, amount: str, currency: str = "USD"):
    return top_up_fund(organization=organization, amount=Decimal(amount), currency=currency)


def balance(organization, currency: str = "USD") -> Decimal:
    return available_balance(organization_id=organization.pk, currency=currency)


def assert_books_balance() -> None:
    """Every entry sums to zero, the whole journal sums to zero, and every kept balance is its postings' sum."""
    assert journal_problems() == {"unbalanced_entries": [], "drifted_accounts": []}
    assert (Posting.objects.aggregate(total=Sum("amount"))["total"] or 0) == 0
    assert not Account.objects.filter(kind="available", balance__lt=0).exists()
    assert all(entry.postings.count() >= 2 for entry in JournalEntry.objects.all()[:200])


def stripe_event(
    *, top_up, event_id: str = "evt_test_1", type: str = "payment_intent.succeeded", amount=None, currency=None
) -> bytes:
    """A Stripe event body as Stripe sends it (the fields the handler reads, in Stripe's shape)."""
    body = {
        "id": event_id,
        "object": "event",
        "api_version": "2025-01-27.acacia",
        "created": int(time.time()),
        "type": type,
        "livemode": False,
        "data": {
            "object": {
                "id": top_up.provider_reference,
                "object": "payment_intent",
                "amount": amount if amount is not None else int(top_up.amount * 100),
                "amount_received": amount if amount is not None else int(top_up.amount * 100),
                "currency": (currency or top_up.currency).lower(),
                "status": "succeeded",
                "metadata": {"top_up_id": str(top_up.pk), "reference": top_up.reference},
            }
        },
    }
    return json.dumps(body).encode()


def sign(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The Stripe-Signature header Stripe would send for ``payload`` (stripe's own signing helper)."""
    return stripe.WebhookSignature.generate_signature_header(payload.decode(), secret, timestamp=timestamp)
