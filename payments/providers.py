"""How money comes in: one provider per top-up method, behind one interface.

A provider *starts* a top-up (tells the payer what to do: bank instructions, or a card payment's
client secret) and, for card payments, *reads* the provider's signed webhook events. Crediting the
balance is never a provider's business: ``payments.services.top_up_complete`` does it, once, in a
transaction, whoever confirms.

- :class:`BankTransferProvider` (the embedded default): instructions with the top-up's unique
  reference; staff confirm the transfer when it shows on the platform's bank statement.
- :class:`StripeCardProvider`: a Stripe PaymentIntent per top-up (the client confirms it with
  Stripe.js and the client secret); Stripe's ``payment_intent.succeeded`` event, signed with the
  endpoint's secret and verified by ``stripe.Webhook.construct_event``, completes the top-up.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings

from core.currencies import to_minor
from payments.errors import CardPaymentsDisabledError, PaymentProviderError, WebhookSignatureError
from payments.models import TopUp

if TYPE_CHECKING:
    import stripe

# ``stripe`` is imported where it is used: it takes ~150 ms to import, and most processes (every
# command, a server that takes no card payments) never call it.


@dataclass(frozen=True)
class PaymentStart:
    """What the payer needs to pay (``instructions``) and the provider's id of the payment, if any."""

    instructions: dict[str, Any]
    provider_reference: str | None = None


@dataclass(frozen=True)
class PaymentEvent:
    """A verified provider event, reduced to what the journal needs."""

    event_id: str
    type: str
    provider_reference: str | None = None
    top_up_id: int | None = None
    amount_minor: int | None = None
    currency: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.type == "payment_intent.succeeded"

    @property
    def failed(self) -> bool:
        return self.type in ("payment_intent.payment_failed", "payment_intent.canceled")


class PaymentProvider(Protocol):
    method: TopUp.Method

    def start(self, top_up: TopUp) -> PaymentStart: ...


def bank_instructions(top_up: TopUp) -> dict[str, Any]:
    """The bank transfer instructions of a top-up (they depend on nothing but settings and the top-up)."""
    return {
        "type": "bank_transfer",
        "amount": f"{top_up.amount:.2f}",
        "currency": top_up.currency,
        "reference": top_up.reference,
        "account_holder": settings.PAYMENTS_BANK_ACCOUNT_HOLDER,
        "bank_name": settings.PAYMENTS_BANK_NAME,
        "iban": settings.PAYMENTS_BANK_IBAN,
        "bic": settings.PAYMENTS_BANK_BIC,
        "note": (
            f"Transfer exactly {top_up.amount:.2f} {top_up.currency} and write the reference {top_up.reference} "
            "in the payment's reference field. Your balance is credited when the transfer arrives."
        ),
    }


class BankTransferProvider:
    method = TopUp.Method.BANK_TRANSFER

    def start(self, top_up: TopUp) -> PaymentStart:
        return PaymentStart(instructions=bank_instructions(top_up))


def stripe_client() -> "stripe.StripeClient":
    """The Stripe API client (tests replace this function: they never reach the network)."""
    import stripe

    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, max_network_retries=2)


class StripeCardProvider:
    method = TopUp.Method.CARD
    name = "stripe"

    def start(self, top_up: TopUp) -> PaymentStart:
        import stripe

        try:
            intent = stripe_client().v1.payment_intents.create(
                params={
                    "amount": to_minor(top_up.amount, top_up.currency),
                    "currency": top_up.currency.lower(),
                    "automatic_payment_methods": {"enabled": True},
                    "description": f"CarbonCred balance top-up {top_up.reference}",
                    "metadata": {"top_up_id": str(top_up.pk), "reference": top_up.reference},
                },
                # A retried request creates no second PaymentIntent for the same top-up.
                options={"idempotency_key": f"carboncred-top-up-{top_up.pk}"},
            )
        except stripe.StripeError as error:
            raise PaymentProviderError() from error
        return PaymentStart(
            instructions={
                "type": "card",
                "provider": self.name,
                "payment_intent": intent.id,
                "client_secret": intent.client_secret,
                "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
                "amount": f"{top_up.amount:.2f}",
                "currency": top_up.currency,
                "reference": top_up.reference,
            },
            provider_reference=intent.id,
        )

    def event_from(self, *, payload: bytes, signature: str | None) -> PaymentEvent:
        """The verified event of a webhook delivery; :class:`WebhookSignatureError` (400) for a forged,
        stale (over Stripe's 5 minutes) or unreadable one."""
        import stripe

        try:
            event = stripe.Webhook.construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET)
        except (stripe.SignatureVerificationError, ValueError) as error:  # ValueError covers bad JSON and UTF-8
            raise WebhookSignatureError() from error
        values = event.to_dict()
        obj = (values.get("data") or {}).get("object") or {}
        if not isinstance(obj, dict) or obj.get("object") != "payment_intent":
            return PaymentEvent(event_id=str(values.get("id", "")), type=str(values.get("type", "")))
        metadata = obj.get("metadata") or {}
        top_up_id = metadata.get("top_up_id")
        amount = obj.get("amount_received") or obj.get("amount")
        return PaymentEvent(
            event_id=str(values.get("id", "")),
            type=str(values.get("type", "")),
            provider_reference=str(obj.get("id") or "") or None,
            top_up_id=int(top_up_id) if isinstance(top_up_id, str) and top_up_id.isdigit() else None,
            amount_minor=amount if isinstance(amount, int) and not isinstance(amount, bool) else None,
            currency=str(obj.get("currency", "")).upper() or None,
        )


def provider_for(method: str) -> PaymentProvider:
    if method == TopUp.Method.CARD:
        if not settings.PAYMENTS_CARD_ENABLED:
            raise CardPaymentsDisabledError()
        return StripeCardProvider()
    return BankTransferProvider()
