"""The only code that creates or moves credits. Every service is one unit of work:
lock, check, mutate, append one ledger entry (last, holding the head lock only until the commit).

Lock order everywhere: the project row (issuance only), then credit blocks by primary key, then
the ledger head (a reversal locks two organisation rows and the marketplace's listings first: see
:func:`credits_reverse`). Each service is ``@atomic_with_retry``: called on its own it is a transaction
retried whole on deadlock or serialization failure; called inside a caller's transaction it is a
savepoint, and the caller's outermost unit carries the retry.

A caller with rows of its own to write passes ``then``: a function called with the block that now
holds the moved serials (the new blocks, for an issuance) once it is locked and split, before the
head lock is taken. It may write the caller's rows (their locks come after the block's) and returns
the one row that points at the entry, which is inserted with the entry (``ledger.chain.EntryRow``),
or ``None``. So nothing is written once the head is locked. Blocks come back with their project.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Max

from accounts.models import Organization, buffer_pool
from core.db import atomic_with_retry
from core.ids import is_id
from ledger import checkpoints, entries
from ledger.chain import EntryRow, append_entry
from ledger.entries import Cancelled, ReversedIssuance
from ledger.errors import (
    BlockNotFoundError,
    BlockStatusError,
    InsufficientCreditsError,
    InvalidMovementError,
    InvalidQuantityError,
    IssuanceAlreadyReversedError,
    NotAnIssuanceError,
    SelfDealingError,
)
from ledger.models import BlockStatus, Checkpoint, CreditBlock, EntryKind, LedgerEntry, Reversal
from ledger.signals import credits_cancelling
from projects.models import Project

MEMO_MAX_KEYS = 16
MEMO_MAX_KEY_LENGTH = 64
MEMO_MAX_VALUE_LENGTH = 1000
MAX_ISSUE_DOCUMENTS = 1000
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
VINTAGE_RANGE = (1990, 2999)  # as the creditblock_vintage_plausible constraint
MAX_QUANTITY_KG = 10**15  # a million megatonnes: far beyond any issuance, far inside bigint and 2^53

#: Called with the block holding the moved serials; returns the row to insert with the entry.
Then = Callable[[CreditBlock], models.Model | EntryRow | None]
#: Called with the owner's and the buffer pool's new blocks; returns the row to insert with the entry.
IssueThen = Callable[[CreditBlock, CreditBlock | None], models.Model | EntryRow | None]


@dataclass(frozen=True)
class Issuance:
    owner_block: CreditBlock  # owned by project.owner, status available
    buffer_block: CreditBlock | None  # owned by the buffer-pool organisation (None when buffer_kg == 0)
    entry: LedgerEntry  # kind "issue"
    row: Any = None  # what ``then`` returned, saved with the entry


@dataclass(frozen=True)
class Movement:
    block: CreditBlock  # the block that now holds the moved kilograms (a new child, or the whole block)
    source: CreditBlock  # the original block after the split (the same object as block when all moved)
    entry: LedgerEntry
    row: Any = None  # what ``then`` returned, saved with the entry


# --- validation -----------------------------------------------------------------------------


def quantity_check(quantity_kg: Any) -> int:
    """A quantity of credits: a whole number of kilograms from 1 to :data:`MAX_QUANTITY_KG`."""
    if isinstance(quantity_kg, bool) or not isinstance(quantity_kg, int) or not 0 < quantity_kg <= MAX_QUANTITY_KG:
        detail = f"quantity_kg must be a whole number of kilograms from 1 to {MAX_QUANTITY_KG}, not {quantity_kg!r}."
        raise InvalidQuantityError(detail, errors={"quantity_kg": [detail]})
    return quantity_kg


def _check_memo(memo: dict[str, str] | None) -> dict[str, str]:
    if memo is None:
        return {}
    if not isinstance(memo, dict) or len(memo) > MEMO_MAX_KEYS:
        raise InvalidMovementError(f"memo must be an object of at most {MEMO_MAX_KEYS} string fields.")
    for key, value in memo.items():
        if not isinstance(key, str) or not isinstance(value, str) or not key or len(key) > MEMO_MAX_KEY_LENGTH:
            raise InvalidMovementError("memo keys and values must be strings (keys 1 to 64 characters).")
        if len(value) > MEMO_MAX_VALUE_LENGTH:
            raise InvalidMovementError(f"memo field {key!r} is longer than {MEMO_MAX_VALUE_LENGTH} characters.")
    return dict(memo)


def _check_documents(documents: Sequence[str]) -> list[str]:
    """Evidence hashes for an issue entry: lowercase hex SHA-256 strings, returned sorted and unique."""
    if isinstance(documents, str) or len(documents) > MAX_ISSUE_DOCUMENTS:
        raise InvalidMovementError(f"documents must be a list of at most {MAX_ISSUE_DOCUMENTS} SHA-256 hashes.")
    for digest in documents:
        if not isinstance(digest, str) or not SHA256_HEX.match(digest):
            raise InvalidMovementError("documents must be lowercase hex SHA-256 hashes (64 characters).")
    return sorted(set(documents))


def parties_check(*, sender_id: int, receiver_id: int, field: str | None = None) -> None:
    """Credits never change hands within one organisation (a sale to oneself, a transfer to oneself).
    ``field`` names the request field that chose the receiver, for the error body."""
    if sender_id == receiver_id:
        detail = SelfDealingError.default_detail
        raise SelfDealingError(detail, **({"errors": {field: [detail]}} if field else {}))


def _entry_row(row: models.Model | EntryRow | None) -> EntryRow | None:
    if row is None or isinstance(row, EntryRow):
        return row
    return EntryRow(row)


# --- issuance -------------------------------------------------------------------------------


def buffer_kg_for(quantity_kg: int, share: Decimal) -> int:
    """ceil(quantity_kg * share), exactly (Decimal, no float)."""
    return int((Decimal(quantity_kg) * share).to_integral_value(rounding=ROUND_CEILING))


@atomic_with_retry
def credits_issue(
    *,
    project: Project,
    vintage: int,
    quantity_kg: int,
    buffer_share: Decimal | None = None,
    memo: dict[str, str] | None = None,
    documents: Sequence[str] = (),
    then: IssueThen | None = None,
) -> Issuance:
    """Issue ``quantity_kg`` fresh serials of (project, vintage): the buffer share (rounded up) to the
    buffer pool, the rest to ``project.owner``; both ranges contiguous from one fresh range.
    ``documents`` are the SHA-256 of the evidence behind the issuance, recorded in the entry.
    ``then`` is called with the owner's block and the buffer pool's (see the module docstring).

    Locks: the project row ``FOR NO KEY UPDATE`` (serialises range allocation per project; blocks
    referencing it can still be inserted), then the ledger head.
    """
    quantity_kg = quantity_check(quantity_kg)
    memo = _check_memo(memo)
    evidence = _check_documents(documents)
    share = settings.CREDIT_BUFFER_SHARE if buffer_share is None else buffer_share
    if not isinstance(share, Decimal) or not Decimal(0) <= share < Decimal(1):
        raise InvalidMovementError("buffer_share must be a Decimal from 0 (inclusive) to 1 (exclusive).")
    if isinstance(vintage, bool) or not isinstance(vintage, int) or not VINTAGE_RANGE[0] <= vintage <= VINTAGE_RANGE[1]:
        raise InvalidMovementError(f"vintage must be a year from {VINTAGE_RANGE[0]} to {VINTAGE_RANGE[1]}.")
    buffer_kg = buffer_kg_for(quantity_kg, share)
    owner_kg = quantity_kg - buffer_kg
    if owner_kg < 1:
        raise InvalidQuantityError(
            f"{quantity_kg} kg is too small to issue: the buffer share takes {buffer_kg} kg and leaves nothing."
        )
    pool = buffer_pool() if buffer_kg else None

    project = Project.objects.select_for_update(no_key=True).get(pk=project.pk)
    last = CreditBlock.objects.filter(project=project, vintage=vintage).aggregate(last=Max("serial_end"))["last"]
    start = (last or 0) + 1
    owner_block = CreditBlock(
        project=project,
        vintage=vintage,
        serial_start=start,
        serial_end=start + owner_kg - 1,
        owner_id=project.owner_id,
        status=BlockStatus.AVAILABLE,
    )
    blocks = [owner_block]
    buffer_block = None
    if pool is not None:
        buffer_block = CreditBlock(
            project=project,
            vintage=vintage,
            serial_start=start + owner_kg,
            serial_end=start + quantity_kg - 1,
            owner=pool,
            status=BlockStatus.AVAILABLE,
        )
        blocks.append(buffer_block)
    CreditBlock.objects.bulk_create(blocks)
    row = _entry_row(then(owner_block, buffer_block) if then is not None else None)

    payload = entries.issue_payload(
        project_id=project.pk,
        country=str(project.country),
        vintage=vintage,
        quantity_kg=quantity_kg,
        buffer_kg=buffer_kg,
        owner_id=project.owner_id,
        buffer_pool_id=None if pool is None else pool.pk,
        blocks=blocks,
        memo=memo,
        documents=evidence,
    )
    entry = append_entry(
        kind=EntryKind.ISSUE, payload=payload, parties=[block.owner_id for block in blocks], moved=blocks, row=row
    )
    return Issuance(
        owner_block=owner_block, buffer_block=buffer_block, entry=entry, row=row.row if row is not None else None
    )


# --- movements ------------------------------------------------------------------------------


def block_lock(*, owner: Organization, block_id: Any) -> CreditBlock:
    """The owner's block with its project, locked ``FOR UPDATE`` (the block row only); another
    organisation's block, or an id that is no id at all, does not exist (404)."""
    if not is_id(block_id):
        raise BlockNotFoundError()
    try:
        # of=("self",): the project is read, not locked.
        return (
            CreditBlock.objects.select_for_update(of=("self",)).select_related("project").get(pk=block_id, owner=owner)
        )
    except CreditBlock.DoesNotExist:
        raise BlockNotFoundError() from None


