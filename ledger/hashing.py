"""The byte layout of the hash chain (docs/LEDGER.md). Pure functions: no database, no Django.

    hash(entry) = SHA-256( TAG ‖ seq as 8-byte big-endian ‖ prev_hash (32 bytes) ‖ UTF-8 canonical text )

The canonical text is the RFC 8785 (JCS) serialisation of
``{"created_at": "<UTC, microseconds, Z>", "kind": "<kind>", "payload": {...}}``; it is stored as it
was hashed and never rebuilt from parsed JSON.
"""

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import rfc8785

#: Domain separation: a ledger hash can never be confused with a hash of anything else.
TAG = b"CarbonCred/ledger/v1\x00"
GENESIS_PREV_HASH = bytes(32)
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
_CREATED_AT_PREFIX = b'{"created_at":"'


class CanonicalTypeError(TypeError):
    """A value the ledger refuses to hash: floats, decimals, dates, non-string keys..."""


def _check(value: Any, path: str) -> None:
    # Strings, integers (also booleans) and null only: no float ever reaches the hash, and a value
    # RFC 8785 would render differently from what the caller meant (Decimal, date) is refused.
    if value is None or isinstance(value, str | int):
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise CanonicalTypeError(f"{path}: object keys must be strings, not {type(key).__name__}")
            _check(item, f"{path}.{key}")
        return
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check(item, f"{path}[{index}]")
        return
    raise CanonicalTypeError(f"{path}: {type(value).__name__} is not allowed in a ledger payload")


def canonical_json(value: Any) -> bytes:
    """RFC 8785 bytes of ``value`` after checking it holds only strings, integers, booleans and null."""
    _check(value, "$")
    return rfc8785.dumps(value)


def format_timestamp(moment: datetime) -> str:
    """UTC with exactly six fractional digits and a ``Z``: one spelling per instant."""
    if moment.tzinfo is None:
        raise ValueError("ledger timestamps must be timezone-aware")
    return moment.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


def entry_body(*, kind: str, payload: Mapping[str, Any]) -> bytes:
    """The canonical ``{"kind", "payload"}`` object, built before the head lock is taken."""
    return canonical_json({"kind": kind, "payload": payload})


def entry_canonical(*, created_at: str, body: bytes) -> bytes:
    """Splice ``created_at`` into a body from :func:`entry_body`.

    ``"created_at"`` sorts before ``"kind"`` and ``"payload"``, and a timestamp in
    :data:`TIMESTAMP_FORMAT` needs no escaping, so the result is exactly RFC 8785 of the whole
    object. PostgreSQL's ``ledger_append`` does the same splice, which lets the timestamp be taken
    under the head lock (so it never decreases along the chain).
    """
    if not body.startswith(b'{"kind":'):
        raise ValueError("body must come from entry_body()")
    return _CREATED_AT_PREFIX + created_at.encode("ascii") + b'",' + body[1:]


def entry_hash(*, seq: int, prev_hash: bytes, canonical: bytes) -> bytes:
    if len(prev_hash) != 32:
        raise ValueError("prev_hash must be 32 bytes")
    return hashlib.sha256(TAG + seq.to_bytes(8, "big") + prev_hash + canonical).digest()
