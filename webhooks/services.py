"""Writes of the webhooks app: endpoints, the outbox (:func:`event_emit`), deliveries and their retries.

Delivery is at least once: an event's row is written in the transaction of the change it reports, and
its delivery task is enqueued only after that transaction commits (``transaction.on_commit``), so a
rolled back change sends nothing, and a committed one is sent until the endpoint answers 2xx or the
attempts run out. Receivers deduplicate on ``webhook-id``.
"""

import base64
import functools
import json
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from accounts.models import Organization, User
from accounts.services import organization_check_not_suspended
from core.ids import is_id
from webhooks import transport
from webhooks.errors import (
    WebhookDeliveryNotFoundError,
    WebhookEndpointLimitError,
    WebhookEndpointNotFoundError,
    WebhookEventTypeError,
    WebhookUrlError,
)
from webhooks.events import EventType
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent

logger = logging.getLogger(__name__)

MAX_ENDPOINTS_PER_ORGANIZATION = 20
# The retry delay never grows past this, however many attempts are configured.
MAX_RETRY_DELAY = timedelta(hours=12)


# --- endpoints ------------------------------------------------------------------------------


def secret_generate() -> str:
    """A Standard Webhooks secret: ``whsec_`` and the base64 of 24 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def _url_check(url: str) -> str:
    try:
        transport.target_check(url)
    except transport.AddressNotAllowed as error:
        raise WebhookUrlError(str(error)) from error
    return url


def _events_check(events: list[str]) -> list[str]:
    unknown = sorted(set(events) - set(EventType.values))
    if unknown:
        raise WebhookEventTypeError(f"Unknown event types: {', '.join(unknown)}.", errors={"events": unknown})
    return [value for value in EventType.values if value in set(events)]


@transaction.atomic
def endpoint_create(
    *, organization: Organization, created_by: User, url: str, events: list[str], description: str = ""
) -> WebhookEndpoint:
    """A new active endpoint with a fresh secret. The URL must pass the SSRF policy (400
    ``webhook_url_not_allowed``); an organisation has at most :data:`MAX_ENDPOINTS_PER_ORGANIZATION`."""
    organization_check_not_suspended(organization)
    events = _events_check(events)
    _url_check(url)
    # The organisation row serialises creations, so two at once cannot pass the limit together.
    Organization.objects.select_for_update(no_key=True).filter(pk=organization.pk).first()
    if WebhookEndpoint.objects.filter(organization=organization).count() >= MAX_ENDPOINTS_PER_ORGANIZATION:
        raise WebhookEndpointLimitError(
            f"An organisation can have at most {MAX_ENDPOINTS_PER_ORGANIZATION} webhook endpoints."
        )
    return WebhookEndpoint.objects.create(
        organization=organization,
        created_by=created_by,
        url=url,
        events=events,
        description=description,
        secret=secret_generate(),
    )


def _endpoint_lock(*, organization: Organization, endpoint_id: Any) -> WebhookEndpoint:
    endpoint = None
    if is_id(endpoint_id):
        endpoint = WebhookEndpoint.objects.select_for_update().filter(organization=organization, pk=endpoint_id).first()
    if endpoint is None:
        raise WebhookEndpointNotFoundError()
    return endpoint


@transaction.atomic
def endpoint_update(*, organization: Organization, endpoint_id: Any, **changes: Any) -> WebhookEndpoint:
    """Change an endpoint's ``url``, ``events``, ``description`` or ``active``; a new URL is checked again."""
    organization_check_not_suspended(organization)
    endpoint = _endpoint_lock(organization=organization, endpoint_id=endpoint_id)
    if "url" in changes:
        endpoint.url = _url_check(changes["url"])
    if "events" in changes:
        endpoint.events = _events_check(changes["events"])
    for field in ("description", "active"):
        if field in changes:
            setattr(endpoint, field, changes[field])
    endpoint.updated_at = timezone.now()
    endpoint.save()
    return endpoint


@transaction.atomic
def endpoint_rotate_secret(*, organization: Organization, endpoint_id: Any) -> WebhookEndpoint:
    """A new secret; deliveries from now on are signed with it."""
    endpoint = _endpoint_lock(organization=organization, endpoint_id=endpoint_id)
    endpoint.secret, endpoint.updated_at = secret_generate(), timezone.now()
    endpoint.save(update_fields=["secret", "updated_at"])
    return endpoint


@transaction.atomic
def endpoint_delete(*, organization: Organization, endpoint_id: Any) -> None:
    """Delete an endpoint with its delivery log; pending deliveries to it are dropped."""
    _endpoint_lock(organization=organization, endpoint_id=endpoint_id).delete()