def block_split(*, block: CreditBlock, quantity_kg: int, owner_id: int, status: str) -> CreditBlock:
    """Move the last ``quantity_kg`` serials of ``block`` to ``owner_id`` with ``status``.

    The original keeps its id, owner and status and shrinks to the first part of its range; the
    moved part is a new child block. With the whole quantity, the block itself changes hands.
    Expects ``block`` locked by the caller; never creates or loses a kilogram.
    """
    if quantity_kg == block.quantity_kg:
        block.owner_id, block.status = owner_id, status
        block.save(update_fields=["owner", "status"])
        return block
    first_moved = block.serial_end - quantity_kg + 1
    child = CreditBlock(
        project=block.project,
        vintage=block.vintage,
        serial_start=first_moved,
        serial_end=block.serial_end,
        owner_id=owner_id,
        status=status,
        parent=block,
    )
    # Shrink first: the exclusion constraint forbids the two ranges overlapping even for a moment.
    block.serial_end = first_moved - 1
    block.save(update_fields=["serial_end"])
    child.save(force_insert=True)
    return child


def _move(
    *,
    kind: str,
    actor: Organization,
    block: CreditBlock | int,
    quantity_kg: int | None,
    whole: bool = False,
    required_status: str,
    new_status: str,
    receiver: Organization,
    memo: dict[str, str] | None,
    then: Then | None,
) -> Movement:
    """Lock the actor's block (unless given one the caller locked with :func:`block_lock`), check
    status and quantity, split or hand over, append the entry. ``whole=True`` moves the whole block
    (``quantity_kg`` is then ignored). Locks one credit block, then the ledger head.
    """
    checked_kg = None if whole else quantity_check(quantity_kg)
    memo = _check_memo(memo)
    source = block if isinstance(block, CreditBlock) else block_lock(owner=actor, block_id=block)
    if source.owner_id != actor.pk:
        raise BlockNotFoundError()
    if source.status != required_status:
        raise BlockStatusError(block_id=source.pk, status=source.status, required=required_status)
    checked_kg = source.quantity_kg if checked_kg is None else checked_kg
    if checked_kg > source.quantity_kg:
        raise InsufficientCreditsError(available_kg=source.quantity_kg, requested_kg=checked_kg)

    moved = block_split(block=source, quantity_kg=checked_kg, owner_id=receiver.pk, status=new_status)
    row = _entry_row(then(moved) if then is not None else None)
    payload = entries.movement_payload(
        quantity_kg=checked_kg, actor_id=actor.pk, receiver_id=receiver.pk, source=source, moved=moved, memo=memo
    )
    entry = append_entry(kind=kind, payload=payload, parties=[actor.pk, receiver.pk], moved=[moved], row=row)
    return Movement(block=moved, source=source, entry=entry, row=row.row if row is not None else None)


