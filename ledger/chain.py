"""Appending to the hash chain: the one place that takes the ledger head lock.

Python builds the entry's body (``ledger.entries``, serialised by ``ledger.hashing``); the database
only appends it. On PostgreSQL that is one call of the ``ledger_append`` function (migration 0002):
lock the head row, take the timestamp, hash ``prev_hash`` with the body, insert the entry and its
index rows, move the head — one round trip while the lock is held. Elsewhere (SQLite) the same steps
run here in Python; both give the same bytes, and tests re-hash what each stored.

The head lock is held from the append to the commit, so nothing else may be written after it. A
caller whose own row points at the entry (an order, a certificate) hands that row over as an
:class:`EntryRow`: it is inserted by the same statement as the append, with the entry's seq (and
hash or timestamp where asked) filled in.
"""

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from ledger.hashing import entry_body, entry_canonical, entry_hash, format_timestamp
from ledger.models import CreditBlock, LedgerEntry, LedgerEntryParty, LedgerEntryRange, LedgerHead

_APPEND_CALL = (
    "SELECT o_seq, o_prev_hash, o_hash, o_created_at, o_canonical FROM ledger_append("
    "%s, %s, %s::bigint[], %s::bigint[], %s::bigint[], %s::integer[], %s::bigint[], %s::bigint[])"
)

# What an EntryRow may take from its entry, and how SQL spells it from the append's result ``e``.
_ENTRY_VALUES_SQL = {
    "seq": "e.o_seq",
    "hash_hex": "encode(e.o_hash, 'hex')",
    "created_at": "e.o_created_at",
}


@dataclass(frozen=True)
class EntryRow:
    """An unsaved row to insert together with the entry it refers to.

    ``from_entry`` maps the row's field attribute names to what they take from the entry: ``seq``
    (the default, for the ``ledger_entry`` foreign key), ``hash_hex`` or ``created_at``.
    """

    row: models.Model
    from_entry: Mapping[str, str] = field(default_factory=lambda: {"ledger_entry_id": "seq"})

    def __post_init__(self) -> None:
        unknown = set(self.from_entry.values()) - set(_ENTRY_VALUES_SQL)
        if unknown:
            raise ValueError(f"EntryRow can take {sorted(_ENTRY_VALUES_SQL)} from the entry, not {sorted(unknown)}")


def append_entry(
    *,
    kind: str,
    payload: Mapping[str, Any],
    parties: Iterable[int],
    moved: Sequence[CreditBlock],
    row: EntryRow | None = None,
) -> LedgerEntry:
    """Append one entry, as the last write of the caller's transaction.

    Locks the ledger head ``FOR UPDATE`` — after whatever the caller locked (credit blocks in
    primary-key order), never before — and holds it until the caller's transaction ends, so call it
    last and commit promptly. ``parties`` are the organisations the entry concerns (for "recent
    activity"); ``moved`` the blocks whose serial ranges it moved or issued (for the serial filter);
    ``row`` a caller's row inserted with the entry (it comes back saved).
    """
    if not connection.in_atomic_block:
        raise RuntimeError("append_entry must run inside the transaction that changes the credits")
    body = entry_body(kind=kind, payload=payload)  # serialised before the lock: it does not need it
    party_ids = sorted(set(parties))
    if connection.vendor == "postgresql":
        entry = _append_in_sql(kind=kind, body=body, party_ids=party_ids, moved=moved, row=row)
    else:
        entry = _append_in_python(kind=kind, body=body, party_ids=party_ids, moved=moved)
        if row is not None:
            _fill_from_entry(row, entry)
            row.row.save(force_insert=True)
    # Registering writes nothing; the check runs once the head lock is released by the commit.
    transaction.on_commit(functools.partial(_after_commit, seq=entry.seq), robust=True)
    return entry


def _after_commit(*, seq: int) -> None:
    from ledger.tasks import after_append  # here: ledger.tasks imports ledger.services, which imports this module

    after_append(seq=seq)


def _entry_value(entry: LedgerEntry, source: str) -> Any:
    return {"seq": entry.seq, "hash_hex": entry.hash_hex, "created_at": entry.created_at}[source]


def _fill_from_entry(row: EntryRow, entry: LedgerEntry) -> None:
    for attname, source in row.from_entry.items():
        setattr(row.row, attname, _entry_value(entry, source))
        if source == "seq":
            # The foreign key's object too: a response that names the entry reads it without a query.
            for model_field in row.row._meta.concrete_fields:
                if model_field.attname == attname and model_field.related_model is LedgerEntry:
                    model_field.set_cached_value(row.row, entry)  # type: ignore[attr-defined]  # a ForeignKey


def _append_in_sql(
    *, kind: str, body: bytes, party_ids: list[int], moved: Sequence[CreditBlock], row: EntryRow | None
) -> LedgerEntry:
    params: list[Any] = [
        kind,
        body.decode(),
        party_ids,
        [block.pk for block in moved],
        [block.project_id for block in moved],
        [block.vintage for block in moved],
        [block.serial_start for block in moved],
        [block.serial_end for block in moved],
    ]
    if row is None:
        sql = _APPEND_CALL
    else:
        insert, insert_params = _insert_from_entry(row)
        sql = f"WITH e AS ({_APPEND_CALL}), r AS ({insert}) SELECT e.*, r.* FROM e, r"  # noqa: S608 - no input
        params += insert_params
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        seq, prev_hash, hash_, created_at, canonical, *inserted = cursor.fetchone()
    entry = loaded_entry(
        seq=seq, kind=kind, canonical=canonical, prev_hash=prev_hash, hash=hash_, created_at=created_at
    )
    if row is not None:
        _fill_from_entry(row, entry)
        obj = row.row
        if obj.pk is None:
            obj.pk = inserted[0]
        obj._state.adding = False
        obj._state.db = connection.alias
    return entry


def _insert_from_entry(row: EntryRow) -> tuple[str, list[Any]]:
    """``INSERT … SELECT … FROM e RETURNING pk`` of ``row.row``: its own values as parameters, the
    fields named in ``row.from_entry`` from the append's result ``e``."""
    obj = row.row
    meta = obj._meta

    def quote(name: str | None) -> str:  # concrete fields and tables always have a name
        return connection.ops.quote_name(str(name))

    columns, values, params = [], [], []
    for model_field in meta.concrete_fields:
        if model_field.primary_key and obj.pk is None:
            continue  # generated by the database
        # The stubs type ``column`` as optional (non-concrete fields have none); a concrete field has one.
        columns.append(quote(cast(str, model_field.column)))
        source = row.from_entry.get(model_field.attname)
        if source is not None:
            values.append(_ENTRY_VALUES_SQL[source])
        else:
            values.append("%s")
            params.append(model_field.get_db_prep_save(model_field.pre_save(obj, add=True), connection))
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(columns)}) "  # noqa: S608 - names from the model
        f"SELECT {', '.join(values)} FROM e RETURNING {quote(cast(str, meta.pk.column))}"
    )
    return sql, params


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
