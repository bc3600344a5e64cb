"""Signals of one app connected to the services of another that may not import it (siblings in the
layers of docs/DESIGN.md): this top layer composes them."""

from decimal import Decimal
from typing import Any

from django.dispatch import receiver

from payments.signals import balance_credited
from webhooks.events import EventType
from webhooks.services import event_emit


@receiver(balance_credited, dispatch_uid="carboncred.balance_credited_webhook")
def balance_credited_webhook(
    sender: Any,
    *,
    organization_id: int,
    amount: Decimal,
    currency: str,
    top_up_id: int,
    reference: str,
    **kwargs: Any,
) -> None:
    """``balance.credited`` for the organisation's endpoints, in the crediting transaction (the signal is
    sent inside it), so a rolled-back top-up sends nothing."""
    event_emit(
        organization_id=organization_id,
        type=EventType.BALANCE_CREDITED,
        data={"top_up": top_up_id, "amount": str(amount), "currency": currency, "reference": reference},
    )