@atomic_with_retry
def credits_transfer(
    *,
    sender: Organization,
    block: CreditBlock | int,
    quantity_kg: int,
    to: Organization,
    memo: dict[str, str] | None = None,
    then: Then | None = None,
) -> Movement:
    """Give ``quantity_kg`` of an available block (its id, or the block locked with
    :func:`block_lock`) to ``to`` (available there). Entry kind ``transfer``.

    Locks: the sender's block ``FOR UPDATE``, then the ledger head.
    """
    parties_check(sender_id=sender.pk, receiver_id=to.pk)
    return _move(
        kind=EntryKind.TRANSFER,
        actor=sender,
        block=block,
        quantity_kg=quantity_kg,
        required_status=BlockStatus.AVAILABLE,
        new_status=BlockStatus.AVAILABLE,
        receiver=to,
        memo=memo,
        then=then,
    )


@atomic_with_retry
def credits_reserve(
    *,
    owner: Organization,
    block: CreditBlock | int,
    quantity_kg: int,
    memo: dict[str, str] | None = None,
    then: Then | None = None,
) -> Movement:
    """Set ``quantity_kg`` of an available block aside for a listing (status ``listed``). Kind ``list``.

    Locks: the owner's block ``FOR UPDATE``, then the ledger head.
    """
    return _move(
        kind=EntryKind.LIST,
        actor=owner,
        block=block,
        quantity_kg=quantity_kg,
        required_status=BlockStatus.AVAILABLE,
        new_status=BlockStatus.LISTED,
        receiver=owner,
        memo=memo,
        then=then,
    )


