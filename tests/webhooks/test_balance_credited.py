"""``balance.credited``: a top-up credited by staff (or the card provider) is announced to the
organisation's endpoints in the crediting transaction; a confirmation that fails announces nothing."""

from decimal import Decimal

import pytest

from payments.errors import TopUpNotPendingError
from payments.services import top_up_confirm, top_up_request
from webhooks.models import WebhookEvent
from webhooks.services import endpoint_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscribed(user, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    return endpoint_create(
        organization=user.organization, created_by=user, url="http://127.0.0.1:9/hook", events=["balance.credited"]
    )


def test_a_confirmed_top_up_is_announced_once_with_its_amount(user, verifier, subscribed):
    top_up = top_up_request(
        organization=user.organization, user=user, amount=Decimal("25.00"), currency="USD", method="bank_transfer"
    )
    assert not WebhookEvent.objects.exists()  # requested is not credited

    top_up_confirm(top_up_id=top_up.pk, confirmed_by=verifier)
    with pytest.raises(TopUpNotPendingError):
        top_up_confirm(top_up_id=top_up.pk, confirmed_by=verifier)

    [event] = WebhookEvent.objects.all()
    assert event.organization_id == user.organization_id
    assert event.payload["type"] == "balance.credited"
    assert event.payload["data"] == {
        "top_up": top_up.pk,
        "amount": "25.00",
        "currency": "USD",
        "reference": top_up.reference,
    }
    assert [delivery.endpoint_id for delivery in event.deliveries.all()] == [subscribed.pk]
