"""The only code that creates or moves credits. Every service is one unit of work:
lock, check, mutate, append one ledger entry (last, holding the head lock briefly), commit.

Lock order everywhere: the project row (issuance only), then credit blocks by primary key, then
the ledger head. Each service is ``@atomic_with_retry``: called on its own it is a transaction
retried whole on deadlock or serialization failure; called inside a caller's transaction it is a
savepoint, and the caller's outermost unit carries the retry.
"""

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Max

from accounts.models import Organization, buffer_pool
from core.db import atomic_with_retry
from ledger import checkpoints
from ledger.chain import append_entry, loaded_entry
from ledger.errors import (
    BlockNotFoundError,
    BlockStatusError,
    InsufficientCreditsError,
    InvalidMovementError,
    InvalidQuantityError,
)
from ledger.hashing import canonical_json
from ledger.models import BlockStatus, Checkpoint, CreditBlock, EntryKind, LedgerEntry
from projects.models import Project

MEMO_MAX_KEYS = 16
MEMO_MAX_KEY_LENGTH = 64
MEMO_MAX_VALUE_LENGTH = 1000
VINTAGE_RANGE = (1990, 2999)  # as the creditblock_vintage_plausible constraint
MAX_QUANTITY_KG = 10**15  # a million megatonnes: far beyond any issuance, far inside bigint and 2^53
MAX_ID = 2**63 - 1

#: On PostgreSQL a movement is one call of ``ledger_move`` (migration 0003): lock, check, split,
#: append in one round trip. SQLite runs the same steps here in Python; tests switch this off on
#: PostgreSQL to compare the two paths byte for byte.
SQL_MOVES = True


@dataclass(frozen=True)
class Issuance:
    owner_block: CreditBlock  # owned by project.owner, status available
    buffer_block: CreditBlock | None  # owned by the buffer-pool organisation (None when buffer_kg == 0)
    entry: LedgerEntry  # kind "issue"


@dataclass(frozen=True)
class Movement:
    block: CreditBlock  # the block that now holds the moved kilograms (a new child, or the whole block)
    source: CreditBlock  # the original block after the split (the same object as block when all moved)
    entry: LedgerEntry


# --- validation -----------------------------------------------------------------------------


def _check_quantity(quantity_kg: Any) -> int:
    if isinstance(quantity_kg, bool) or not isinstance(quantity_kg, int) or not 0 < quantity_kg <= MAX_QUANTITY_KG:
        raise InvalidQuantityError(
            f"quantity_kg must be a whole number of kilograms from 1 to {MAX_QUANTITY_KG}, not {quantity_kg!r}."
        )
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


def _check_parties(sender: Organization, receiver: Organization) -> None:
    if sender.pk == receiver.pk:
        raise InvalidMovementError("Sender and receiver are the same organisation.")


# --- payload pieces -------------------------------------------------------------------------


def block_snapshot(block: CreditBlock) -> dict[str, Any]:
    """A block's full state as the ledger records it: enough for replay to rebuild the table."""
    return {
        "id": str(block.pk),
        "parent": None if block.parent_id is None else str(block.parent_id),
        "project": str(block.project_id),
        "vintage": block.vintage,
        "serial_start": str(block.serial_start),
        "serial_end": str(block.serial_end),
        "quantity_kg": block.quantity_kg,
        "owner": str(block.owner_id),
        "status": block.status,
    }


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
) -> Issuance:
    """Issue ``quantity_kg`` fresh serials of (project, vintage): the buffer share (rounded up) to the
    buffer pool, the rest to ``project.owner``; both ranges contiguous from one fresh range.

    Locks: the project row ``FOR NO KEY UPDATE`` (serialises range allocation per project; blocks
    referencing it can still be inserted), then the ledger head.
    """
    quantity_kg = _check_quantity(quantity_kg)
    memo = _check_memo(memo)
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

    payload = {
        "project": str(project.pk),
        "country": str(project.country),
        "vintage": vintage,
        "quantity_kg": quantity_kg,
        "buffer_kg": buffer_kg,
        "to": str(project.owner_id),
        "buffer_pool": None if pool is None else str(pool.pk),
        "blocks": [block_snapshot(block) for block in blocks],
        "memo": memo,
    }
    entry = append_entry(
        kind=EntryKind.ISSUE,
        payload=payload,
        parties=[block.owner_id for block in blocks],
        moved=blocks,
    )
    return Issuance(owner_block=owner_block, buffer_block=buffer_block, entry=entry)