@atomic_with_retry
def credits_release(
    *, owner: Organization, block: CreditBlock | int, memo: dict[str, str] | None = None, then: Then | None = None
) -> Movement:
    """Return a whole listed block to ``available`` (a listing withdrawn). Kind ``delist``.

    Locks: the owner's block ``FOR UPDATE``, then the ledger head.
    """
    return _move(
        kind=EntryKind.DELIST,
        actor=owner,
        block=block,
        quantity_kg=None,
        whole=True,
        required_status=BlockStatus.LISTED,
        new_status=BlockStatus.AVAILABLE,
        receiver=owner,
        memo=memo,
        then=then,
    )


@atomic_with_retry
def credits_trade(
    *,
    seller: Organization,
    block: CreditBlock | int,
    quantity_kg: int,
    buyer: Organization,
    memo: dict[str, str] | None = None,
    then: Then | None = None,
) -> Movement:
    """Sell ``quantity_kg`` of the seller's listed block: the part goes to ``buyer`` as available,
    the rest stays listed. Kind ``trade``.

    Locks: the seller's block ``FOR UPDATE``, then the ledger head (a marketplace caller locks its
    listing row before calling).
    """
    parties_check(sender_id=seller.pk, receiver_id=buyer.pk)
    return _move(
        kind=EntryKind.TRADE,
        actor=seller,
        block=block,
        quantity_kg=quantity_kg,
        required_status=BlockStatus.LISTED,
        new_status=BlockStatus.AVAILABLE,
        receiver=buyer,
        memo=memo,
        then=then,
    )