# --- the outbox -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """One event to record: ``type`` for ``organization_id``'s endpoints, with ``data`` (JSON: ids,
    integers, strings)."""

    organization_id: int
    type: str
    data: dict[str, Any]


def event_emit(*, organization_id: int, type: str, data: dict[str, Any]) -> WebhookEvent | None:
    """Record event ``type`` for the organisation's subscribed active endpoints, in the caller's transaction.

    Call it inside the transaction of the change the event reports: the event row and one delivery per
    endpoint commit or roll back with it, and the deliveries are handed to the task worker only after
    the commit. ``data`` must be JSON (ids, integers, strings). Returns ``None`` when no endpoint wants
    it (one indexed query, nothing written). Safe to call from a signal receiver with the same arguments.
    """
    return events_emit([Event(organization_id=organization_id, type=type, data=data)])[0]


def events_emit(events: Sequence[Event]) -> list[WebhookEvent | None]:
    """:func:`event_emit` for several events of one change (a sale: the buyer's and the seller's), with
    one query for the endpoints of all of them; the recorded event of each, or ``None`` where no
    endpoint wants it."""
    for event in events:
        if event.type not in EventType.values:
            raise ValueError(f"unknown webhook event type {event.type!r}")
    subscribed: dict[int, list[tuple[int, list[str]]]] = {}
    for endpoint_id, organization_id, types in (
        WebhookEndpoint.objects.filter(organization_id__in={event.organization_id for event in events}, active=True)
        .order_by("pk")
        .values_list("pk", "organization_id", "events")
    ):
        subscribed.setdefault(organization_id, []).append((endpoint_id, types))
    recorded: list[WebhookEvent | None] = []
    delivery_ids: list[int] = []
    now = timezone.now()
    for event in events:
        endpoints = [pk for pk, types in subscribed.get(event.organization_id, ()) if event.type in types]
        if not endpoints:
            recorded.append(None)
            continue
        row = WebhookEvent(organization_id=event.organization_id, type=event.type, created_at=now)
        row.payload = {"type": event.type, "timestamp": now.isoformat().replace("+00:00", "Z"), "data": event.data}
        row.save(force_insert=True)
        deliveries = WebhookDelivery.objects.bulk_create(
            WebhookDelivery(event=row, endpoint_id=endpoint_id, next_attempt_at=now) for endpoint_id in endpoints
        )
        delivery_ids += [delivery.pk for delivery in deliveries]
        recorded.append(row)
    if delivery_ids:
        transaction.on_commit(functools.partial(_deliveries_enqueue, delivery_ids), robust=True)
    return recorded


def _deliveries_enqueue(delivery_ids: list[int]) -> None:
    from webhooks.tasks import delivery_enqueue

    for delivery_id in delivery_ids:
        delivery_enqueue(delivery_id=delivery_id, attempts=0)


# --- delivering -----------------------------------------------------------------------------


def retry_delay(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: ``WEBHOOK_RETRY_BASE_SECONDS * 4 ** (attempts - 1)``,
    at most 12 hours (30 s, 2 min, 8 min, 32 min, 2 h 8 min, 8 h 32 min, 12 h with the defaults)."""
    seconds = settings.WEBHOOK_RETRY_BASE_SECONDS * 4 ** max(attempts - 1, 0)
    return min(timedelta(seconds=seconds), MAX_RETRY_DELAY)


