from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The address that keys sign-in lockouts: the socket's, or behind ``PROXY_COUNT`` proxies the
    X-Forwarded-For entry our own outermost proxy wrote (as DRF's throttles find it with
    ``NUM_PROXIES``). Entries further left are whatever the client sent, so they never count."""
    remote = request.META.get("REMOTE_ADDR")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if not settings.PROXY_COUNT or not forwarded:
        return remote
    addresses = [address.strip() for address in forwarded.split(",")]
    return addresses[-min(settings.PROXY_COUNT, len(addresses))] or remote