@atomic_with_retry
def credits_retire(
    *,
    owner: Organization,
    block: CreditBlock | int,
    quantity_kg: int,
    memo: dict[str, str] | None = None,
    then: Then | None = None,
) -> Movement:
    """Retire ``quantity_kg`` of an available block for good (status ``retired``). Kind ``retire``.

    Locks: the owner's block ``FOR UPDATE``, then the ledger head. A retired block never changes
    again (on PostgreSQL a trigger refuses it too). Call :func:`checkpoint_create` after commit
    (``transaction.on_commit``) when a proof will be shown for the retirement.
    """
    return _move(
        kind=EntryKind.RETIRE,
        actor=owner,
        block=block,
        quantity_kg=quantity_kg,
        required_status=BlockStatus.AVAILABLE,
        new_status=BlockStatus.RETIRED,
        receiver=owner,
        memo=memo,
        then=then,
    )


# --- reversal -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReversalPlan:
    """What a reversal does, worked out under its locks and shown to the caller's ``then`` before the
    head lock. ``cancelled_kg + buffer_share_cancelled_kg + compensation_kg`` is the whole issuance;
    ``compensation_kg = buffer_cancelled_kg + shortfall_kg``."""

    issuance: ReversedIssuance
    cancelled_kg: int  # the owner's, available or listed: cancelled
    buffer_share_cancelled_kg: int  # the issuance's own buffer share still in the pool: cancelled
    compensation_kg: int  # in circulation (or drawn earlier for another reversal): made up from the pool
    buffer_cancelled_kg: int  # the pool's other credits cancelled for it
    shortfall_kg: int  # what the pool could not make up


@dataclass(frozen=True)
class ReversalResult:
    reversal: Reversal  # the ledger's record, inserted with the last entry
    plan: ReversalPlan
    entries: list[LedgerEntry]  # cancel and/or buffer_cancel, in chain order


#: Called with the plan once every block is locked and cancelled, before the head lock; writes the caller's rows.
ReverseThen = Callable[[ReversalPlan], None]


def reversed_issuance_of(entry: LedgerEntry) -> ReversedIssuance:
    """The whole range an ``issue`` entry issued (its owner's block and its buffer share), from its payload."""
    if entry.kind != EntryKind.ISSUE:
        raise NotAnIssuanceError()
    payload = entry.payload
    blocks = payload["blocks"]
    return ReversedIssuance(
        issue_seq=entry.seq,
        project_id=int(payload["project"]),
        vintage=payload["vintage"],
        serial_start=min(int(block["serial_start"]) for block in blocks),
        serial_end=max(int(block["serial_end"]) for block in blocks),
        owner_id=int(payload["to"]),
        buffer_pool_id=buffer_pool().pk,
    )


def _lock_held(*, issuance: ReversedIssuance, owner_id: int, statuses: Sequence[str]) -> list[CreditBlock]:
    """``owner_id``'s blocks of the issuance's range in ``statuses``, locked ``FOR UPDATE`` in primary-key
    order. A block that changed while we waited is matched again on its new row (READ COMMITTED)."""
    return list(
        CreditBlock.objects.select_for_update(of=("self",))
        .select_related("project")
        .filter(
            project_id=issuance.project_id,
            vintage=issuance.vintage,
            owner_id=owner_id,
            status__in=statuses,
            serial_start__gte=issuance.serial_start,
            serial_end__lte=issuance.serial_end,
        )
        .order_by("pk")
    )


