"""Reads of the webhooks app, scoped to the acting organisation."""

from typing import Any

from django.db.models import Prefetch, QuerySet

from accounts.models import Organization
from core.ids import is_id
from webhooks.errors import WebhookEndpointNotFoundError
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


def endpoint_list_for(*, organization: Organization) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(organization=organization).order_by("-created_at", "-id")


def endpoint_get_for(*, organization: Organization, endpoint_id: Any) -> WebhookEndpoint:
    endpoint = (
        endpoint_list_for(organization=organization).filter(pk=endpoint_id).first() if is_id(endpoint_id) else None
    )
    if endpoint is None:
        raise WebhookEndpointNotFoundError()
    return endpoint


def delivery_list_for(
    *, organization: Organization, endpoint_id: Any, status: str | None = None
) -> QuerySet[WebhookDelivery]:
    """The endpoint's deliveries, newest first, each with its event and attempts (three queries a page)."""
    endpoint = endpoint_get_for(organization=organization, endpoint_id=endpoint_id)
    deliveries = (
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .select_related("event")
        .prefetch_related(Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("number")))
        .order_by("-created_at", "-id")
    )
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries
