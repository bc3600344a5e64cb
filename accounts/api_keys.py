"""API keys: create, list, revoke, and authenticate a request's key (docs/API.md, "API keys").

Kept apart from ``accounts.services`` (accounts, members, standing): everything about keys is here, the
DRF glue in ``accounts.authentication`` (``ApiKeyAuthentication``), ``accounts.standing`` (scopes) and
``accounts.throttling``.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.errors import ApiKeyNotFoundError
from accounts.models import ApiKey, ApiKeyScope, Organization, User
from core.ids import is_id

# last_used_at is written at most this often per key: a busy key costs one UPDATE a minute, not one a request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class CreatedApiKey:
    api_key: ApiKey
    key: str  # shown once; only its hash is stored


def api_key_create(*, organization: Organization, created_by: User, name: str, scopes: list[str]) -> CreatedApiKey:
    """A new key of ``organization``, acting as ``created_by`` within ``scopes`` (deduplicated, in the
    order of :class:`ApiKeyScope`). The returned ``key`` is never stored and cannot be shown again."""
    ordered = [scope.value for scope in ApiKeyScope if scope.value in set(scopes)]
    api_key, key = ApiKey.objects.create_key(
        organization=organization, created_by=created_by, name=name, scopes=ordered
    )
    return CreatedApiKey(api_key=cast(ApiKey, api_key), key=key)


def api_key_list_for(*, organization: Organization) -> QuerySet[ApiKey]:
    """The organisation's keys, newest first, revoked ones included (they say when they were revoked)."""
    return ApiKey.objects.filter(organization=organization).select_related("created_by").order_by("-created", "-id")


def api_key_get_for(*, organization: Organization, api_key_id: Any) -> ApiKey:
    api_key = None
    if is_id(api_key_id):
        api_key = api_key_list_for(organization=organization).filter(pk=api_key_id).first()
    if api_key is None:
        raise ApiKeyNotFoundError()
    return api_key


@transaction.atomic
def api_key_revoke(*, organization: Organization, api_key_id: Any, revoked_by: User) -> ApiKey:
    """Revoke a key for good: requests sent with it are 401 from now on. Revoking a revoked key changes
    nothing (the first revocation's time and author stay)."""
    api_key = None
    if is_id(api_key_id):
        api_key = ApiKey.objects.select_for_update().filter(organization=organization, pk=api_key_id).first()
    if api_key is None:
        raise ApiKeyNotFoundError()
    if not api_key.revoked:
        api_key.revoked, api_key.revoked_at, api_key.revoked_by = True, timezone.now(), revoked_by
        api_key.save(update_fields=["revoked", "revoked_at", "revoked_by"])
    return api_key


class ApiKeyInvalid(Exception):
    """The key is unknown, wrong, revoked, expired, or its user can no longer act for its organisation."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message, self.code = message, code


def api_key_authenticate(*, key: str) -> ApiKey:
    """The live key ``key`` is, with its user and organisation loaded (one query), or :class:`ApiKeyInvalid`.

    The hash is compared in constant time (the library's hasher). ``last_used_at`` moves forward at most
    once per :data:`LAST_USED_RESOLUTION`."""
    prefix, dot, _secret = key.partition(".")
    api_key = None
    if dot and prefix:
        api_key = (
            ApiKey.objects.select_related("created_by__organization", "organization").filter(prefix=prefix).first()
        )
    if api_key is None or not api_key.is_valid(key):
        raise ApiKeyInvalid("Invalid API key.", "api_key_invalid")
    if api_key.revoked:
        raise ApiKeyInvalid("This API key was revoked.", "api_key_revoked")
    if api_key.has_expired:
        raise ApiKeyInvalid("This API key has expired.", "api_key_expired")
    user = api_key.created_by
    if not user.is_active or user.organization_id != api_key.organization_id:
        raise ApiKeyInvalid("The user who created this API key can no longer act for its organisation.",
                            "api_key_user_inactive")  # fmt: skip
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at >= LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key
