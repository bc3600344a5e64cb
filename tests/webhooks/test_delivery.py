"""Deliveries: signed per Standard Webhooks (checked with the standardwebhooks verifier), sent only after
the change commits, retried with backoff while the receiver is down, given up after the last attempt,
retried by hand, and never sent to an address the SSRF policy refuses (checked again at send time)."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.tasks import task_backends
from django.tasks.backends.dummy import DummyBackend
from standardwebhooks.webhooks import Webhook

from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.webhooks.conftest import PUBLIC_ADDRESS
from tests.webhooks.receiver import Receiver, free_port
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from webhooks.services import deliveries_resume, endpoint_create, event_emit, retry_delay
from webhooks.tasks import webhook_deliver_task

DUMMY_BACKEND = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def endpoint_for(user, url: str, events=("claim.decided",)) -> WebhookEndpoint:
    return endpoint_create(organization=user.organization, created_by=user, url=url, events=list(events))


def queued() -> list:
    backend = task_backends["default"]
    assert isinstance(backend, DummyBackend)
    return [result for result in backend.results if result.task.name == "webhook_deliver_task"]


def run(result) -> str:
    """What the worker does with a queued task."""
    return result.task.call(*result.args, **result.kwargs)


@pytest.mark.django_db
def test_a_delivery_verifies_with_the_standardwebhooks_verifier(user, receiver, django_capture_on_commit_callbacks):
    endpoint = endpoint_for(user, receiver.url)

    with django_capture_on_commit_callbacks(execute=True):
        event = event_emit(organization_id=user.organization_id, type="claim.decided", data={"claim": 7})

    assert event is not None
    [got] = receiver.received
    assert got.path == "/hooks/carboncred"
    payload = Webhook(endpoint.secret).verify(got.body, got.headers)
    assert payload == {"type": "claim.decided", "timestamp": event.payload["timestamp"], "data": {"claim": 7}}
    assert got.headers["webhook-id"] == event.msg_id
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.SUCCEEDED


@pytest.mark.django_db
def test_a_tampered_body_or_another_secret_does_not_verify(user, receiver, django_capture_on_commit_callbacks):
    from standardwebhooks.webhooks import WebhookVerificationError

    endpoint = endpoint_for(user, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        event_emit(organization_id=user.organization_id, type="claim.decided", data={"claim": 7})
    [got] = receiver.received

    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.secret).verify(got.body.replace(b"7", b"8"), got.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "A" * 32).verify(got.body, got.headers)


@pytest.mark.django_db
def test_only_subscribed_active_endpoints_of_the_organisation_get_the_event(user, receiver, settings):
    settings.TASKS = DUMMY_BACKEND
    wanted = endpoint_for(user, receiver.url, events=["claim.decided"])
    endpoint_for(user, receiver.url + "/other", events=["listing.sold"])
    paused = endpoint_for(user, receiver.url + "/paused")
    WebhookEndpoint.objects.filter(pk=paused.pk).update(active=False)
    endpoint_for(UserFactory.create(), receiver.url + "/theirs")

    event_emit(organization_id=user.organization_id, type="claim.decided", data={"claim": 1})

    assert list(WebhookDelivery.objects.values_list("endpoint", flat=True)) == [wanted.pk]
    assert event_emit(organization_id=user.organization_id, type="certificate.issued", data={}) is None
    assert WebhookEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_events_are_not_sent_for_a_rolled_back_transaction(user, receiver):
    endpoint_for(user, receiver.url)

    with pytest.raises(RuntimeError), transaction.atomic():
        event_emit(organization_id=user.organization_id, type="claim.decided", data={"claim": 1})
        raise RuntimeError("the change failed after the event was recorded")
    with transaction.atomic():
        event_emit(organization_id=user.organization_id, type="claim.decided", data={"claim": 2})

    assert [WebhookEvent.objects.get().payload["data"]] == [{"claim": 2}]
    assert [
        Webhook(WebhookEndpoint.objects.get().secret).verify(r.body, r.headers)["data"] for r in receiver.received
    ] == [{"claim": 2}]


@pytest.mark.django_db
def test_a_receiver_that_is_down_is_retried_with_backoff_and_then_succeeds(
    user, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DUMMY_BACKEND
    settings.WEBHOOK_ALLOW_PRIVATE = True
    down = Receiver(port=free_port())  # nothing listens there yet
    endpoint = endpoint_for(user, down.url)
    with django_capture_on_commit_callbacks(execute=True):
        event = event_emit(organization_id=user.organization_id, type="claim.decided", data={"claim": 3})
    [first] = queued()
    assert first.task.run_after is None

    with django_capture_on_commit_callbacks(execute=True):
        assert run(first) == WebhookDelivery.Status.PENDING

    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == 1 and delivery.last_status_code is None and "Connection" in delivery.last_error
    assert delivery.last_attempt_at is not None
    [_, second] = queued()
    assert second.task.run_after == delivery.last_attempt_at + retry_delay(1)
    assert delivery.next_attempt_at == second.task.run_after
    assert retry_delay(1) == timedelta(seconds=30) and retry_delay(2) == timedelta(minutes=2)

    up = down.start()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert run(second) == WebhookDelivery.Status.SUCCEEDED
    finally:
        up.stop()
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED and delivery.attempts == 2
    assert delivery.next_attempt_at is None and delivery.last_status_code == 200
    [got] = up.received
    assert Webhook(endpoint.secret).verify(got.body, got.headers)["data"] == {"claim": 3}
    assert got.headers["webhook-id"] == event.msg_id
    assert [(a.number, a.status_code) for a in WebhookAttempt.objects.order_by("number")] == [(1, None), (2, 200)]
    assert len(queued()) == 2  # nothing more to do


@pytest.mark.django_db
def test_a_delivery_fails_after_the_last_attempt(user, receiver, settings, django_capture_on_commit_callbacks):
    settings.TASKS = DUMMY_BACKEND
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    receiver.answers.extend([(500, {}), (503, {}), (500, {})])
    endpoint_for(user, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        event_emit(organization_id=user.organization_id, type="claim.decided", data={})

    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            run(queued()[-1])

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.FAILED and delivery.attempts == 3
    assert delivery.last_status_code == 500 and delivery.next_attempt_at is None
    assert len(receiver.received) == 3
    assert len(queued()) == 3  # the first and two retries; no fourth


@pytest.mark.django_db
def test_a_stale_or_duplicate_task_does_nothing(user, receiver, settings, django_capture_on_commit_callbacks):
    settings.TASKS = DUMMY_BACKEND
    endpoint_for(user, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        event_emit(organization_id=user.organization_id, type="claim.decided", data={})
    [first] = queued()

    assert run(first) == WebhookDelivery.Status.SUCCEEDED
    assert run(first) == "skipped"
    assert len(receiver.received) == 1


@pytest.mark.django_db
def test_manual_retry_of_a_failed_delivery_sends_it_again(user, receiver, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    receiver.answers.append((500, {}))
    endpoint = endpoint_for(user, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        event_emit(organization_id=user.organization_id, type="claim.decided", data={"claim": 9})
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.FAILED
    client = client_for(user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/retry/")

    assert response.status_code == 202, response.content
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED and delivery.attempts == 2
    log = client.get(f"/api/webhooks/{endpoint.pk}/deliveries/").json()["results"]
    assert [(a["number"], a["trigger"], a["status_code"]) for a in log[0]["attempt_log"]] == [
        (1, "automatic", 500),
        (2, "manual", 200),
    ]
    assert log[0]["event_type"] == "claim.decided" and log[0]["payload"]["data"] == {"claim": 9}
    assert len(receiver.received) == 2


@pytest.mark.django_db
def test_retry_of_another_organisations_delivery_is_404(user, receiver, django_capture_on_commit_callbacks):
    other = UserFactory.create()
    endpoint = endpoint_for(other, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        event_emit(organization_id=other.organization_id, type="claim.decided", data={})
    delivery = WebhookDelivery.objects.get()

    response = client_for(user).post(f"/api/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/retry/")

    assert response.status_code == 404
    assert len(receiver.received) == 1


@pytest.mark.django_db
def test_redirects_are_not_followed(user, receiver, django_capture_on_commit_callbacks):
    receiver.answers.append((302, {"Location": "http://169.254.169.254/latest/meta-data/"}))
    endpoint_for(user, receiver.url)

    with django_capture_on_commit_callbacks(execute=True):
        event_emit(organization_id=user.organization_id, type="claim.decided", data={})

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.PENDING and delivery.last_status_code == 302
    assert "not followed" in delivery.last_error
    assert len(receiver.received) == 1


@pytest.mark.django_db
def test_the_address_is_checked_again_when_sending(user, fake_dns, settings, django_capture_on_commit_callbacks):
    """DNS rebinding: the name was public when the endpoint was saved and points at loopback now."""
    fake_dns["hooks.example.com"] = PUBLIC_ADDRESS
    endpoint_for(user, "http://hooks.example.com/hook")
    fake_dns["hooks.example.com"] = "127.0.0.1"

    with django_capture_on_commit_callbacks(execute=True):
        event_emit(organization_id=user.organization_id, type="claim.decided", data={})

    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code is None and attempt.error.startswith("refused:")
    assert "127.0.0.1" in attempt.error


@pytest.mark.django_db
def test_the_delivery_log_takes_a_fixed_number_of_queries(
    user, receiver, settings, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    endpoint = endpoint_for(user, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            event_emit(organization_id=user.organization_id, type="claim.decided", data={"n": n})
    client = client_for(user)

    with django_assert_max_num_queries(6):
        response = client.get(f"/api/webhooks/{endpoint.pk}/deliveries/")
    assert response.json()["count"] == 3
    assert client.get(f"/api/webhooks/{endpoint.pk}/deliveries/?status=failed").json()["count"] == 0


@pytest.mark.django_db
def test_due_deliveries_without_a_task_are_resumed(user, receiver, django_capture_on_commit_callbacks):
    """Django's immediate backend cannot defer: the retry waits in the database until webhooks_resume."""
    receiver.answers.append((500, {}))
    endpoint_for(user, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        event_emit(organization_id=user.organization_id, type="claim.decided", data={})
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    due = delivery.next_attempt_at
    assert due is not None

    assert deliveries_resume(now=due - timedelta(seconds=1)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert deliveries_resume(now=due) == 1

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 2)
    assert len(receiver.received) == 2


@pytest.mark.django_db
def test_a_paused_endpoint_gets_nothing_and_its_pending_delivery_fails(user, receiver, settings):
    settings.TASKS = DUMMY_BACKEND
    endpoint = endpoint_for(user, receiver.url)
    event_emit(organization_id=user.organization_id, type="claim.decided", data={})
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(active=False)

    assert webhook_deliver_task.call(WebhookDelivery.objects.get().pk, 0) == WebhookDelivery.Status.FAILED

    assert receiver.received == []
    assert WebhookAttempt.objects.get().error == "endpoint inactive: not sent"