# --- movements ------------------------------------------------------------------------------


def _check_block_id(block_id: Any) -> int:
    if isinstance(block_id, bool) or not isinstance(block_id, int) or not 0 < block_id <= MAX_ID:
        raise BlockNotFoundError()
    return block_id


def _lock_block(*, owner: Organization, block_id: int) -> CreditBlock:
    """The caller's block, locked ``FOR UPDATE``; another organisation's block does not exist (404)."""
    try:
        # of=("self",): lock the block only, not the joined project row.
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


def movement_payload(
    *, quantity_kg: int, actor_id: int, receiver_id: int, source: CreditBlock, moved: CreditBlock, memo: dict
) -> dict[str, Any]:
    """The payload of a list/delist/transfer/trade/retire entry (``ledger_move`` builds the same bytes)."""
    touched = [source] if moved.pk == source.pk else [source, moved]
    return {
        "block": str(moved.pk),
        "blocks": [block_snapshot(block) for block in touched],
        "from": str(actor_id),
        "memo": memo,
        "quantity_kg": quantity_kg,
        "source": str(source.pk),
        "to": str(receiver_id),
    }


def _move(
    *,
    kind: str,
    actor: Organization,
    block_id: int,
    quantity_kg: int | None,
    whole: bool = False,
    required_status: str,
    new_status: str,
    receiver: Organization,
    memo: dict[str, str] | None,
) -> Movement:
    """Lock the actor's block, check status and quantity, split or hand over, append the entry.

    ``whole=True`` moves the whole block (``quantity_kg`` is then ignored). Locks one credit
    block, then the ledger head.
    """
    checked_kg = None if whole else _check_quantity(quantity_kg)
    memo = _check_memo(memo)
    block_id = _check_block_id(block_id)
    if SQL_MOVES and connection.vendor == "postgresql":
        return _move_in_sql(
            kind=kind,
            actor=actor,
            block_id=block_id,
            quantity_kg=checked_kg,
            required_status=required_status,
            new_status=new_status,
            receiver=receiver,
            memo=memo,
        )
    source = _lock_block(owner=actor, block_id=block_id)
    if source.status != required_status:
        raise BlockStatusError(block_id=source.pk, status=source.status, required=required_status)
    quantity_kg = source.quantity_kg if checked_kg is None else checked_kg
    if quantity_kg > source.quantity_kg:
        raise InsufficientCreditsError(available_kg=source.quantity_kg, requested_kg=quantity_kg)

    moved = block_split(block=source, quantity_kg=quantity_kg, owner_id=receiver.pk, status=new_status)
    payload = movement_payload(
        quantity_kg=quantity_kg, actor_id=actor.pk, receiver_id=receiver.pk, source=source, moved=moved, memo=memo
    )
    entry = append_entry(kind=kind, payload=payload, parties=[actor.pk, receiver.pk], moved=[moved])
    return Movement(block=moved, source=source, entry=entry)


def _loaded_block(**fields: Any) -> CreditBlock:
    block = CreditBlock(**fields)
    block._state.adding = False
    block._state.db = connection.alias
    return block


