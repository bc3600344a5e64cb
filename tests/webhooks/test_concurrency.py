"""Real threads against PostgreSQL: one delivery is attempted once however many workers run its task at
once, and an organisation's endpoint limit holds under concurrent creations."""

import pytest

from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.verification.concurrency import outcomes, race
from tests.webhooks.conftest import PUBLIC_ADDRESS
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webhooks.services import MAX_ENDPOINTS_PER_ORGANIZATION, endpoint_create, event_emit
from webhooks.tasks import webhook_deliver_task

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_concurrent_runs_of_one_delivery_task_post_once(receiver, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    user = UserFactory.create()
    endpoint_create(organization=user.organization, created_by=user, url=receiver.url, events=["claim.decided"])
    event_emit(organization_id=user.organization_id, type="claim.decided", data={})
    delivery = WebhookDelivery.objects.get()

    results = race([lambda: webhook_deliver_task.call(delivery.pk, 0) for _ in range(6)])

    assert sorted(results) == ["skipped"] * 5 + ["succeeded"]
    assert len(receiver.received) == 1
    assert WebhookAttempt.objects.count() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 1)


def test_concurrent_creations_never_pass_the_endpoint_limit(fake_dns):
    fake_dns["hooks.example.com"] = PUBLIC_ADDRESS
    user = UserFactory.create()
    for n in range(MAX_ENDPOINTS_PER_ORGANIZATION - 2):
        url = f"https://hooks.example.com/{n}"
        endpoint_create(organization=user.organization, created_by=user, url=url, events=["listing.sold"])
    client = client_for(user)
    body = {"url": "https://hooks.example.com/more", "events": ["listing.sold"]}

    results = race([lambda: client.post("/api/webhooks/", body, format="json") for _ in range(5)])

    assert outcomes(results) == ["201", "201", "409", "409", "409"]
    assert WebhookEndpoint.objects.filter(organization=user.organization).count() == MAX_ENDPOINTS_PER_ORGANIZATION