def _buffer_draw(*, issuance: ReversedIssuance, need_kg: int, exclude: set[int]) -> list[tuple[CreditBlock, int]]:
    """The buffer pool's available blocks to cancel ``need_kg`` from, with the kilograms each gives:
    the same project and vintage first (the oldest serials first), then any other, oldest block first.
    Locked ``FOR UPDATE`` in primary-key order. Expects the pool's row locked (reversals are the only
    writers of the pool's blocks, one at a time), so what was chosen is what gets locked."""
    if need_kg <= 0:
        return []
    pool_blocks = CreditBlock.objects.filter(owner_id=issuance.buffer_pool_id, status=BlockStatus.AVAILABLE).exclude(
        pk__in=exclude
    )
    same = pool_blocks.filter(project_id=issuance.project_id, vintage=issuance.vintage).order_by("serial_start")
    others = pool_blocks.exclude(project_id=issuance.project_id, vintage=issuance.vintage).order_by("pk")
    chosen: list[int] = []
    found = 0
    for candidates in (same, others):
        rows = candidates.values_list("pk", "serial_start", "serial_end")
        for block_id, start, end in rows.iterator(chunk_size=settings.LEDGER_STREAM_CHUNK):
            chosen.append(block_id)
            found += end - start + 1
            if found >= need_kg:
                break
        if found >= need_kg:
            break
    locked = (
        CreditBlock.objects.select_for_update(of=("self",))
        .select_related("project")
        .filter(pk__in=chosen, owner_id=issuance.buffer_pool_id, status=BlockStatus.AVAILABLE)
        .in_bulk()
    )
    if len(locked) != len(chosen):
        raise RuntimeError("the buffer pool's blocks changed under its lock")
    draw, left = [], need_kg
    for block_id in chosen:
        take = min(locked[block_id].quantity_kg, left)
        draw.append((locked[block_id], take))
        left -= take
    return draw


def _cancel(block: CreditBlock, quantity_kg: int) -> Cancelled:
    """Cancel the last ``quantity_kg`` of a locked block (all of it: the block itself) for its owner."""
    status_before = block.status
    part = block_split(block=block, quantity_kg=quantity_kg, owner_id=block.owner_id, status=BlockStatus.CANCELLED)
    return Cancelled(source=block, block=part, status_before=status_before)