def _move_in_sql(
    *,
    kind: str,
    actor: Organization,
    block_id: int,
    quantity_kg: int | None,
    required_status: str,
    new_status: str,
    receiver: Organization,
    memo: dict[str, str],
) -> Movement:
    """``_move`` as one ``ledger_move`` call; the domain errors come back as an outcome, not an exception."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT * FROM ledger_move(%s, %s, %s, %s, %s, %s, %s, %s)",
            [
                kind,
                actor.pk,
                block_id,
                quantity_kg,
                required_status,
                new_status,
                receiver.pk,
                canonical_json(memo).decode(),
            ],
        )
        (
            outcome, status, held, quantity, project_id, vintage,
            source_id, source_start, source_end, source_owner, source_parent, source_created_at,
            moved_id, moved_start, moved_end, moved_status, moved_created_at,
            seq, prev_hash, digest, created_at, canonical,
        ) = cursor.fetchone()  # fmt: skip
    if outcome == "not_found":
        raise BlockNotFoundError()
    if outcome == "wrong_status":
        raise BlockStatusError(block_id=block_id, status=status, required=required_status)
    if outcome == "insufficient":
        raise InsufficientCreditsError(available_kg=held, requested_kg=quantity)
    common = {"project_id": project_id, "vintage": vintage}
    source = _loaded_block(
        id=source_id,
        serial_start=source_start,
        serial_end=source_end,
        owner_id=source_owner,
        status=status,
        parent_id=source_parent,
        created_at=source_created_at,
        **common,
    )
    moved = source
    if moved_id != source_id:
        moved = _loaded_block(
            id=moved_id,
            serial_start=moved_start,
            serial_end=moved_end,
            owner_id=receiver.pk,
            status=moved_status,
            parent_id=source_id,
            created_at=moved_created_at,
            **common,
        )
    entry = loaded_entry(
        seq=seq, kind=kind, canonical=canonical, prev_hash=prev_hash, hash=digest, created_at=created_at
    )
    return Movement(block=moved, source=source, entry=entry)


@atomic_with_retry
def credits_transfer(
    *, sender: Organization, block_id: int, quantity_kg: int, to: Organization, memo: dict[str, str] | None = None
) -> Movement:
    """Give ``quantity_kg`` of an available block to ``to`` (available there). Entry kind ``transfer``.

    Locks: the sender's block ``FOR UPDATE``, then the ledger head.
    """
    _check_parties(sender, to)
    return _move(
        kind=EntryKind.TRANSFER,
        actor=sender,
        block_id=block_id,
        quantity_kg=quantity_kg,
        required_status=BlockStatus.AVAILABLE,
        new_status=BlockStatus.AVAILABLE,
        receiver=to,
        memo=memo,
    )


@atomic_with_retry
def credits_reserve(
    *, owner: Organization, block_id: int, quantity_kg: int, memo: dict[str, str] | None = None
) -> Movement:
    """Set ``quantity_kg`` of an available block aside for a listing (status ``listed``). Kind ``list``.

    Locks: the owner's block ``FOR UPDATE``, then the ledger head.
    """
    return _move(
        kind=EntryKind.LIST,
        actor=owner,
        block_id=block_id,
        quantity_kg=quantity_kg,
        required_status=BlockStatus.AVAILABLE,
        new_status=BlockStatus.LISTED,
        receiver=owner,
        memo=memo,
    )


@atomic_with_retry
def credits_release(*, owner: Organization, block_id: int, memo: dict[str, str] | None = None) -> Movement:
    """Return a whole listed block to ``available`` (a listing withdrawn). Kind ``delist``.

    Locks: the owner's block ``FOR UPDATE``, then the ledger head.
    """
    return _move(
        kind=EntryKind.DELIST,
        actor=owner,
        block_id=block_id,
        quantity_kg=None,
        whole=True,
        required_status=BlockStatus.LISTED,
        new_status=BlockStatus.AVAILABLE,
        receiver=owner,
        memo=memo,
    )


@atomic_with_retry
def credits_trade(
    *,
    seller: Organization,
    block_id: int,
    quantity_kg: int,
    buyer: Organization,
    memo: dict[str, str] | None = None,
) -> Movement:
    """Sell ``quantity_kg`` of the seller's listed block: the part goes to ``buyer`` as available,
    the rest stays listed. Kind ``trade``.

    Locks: the seller's block ``FOR UPDATE``, then the ledger head (a marketplace caller locks its
    listing row before calling).
    """
    _check_parties(seller, buyer)
    return _move(
        kind=EntryKind.TRADE,
        actor=seller,
        block_id=block_id,
        quantity_kg=quantity_kg,
        required_status=BlockStatus.LISTED,
        new_status=BlockStatus.AVAILABLE,
        receiver=buyer,
        memo=memo,
    )


@atomic_with_retry
def credits_retire(
    *, owner: Organization, block_id: int, quantity_kg: int, memo: dict[str, str] | None = None
) -> Movement:
    """Retire ``quantity_kg`` of an available block for good (status ``retired``). Kind ``retire``.

    Locks: the owner's block ``FOR UPDATE``, then the ledger head. A retired block never changes
    again (on PostgreSQL a trigger refuses it too). Call :func:`checkpoint_create` after commit
    (``transaction.on_commit``) when a proof will be shown for the retirement.
    """
    return _move(
        kind=EntryKind.RETIRE,
        actor=owner,
        block_id=block_id,
        quantity_kg=quantity_kg,
        required_status=BlockStatus.AVAILABLE,
        new_status=BlockStatus.RETIRED,
        receiver=owner,
        memo=memo,
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
