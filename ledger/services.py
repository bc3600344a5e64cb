"""The only code that creates or moves credits. Every service is one unit of work:
lock, check, mutate, append one ledger entry (last, holding the head lock only until the commit).

Lock order everywhere: the project row (issuance only), then credit blocks by primary key, then
the ledger head. Each service is ``@atomic_with_retry``: called on its own it is a transaction
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
from ledger.errors import (
    BlockNotFoundError,
    BlockStatusError,
    InsufficientCreditsError,
    InvalidMovementError,
    InvalidQuantityError,
    SelfDealingError,
)
from ledger.models import BlockStatus, Checkpoint, CreditBlock, EntryKind, LedgerEntry
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


# --- checkpoints ----------------------------------------------------------------------------


@atomic_with_retry
def checkpoint_create() -> Checkpoint | None:
    """Store a Merkle checkpoint over every committed entry; incremental and cheap (see ledger.checkpoints).

    Returns the latest checkpoint (a new one when entries were appended since), or ``None`` while
    the ledger is empty. Takes no lock on the head or on blocks: appends go on meanwhile, and two
    concurrent calls store the same deterministic rows (the later one finds them and returns them).
    """
    return checkpoints.checkpoint_extend()