def body_bytes(event: WebhookEvent) -> bytes:
    """The body exactly as sent and signed: the payload as compact UTF-8 JSON."""
    return json.dumps(event.payload, separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode()


def signed_headers(*, secret: str, msg_id: str, timestamp: datetime, body: bytes) -> dict[str, str]:
    """The Standard Webhooks headers of one attempt (signed with the ``standardwebhooks`` package)."""
    signature = Webhook(secret).sign(msg_id=msg_id, timestamp=timestamp, data=body)
    return {
        "Content-Type": "application/json",
        "User-Agent": "CarbonCred-Webhooks/1",
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": signature,
    }


def delivery_attempt(*, delivery_id: int, attempts: int, trigger: str = WebhookAttempt.Trigger.AUTOMATIC) -> str:
    """Make attempt ``attempts + 1`` of a pending delivery; what the task worker runs.

    ``attempts`` is how many attempts the delivery must have made for this run to go ahead: a duplicate
    or stale task (a manual retry and the scheduled one, a task enqueued twice) finds the count moved on
    and does nothing. The attempt is claimed in a short transaction, the POST made outside any
    transaction, and its outcome recorded in another. A failure schedules the next attempt after
    :func:`retry_delay` until ``WEBHOOK_MAX_ATTEMPTS``; then the delivery is ``failed``.
    Returns the delivery's status afterwards, or ``skipped``.
    """
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("event", "endpoint")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != WebhookDelivery.Status.PENDING or delivery.attempts != attempts:
            return "skipped"
        now = timezone.now()
        delivery.attempts += 1
        delivery.last_attempt_at = now
        # Due again if this attempt never reports back (the worker died): `manage.py webhooks_resume`.
        delivery.next_attempt_at = now + retry_delay(delivery.attempts)
        delivery.save(update_fields=["attempts", "last_attempt_at", "next_attempt_at"])
    endpoint, event = delivery.endpoint, delivery.event
    body = body_bytes(event)
    if endpoint.active:
        headers = signed_headers(secret=endpoint.secret, msg_id=event.msg_id, timestamp=now, body=body)
        result = transport.post(endpoint.url, body=body, headers=headers)
    else:
        result = transport.SendResult(None, "endpoint inactive: not sent", "", 0)
    return _attempt_record(delivery=delivery, attempted_at=now, result=result, trigger=trigger)


@transaction.atomic
def _attempt_record(*, delivery: WebhookDelivery, attempted_at: datetime, result: transport.SendResult,
                    trigger: str) -> str:  # fmt: skip
    current = WebhookDelivery.objects.select_for_update().filter(pk=delivery.pk).first()
    if current is None:
        return "gone"  # the endpoint was deleted meanwhile, with its log
    WebhookAttempt.objects.create(
        delivery=current,
        number=delivery.attempts,
        trigger=trigger,
        attempted_at=attempted_at,
        duration_ms=result.duration_ms,
        status_code=result.status_code,
        error=result.error,
        response_snippet=result.response_snippet,
    )
    if not result.succeeded:
        logger.info("webhook delivery %s attempt %s failed: %s", delivery.pk, delivery.attempts, result.error)
    if current.attempts != delivery.attempts:
        return "superseded"  # a newer attempt (a manual retry) started meanwhile: its outcome counts
    current.last_status_code, current.last_error = result.status_code, result.error
    if result.succeeded:
        current.status, current.next_attempt_at = WebhookDelivery.Status.SUCCEEDED, None
    elif current.attempts >= settings.WEBHOOK_MAX_ATTEMPTS or not delivery.endpoint.active:
        current.status, current.next_attempt_at = WebhookDelivery.Status.FAILED, None
    else:
        current.status = WebhookDelivery.Status.PENDING
        current.next_attempt_at = run_after = attempted_at + retry_delay(current.attempts)
        attempts = current.attempts
        from webhooks.tasks import delivery_enqueue

        transaction.on_commit(
            lambda: delivery_enqueue(delivery_id=delivery.pk, attempts=attempts, run_after=run_after), robust=True
        )
    current.save(update_fields=["status", "next_attempt_at", "last_status_code", "last_error"])
    return current.status


@transaction.atomic
def delivery_retry(*, organization: Organization, endpoint_id: Any, delivery_id: Any) -> WebhookDelivery:
    """Send a delivery again now, whatever its status (one more attempt; a failed delivery that fails
    again stays ``failed``, a pending one keeps its schedule). The task is enqueued after commit."""
    organization_check_not_suspended(organization)
    delivery = None
    if is_id(endpoint_id) and is_id(delivery_id):
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .filter(pk=delivery_id, endpoint_id=endpoint_id, endpoint__organization=organization)
            .first()
        )
    if delivery is None:
        raise WebhookDeliveryNotFoundError()
    delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.PENDING, timezone.now()
    delivery.save(update_fields=["status", "next_attempt_at"])
    from webhooks.tasks import delivery_enqueue

    attempts = delivery.attempts
    transaction.on_commit(
        lambda: delivery_enqueue(delivery_id=delivery.pk, attempts=attempts, trigger=WebhookAttempt.Trigger.MANUAL),
        robust=True,
    )
    return delivery


def deliveries_resume(*, now: datetime | None = None) -> int:
    """Enqueue every pending delivery that is due (its task was lost: a worker died mid-attempt, or the
    backend cannot defer tasks). Duplicates of live tasks do nothing (:func:`delivery_attempt`)."""
    from webhooks.tasks import delivery_enqueue

    due = WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now or timezone.now()
    ).values_list("pk", "attempts")
    count = 0
    for delivery_id, attempts in due.iterator():
        delivery_enqueue(delivery_id=delivery_id, attempts=attempts)
        count += 1
    return count
