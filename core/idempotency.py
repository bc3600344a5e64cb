"""``Idempotency-Key`` for the endpoints that move money or credits.

A request carrying the header claims ``(user, key)`` inside the same transaction as its effect.
The first successful (2xx) response is stored with it and replayed to any repeat; a repeat whose
method, path or body differ answers 422; a failed request stores nothing, so the client may retry
with the same key. On PostgreSQL a concurrent duplicate blocks on the unique index until the first
commits, then replays its response — the effect happens once. Records expire after
``settings.IDEMPOTENCY_TTL`` (``manage.py idempotency_purge`` deletes them).
"""

import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from functools import wraps

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response

from core.db import atomic_with_retry
from core.errors import DomainError
from core.models import IdempotencyRecord
from core.renderers import JSONRenderer

HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    name=HEADER,
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Any string up to 255 characters. A repeat with the same key returns the first response and "
        "does nothing twice; the same key with a different body is refused with 422."
    ),
)


class IdempotencyKeyInvalidError(DomainError):
    status_code, code = 400, "idempotency_key_invalid"


class IdempotencyKeyReusedError(DomainError):
    """The key was used before for a different request."""

    status_code, code = 422, "idempotency_key_reused"
    default_detail = "This Idempotency-Key was already used with a different request."


def request_fingerprint(request: Request) -> str:
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(f"{request.method}\n{request.path}\n{body}".encode()).hexdigest()


def _replay(record: IdempotencyRecord, fingerprint: str) -> Response:
    if record.fingerprint != fingerprint:
        raise IdempotencyKeyReusedError()
    return Response(record.response_body, status=record.status_code, headers={REPLAY_HEADER: "true"})


# The statement ``IdempotencyRecord`` would write, plus the conflict clause the ORM cannot express
# with a returned id. Quoted names work on PostgreSQL and SQLite alike.
CLAIM_SQL = (
    f'INSERT INTO "{IdempotencyRecord._meta.db_table}" '  # noqa: S608 - the model's own table name
    '("user_id", "key", "fingerprint", "method", "path", "status_code", "created_at") '
    "VALUES (%s, %s, %s, %s, %s, %s, %s) "
    'ON CONFLICT ("user_id", "key") DO NOTHING RETURNING "id"'
)


def _insert_claim(request: Request, *, key: str, fingerprint: str, now: datetime) -> int | None:
    """Insert the record for ``(user, key)`` and return its id, or ``None`` if the key is taken.

    ``INSERT … ON CONFLICT DO NOTHING`` (PostgreSQL, SQLite ≥ 3.35): one statement, no savepoint and no
    exception when the key exists. On PostgreSQL a concurrent insert of the same key makes this wait
    for that transaction: if it commits, the key is taken; if it rolls back, this insert goes ahead.
    """
    params = [request.user.pk, key, fingerprint, request.method, request.path[:255], 0]
    with connection.cursor() as cursor:
        cursor.execute(CLAIM_SQL, [*params, connection.ops.adapt_datetimefield_value(now)])
        row = cursor.fetchone()
    return row[0] if row else None


def _claim_key(request: Request, *, key: str, fingerprint: str) -> int | IdempotencyRecord:
    """Claim ``key`` for this request (the new record's id), or the live record that already holds it.

    A record past ``IDEMPOTENCY_TTL`` that the purge has not deleted yet no longer holds its key."""
    user_id = request.user.pk
    if user_id is None:  # the decorated views require authentication; this is that check once more
        raise exceptions.NotAuthenticated()
    now = timezone.now()
    if (record_id := _insert_claim(request, key=key, fingerprint=fingerprint, now=now)) is not None:
        return record_id
    existing = IdempotencyRecord.objects.get(user_id=user_id, key=key)
    if existing.created_at >= now - settings.IDEMPOTENCY_TTL:
        return existing
    existing.delete()
    if (record_id := _insert_claim(request, key=key, fingerprint=fingerprint, now=now)) is not None:
        return record_id
    return IdempotencyRecord.objects.get(user_id=user_id, key=key)  # a concurrent request re-claimed it


def idempotent(view_method: Callable[..., Response]) -> Callable[..., Response]:
    """Decorate an APIView handler (``post``) so that it honours ``Idempotency-Key``."""

    @wraps(view_method)
    def wrapper(view, request: Request, *args, **kwargs) -> Response:
        key = request.headers.get(HEADER)
        if key is None:
            return view_method(view, request, *args, **kwargs)
        if not key.strip() or len(key) > MAX_KEY_LENGTH:
            raise IdempotencyKeyInvalidError(f"{HEADER} must be 1 to {MAX_KEY_LENGTH} characters.")
        fingerprint = request_fingerprint(request)

        @atomic_with_retry
        def unit() -> Response:
            claimed = _claim_key(request, key=key, fingerprint=fingerprint)
            if isinstance(claimed, IdempotencyRecord):
                return _replay(claimed, fingerprint)
            response = view_method(view, request, *args, **kwargs)
            if 200 <= response.status_code < 300:
                IdempotencyRecord.objects.filter(pk=claimed).update(
                    status_code=response.status_code,
                    response_body=json.loads(JSONRenderer().render(response.data) or b"null"),
                )
            else:
                transaction.set_rollback(True)
            return response

        return unit()

    return wrapper
