"""Errors of the webhooks app; each carries its HTTP status (core.errors renders them)."""

from core.errors import DomainError, NotFoundError


class WebhookEndpointNotFoundError(NotFoundError):
    code, default_detail = "webhook_not_found", "Webhook endpoint not found."


class WebhookDeliveryNotFoundError(NotFoundError):
    code, default_detail = "webhook_delivery_not_found", "Delivery not found."


class WebhookUrlError(DomainError):
    """The endpoint's URL is malformed, or names an address deliveries may not go to (SSRF policy)."""

    status_code, code = 400, "webhook_url_not_allowed"

    def __init__(self, detail: str, **extra) -> None:
        super().__init__(detail, errors={"url": [detail]}, **extra)


class WebhookEventTypeError(DomainError):
    status_code, code = 400, "webhook_event_unknown"


class WebhookEndpointLimitError(DomainError):
    """An organisation has as many endpoints as it may."""

    status_code, code = 409, "webhook_endpoint_limit"
