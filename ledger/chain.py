"""Appending to the hash chain: the one place that takes the ledger head lock.

On PostgreSQL the append is one call of the ``ledger_append`` function (migration 0002): lock the
head, hash with the built-in ``sha256``, insert the entry and its index rows, move the head — one
round trip while the lock is held. Elsewhere (SQLite) the same steps run here in Python. Both
produce identical bytes and hashes; tests compare them.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from ledger.hashing import entry_body, entry_canonical, entry_hash, format_timestamp
from ledger.models import CreditBlock, LedgerEntry, LedgerEntryParty, LedgerEntryRange, LedgerHead

_APPEND_SQL = (
    "SELECT o_seq, o_prev_hash, o_hash, o_created_at, o_canonical FROM ledger_append("
    "%s, %s, %s::bigint[], %s::bigint[], %s::bigint[], %s::integer[], %s::bigint[], %s::bigint[])"
)


def append_entry(
    *, kind: str, payload: Mapping[str, Any], parties: Iterable[int], moved: Sequence[CreditBlock]
) -> LedgerEntry:
    """Append one entry, as the last step of the caller's transaction.

    Locks the ledger head ``FOR UPDATE`` — after whatever the caller locked (credit blocks in
    primary-key order), never before — and holds it until the caller's transaction ends, so call
    it last and commit promptly. ``parties`` are the organisations the entry concerns (for
    "recent activity"); ``moved`` the blocks whose serial ranges it moved or issued (for the
    serial filter).
    """
    if not connection.in_atomic_block:
        raise RuntimeError("append_entry must run inside the transaction that changes the credits")
    body = entry_body(kind=kind, payload=payload)  # serialised before the lock: it does not need it
    party_ids = sorted(set(parties))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                _APPEND_SQL,
                [
                    kind,
                    body.decode(),
                    party_ids,
                    [block.pk for block in moved],
                    [block.project_id for block in moved],
                    [block.vintage for block in moved],
                    [block.serial_start for block in moved],
                    [block.serial_end for block in moved],
                ],
            )
            seq, prev_hash, hash_, created_at, canonical = cursor.fetchone()
        return loaded_entry(
            seq=seq, kind=kind, canonical=canonical, prev_hash=prev_hash, hash=hash_, created_at=created_at
        )
    return _append_in_python(kind=kind, body=body, party_ids=party_ids, moved=moved)


def loaded_entry(*, seq, kind, canonical, prev_hash, hash, created_at) -> LedgerEntry:
    """The entry a database function just wrote, as a model instance (no second query)."""
    entry = LedgerEntry(
        seq=seq, kind=kind, canonical=canonical, prev_hash=bytes(prev_hash), hash=bytes(hash), created_at=created_at
    )
    entry._state.adding = False
    entry._state.db = connection.alias
    return entry


def _lock_head() -> LedgerHead:
    head = LedgerHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        # First append ever (or after a test flush): create the head; a concurrent creator wins.
        try:
            with transaction.atomic():
                LedgerHead.objects.create(pk=1)
        except IntegrityError:
            pass
        head = LedgerHead.objects.select_for_update().get(pk=1)
    return head


def _append_in_python(*, kind: str, body: bytes, party_ids: list[int], moved: Sequence[CreditBlock]) -> LedgerEntry:
    head = _lock_head()
    seq = head.seq + 1
    created_at: datetime = timezone.now()
    if head.created_at and head.created_at > created_at:
        created_at = head.created_at  # never earlier than the previous entry
    canonical = entry_canonical(created_at=format_timestamp(created_at), body=body)
    prev_hash = bytes(head.hash)
    digest = entry_hash(seq=seq, prev_hash=prev_hash, canonical=canonical)
    entry = LedgerEntry.objects.create(
        seq=seq, kind=kind, canonical=canonical.decode(), prev_hash=prev_hash, hash=digest, created_at=created_at
    )
    LedgerEntryParty.objects.bulk_create([LedgerEntryParty(entry_id=seq, organization_id=party) for party in party_ids])
    LedgerEntryRange.objects.bulk_create(
        [
            LedgerEntryRange(
                entry_id=seq,
                block_id=block.pk,
                project_id=block.project_id,
                vintage=block.vintage,
                serial_start=block.serial_start,
                serial_end=block.serial_end,
            )
            for block in moved
        ]
    )
    LedgerHead.objects.filter(pk=1).update(seq=seq, hash=digest, created_at=created_at)
    return entry