@atomic_with_retry
def credits_reverse(
    *, issue_entry: int, reason: str, memo: dict[str, str] | None = None, then: ReverseThen | None = None
) -> ReversalResult:
    """Reverse the issuance made by the ``issue`` entry ``issue_entry``, so that every credit still in
    circulation stays backed (docs/LEDGER.md and docs/VERIFICATION.md, "Reversals"):

    - the credits of its range still held by its owner (available, or listed: the marketplace closes
      those listings first, through :data:`ledger.signals.credits_cancelling`) and what is left of its
      buffer share in the pool are cancelled — one ``cancel`` entry;
    - the rest of the issuance (sold, transferred, retired, or drawn earlier for another reversal) is
      made up by cancelling as many kilograms of the pool's other credits, the same project and vintage
      first, then the oldest — one ``buffer_cancel`` entry, with ``shortfall_kg`` when the pool holds
      too little.

    ``reason`` (and ``memo``) go into both entries' memo. ``then(plan)`` writes the caller's rows once
    everything is locked and cancelled, before the head lock; the ledger's :class:`Reversal` row is
    inserted with the last entry. An issuance is reversed once (409 ``issuance_already_reversed``).

    Locks, in this order: the owner's organisation row ``FOR NO KEY UPDATE`` (its listings and transfers,
    which read it ``FOR SHARE`` first, wait), the buffer pool's row ``FOR NO KEY UPDATE`` (reversals
    draw from the pool one at a time), the receivers' rows (the marketplace's open listings, by primary
    key), the owner's blocks of the range by primary key, the pool's blocks of the range, the pool's
    blocks drawn, then the ledger head. A purchase locks its listing before its block, as this does, so
    a purchase and a reversal of the same credits queue instead of deadlocking: a purchase that commits
    first leaves the buyer's credits in circulation (compensated from the pool); one that waits finds
    its listing closed (409).
    """
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidMovementError("A reversal needs a reason.")
    memo = _check_memo({**(memo or {}), "reason": reason})
    entry = LedgerEntry.objects.filter(seq=issue_entry).first() if is_id(issue_entry) else None
    if entry is None:
        raise NotAnIssuanceError()
    issuance = reversed_issuance_of(entry)

    Organization.objects.select_for_update(no_key=True).filter(pk=issuance.owner_id).values_list("pk").get()
    Organization.objects.select_for_update(no_key=True).filter(pk=issuance.buffer_pool_id).values_list("pk").get()
    # Under the locks: a reversal of the same issuance that committed meanwhile is seen now.
    if Reversal.objects.filter(issue_entry_id=entry.seq).exists():
        raise IssuanceAlreadyReversedError()
    credits_cancelling.send(
        sender=CreditBlock,
        owner_id=issuance.owner_id,
        project_id=issuance.project_id,
        vintage=issuance.vintage,
        serial_start=issuance.serial_start,
        serial_end=issuance.serial_end,
    )
    held = _lock_held(
        issuance=issuance, owner_id=issuance.owner_id, statuses=(BlockStatus.AVAILABLE, BlockStatus.LISTED)
    )
    share = _lock_held(issuance=issuance, owner_id=issuance.buffer_pool_id, statuses=(BlockStatus.AVAILABLE,))
    cancelled_kg = sum(block.quantity_kg for block in held)
    share_kg = sum(block.quantity_kg for block in share)
    compensation_kg = issuance.quantity_kg - cancelled_kg - share_kg
    draw = _buffer_draw(issuance=issuance, need_kg=compensation_kg, exclude={block.pk for block in share})
    drawn_kg = sum(take for _, take in draw)

    # Every lock is held: cancel, then let the caller write, then append (the head lock, last).
    cancelled = [_cancel(block, block.quantity_kg) for block in [*held, *share]]
    compensated = [_cancel(block, take) for block, take in draw]
    plan = ReversalPlan(
        issuance=issuance,
        cancelled_kg=cancelled_kg,
        buffer_share_cancelled_kg=share_kg,
        compensation_kg=compensation_kg,
        buffer_cancelled_kg=drawn_kg,
        shortfall_kg=compensation_kg - drawn_kg,
    )
    if then is not None:
        then(plan)

    record = Reversal(
        issue_entry_id=entry.seq,
        project_id=issuance.project_id,
        vintage=issuance.vintage,
        serial_start=issuance.serial_start,
        serial_end=issuance.serial_end,
        owner_id=issuance.owner_id,
        cancelled_kg=cancelled_kg,
        buffer_share_cancelled_kg=share_kg,
        compensation_kg=compensation_kg,
        buffer_cancelled_kg=drawn_kg,
        shortfall_kg=plan.shortfall_kg,
        reason=reason,
    )
    appended: list[LedgerEntry] = []
    if cancelled:
        last = compensation_kg == 0
        appended.append(
            append_entry(
                kind=EntryKind.CANCEL,
                payload=entries.cancel_payload(reversed_issuance=issuance, cancelled=cancelled, memo=memo),
                parties=[item.block.owner_id for item in cancelled],
                moved=[item.block for item in cancelled],
                row=EntryRow(record, {"cancel_entry_id": "seq", "created_at": "created_at"}) if last else None,
            )
        )
        record.cancel_entry_id = appended[0].seq
    if compensation_kg > 0:
        appended.append(
            append_entry(
                kind=EntryKind.BUFFER_CANCEL,
                payload=entries.buffer_cancel_payload(
                    reversed_issuance=issuance, required_kg=compensation_kg, cancelled=compensated, memo=memo
                ),
                parties=[issuance.buffer_pool_id],
                moved=[item.block for item in compensated],
                row=EntryRow(record, {"buffer_cancel_entry_id": "seq", "created_at": "created_at"}),
            )
        )
    return ReversalResult(reversal=record, plan=plan, entries=appended)


# --- checkpoints ----------------------------------------------------------------------------


@atomic_with_retry
def checkpoint_create() -> Checkpoint | None:
    """Store a Merkle checkpoint over every committed entry; incremental and cheap (see ledger.checkpoints).

    Returns the latest checkpoint (a new one when entries were appended since), or ``None`` while
    the ledger is empty. Takes no lock on the head or on blocks: appends go on meanwhile, and two
    concurrent calls store the same deterministic rows (the later one finds them and returns them).
    """
    return checkpoints.checkpoint_extend()
