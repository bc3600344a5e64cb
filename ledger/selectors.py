"""Reads of holdings and the ledger. Other apps call these; none of them writes."""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import Organization
from ledger.checkpoints import InclusionProof, checkpoint_latest, inclusion_proof_for, inclusion_proofs_for
from ledger.consistency import consistency_proof_for
from ledger.errors import CheckpointNotFoundError, ConsistencyRangeError, EntryNotFoundError
from ledger.hashing import GENESIS_PREV_HASH
from ledger.merkle import EMPTY_ROOT, verify_inclusion
from ledger.models import (
    BlockStatus,
    Checkpoint,
    CreditBlock,
    EntryKind,
    LedgerEntry,
    LedgerEntryRange,
    LedgerHead,
    Reversal,
)
from ledger.signing import key_ring
from projects.errors import ProjectNotFoundError
from projects.models import Project

__all__ = [
    "DIRECTION_IN",
    "DIRECTION_INTERNAL",
    "DIRECTION_OUT",
    "ConsistencyProof",
    "EntryMovement",
    "InclusionProof",
    "LedgerHeadState",
    "PublicKeys",
    "SerialQuery",
    "checkpoint_get",
    "checkpoint_latest",
    "checkpoints_list",
    "consistency_proof_get",
    "entries_for_organization",
    "entries_list",
    "entry_get",
    "entry_movement_for",
    "holdings_list_for",
    "holdings_totals_for",
    "inclusion_proof_for",
    "inclusion_proofs_for",
    "ledger_head_get",
    "movements_for_organization",
    "parse_serial",
    "public_keys_get",
    "public_project_get",
    "registry_entries",
    "registry_figures",
    "reversal_covering",
    "verify_inclusion",
]

_SERIAL = re.compile(
    r"^CC-(?P<country>[A-Z]{2})-(?P<project>\d{1,12})-(?P<vintage>\d{4})-(?P<first>\d{1,18})(?:-(?P<last>\d{1,18}))?$"
)


def holdings_list_for(*, organization: Organization, status: str | None = None) -> QuerySet[CreditBlock]:
    """The organisation's credit blocks, newest first, with their projects."""
    blocks = CreditBlock.objects.filter(owner=organization).select_related("project").order_by("-id")
    if status:
        blocks = blocks.filter(status=status)
    return blocks


def holdings_totals_for(*, organization: Organization) -> dict[str, int]:
    """``{available_kg, listed_kg, retired_kg}`` of the organisation, in one query."""
    quantity = F("serial_end") - F("serial_start") + Value(1)

    def total(status: str):
        return Coalesce(Sum(quantity, filter=Q(status=status)), Value(0))

    totals = CreditBlock.objects.filter(owner=organization).aggregate(
        available_kg=total(BlockStatus.AVAILABLE),
        listed_kg=total(BlockStatus.LISTED),
        retired_kg=total(BlockStatus.RETIRED),
    )
    return {name: int(value) for name, value in totals.items()}


def entries_for_organization(*, organization: Organization, limit: int) -> list[LedgerEntry]:
    """The latest ``limit`` entries that concern the organisation (index on entry parties)."""
    return list(LedgerEntry.objects.filter(parties__organization=organization).order_by("-seq")[:limit])


DIRECTION_IN, DIRECTION_OUT, DIRECTION_INTERNAL = "in", "out", "internal"


@dataclass(frozen=True)
class EntryMovement:
    """What one entry did for one organisation, read from its payload (docs/LEDGER.md, "Payloads")."""

    quantity_kg: int
    block: dict[str, Any]  # the snapshot of the block holding the moved (or issued) serials
    direction: str  # in: credits came to the organisation; out: they left it; internal: a change of status
    counterparty_id: int | None


def entry_movement_for(entry: LedgerEntry, *, organization_id: int) -> EntryMovement | None:
    """How ``entry`` moved credits for the organisation: quantity, block, direction, counterparty.
    ``None`` when it moved none of the organisation's (a ``buffer_cancel`` that found nothing to cancel)."""
    payload = entry.payload
    me = str(organization_id)
    if entry.kind in (EntryKind.CANCEL, EntryKind.BUFFER_CANCEL):
        # Credits leave circulation: out, to nobody. The block shown is the first one cancelled.
        mine = [item for item in payload["cancelled"] if item["owner"] == me]
        if not mine:
            return None
        snapshots = {block["id"]: block for block in payload["blocks"]}
        return EntryMovement(
            quantity_kg=sum(item["quantity_kg"] for item in mine),
            block=snapshots[mine[0]["block"]],
            direction=DIRECTION_OUT,
            counterparty_id=None,
        )
    if entry.kind == EntryKind.ISSUE:
        mine = [block for block in payload["blocks"] if block["owner"] == me]
        return EntryMovement(
            quantity_kg=sum(block["quantity_kg"] for block in mine),
            block=(mine or payload["blocks"])[0],
            direction=DIRECTION_IN,
            counterparty_id=None,
        )
    moved = next(block for block in payload["blocks"] if block["id"] == payload["block"])
    sender, receiver = payload["from"], payload["to"]
    if sender == receiver:
        direction, other = DIRECTION_INTERNAL, None
    elif sender == me:
        direction, other = DIRECTION_OUT, receiver
    else:
        direction, other = DIRECTION_IN, sender
    return EntryMovement(
        quantity_kg=payload["quantity_kg"],
        block=moved,
        direction=direction,
        counterparty_id=None if other is None else int(other),
    )


def movements_for_organization(*, organization: Organization, limit: int) -> list[tuple[LedgerEntry, EntryMovement]]:
    """The latest ``limit`` entries concerning the organisation, newest first, each with what it did
    for the organisation (one query)."""
    entries = entries_for_organization(organization=organization, limit=limit)
    moves = [(entry, entry_movement_for(entry, organization_id=organization.pk)) for entry in entries]
    return [(entry, move) for entry, move in moves if move is not None]


def reversal_covering(*, project: int, vintage: int, first: int, last: int) -> Reversal | None:
    """The reversal of the issuance that issued serials ``first..last`` of (project, vintage), if it was
    reversed: a block's serials always lie within one issuance's range (index ``reversal_serials``)."""
    return (
        Reversal.objects.filter(project_id=project, vintage=vintage, serial_start__lte=first, serial_end__gte=last)
        .order_by()
        .first()
    )


def entry_get(*, seq: int) -> LedgerEntry:
    try:
        return LedgerEntry.objects.get(seq=seq)
    except (LedgerEntry.DoesNotExist, ValueError, TypeError):
        raise EntryNotFoundError() from None


@dataclass(frozen=True)
class SerialQuery:
    """A serial range to look for: one (project, vintage), or any when ``project`` is None."""

    project: int | None
    vintage: int | None
    first: int
    last: int


def parse_serial(value: str) -> SerialQuery | None:
    """``CC-IN-000012-2025-1-900`` (a block), ``CC-IN-000012-2025-17`` (one kilogram) or ``17``
    (that serial number in any project and vintage). ``None`` when it is none of these."""
    value = value.strip()
    if value.isdigit() and len(value) <= 18:
        number = int(value)
        return SerialQuery(project=None, vintage=None, first=number, last=number)
    match = _SERIAL.match(value.upper())
    if not match:
        return None
    first = int(match["first"])
    last = int(match["last"]) if match["last"] else first
    if last < first:
        return None
    return SerialQuery(project=int(match["project"]), vintage=int(match["vintage"]), first=first, last=last)


def entries_list(*, kind: str | None = None, serial: SerialQuery | None = None) -> QuerySet[LedgerEntry]:
    """Entries in chain order; ``serial`` keeps those that issued or moved any of those serials."""
    entries = LedgerEntry.objects.order_by("seq")
    if kind:
        entries = entries.filter(kind=kind)
    if serial is not None:
        ranges = LedgerEntryRange.objects.filter(serial_start__lte=serial.last, serial_end__gte=serial.first)
        if serial.project is not None and serial.vintage is not None:  # set together, or neither
            ranges = ranges.filter(project_id=serial.project, vintage=serial.vintage)
        entries = entries.filter(seq__in=ranges.values("entry_id"))
    return entries


@dataclass(frozen=True)
class LedgerHeadState:
    seq: int
    hash: bytes
    created_at: datetime | None
    checkpoint_size: int
    checkpoint_root: bytes
    checkpoint_created_at: datetime | None


def ledger_head_get() -> LedgerHeadState:
    """The last entry's seq and hash, and the latest checkpoint (size 0 and the empty-tree root before any)."""
    head = LedgerHead.objects.filter(pk=1).first()
    checkpoint = checkpoint_latest()
    return LedgerHeadState(
        seq=head.seq if head else 0,
        hash=bytes(head.hash) if head else GENESIS_PREV_HASH,
        created_at=head.created_at if head else None,
        checkpoint_size=checkpoint.size if checkpoint else 0,
        checkpoint_root=bytes(checkpoint.root) if checkpoint else EMPTY_ROOT,
        checkpoint_created_at=checkpoint.created_at if checkpoint else None,
    )


# --- transparency: checkpoints, consistency, keys ---------------------------------------------


def checkpoints_list() -> QuerySet[Checkpoint]:
    """Every checkpoint, newest (largest) first, without the frontier nobody lists."""
    return Checkpoint.objects.order_by("-size").defer("frontier")


def checkpoint_get(*, size: int) -> Checkpoint:
    # A path segment can be any number of digits; a bigint holds fewer.
    checkpoint = Checkpoint.objects.filter(size=size).first() if 0 < size < 2**63 else None
    if checkpoint is None:
        raise CheckpointNotFoundError(size=size)
    return checkpoint


@dataclass(frozen=True)
class ConsistencyProof:
    first: int
    second: int
    proof: list[bytes]


def consistency_proof_get(*, first: int, second: int) -> ConsistencyProof:
    """RFC 9162 §2.1.4 proof that the checkpoint of size ``second`` extends the tree of the first
    ``first`` entries (an earlier checkpoint's size, or any size up to ``second``).

    ``first`` > ``second`` or ``second`` beyond the latest checkpoint: ConsistencyRangeError (400);
    no checkpoint of size ``second``: CheckpointNotFoundError (404). At most four queries.
    """
    latest = checkpoint_latest()
    latest_size = latest.size if latest is not None else 0
    if second > latest_size:
        raise ConsistencyRangeError(
            f"second ({second}) is beyond the latest checkpoint ({latest_size} entries).", field="second"
        )
    if first > second:
        raise ConsistencyRangeError(
            f"first ({first}) is larger than second ({second}): a tree extends only smaller ones.", field="first"
        )
    checkpoint = latest if latest is not None and latest.size == second else checkpoint_get(size=second)
    return ConsistencyProof(first=first, second=second, proof=consistency_proof_for(first=first, checkpoint=checkpoint))


@dataclass(frozen=True)
class PublicKeys:
    origin: str
    key_id: str
    public_key: str
    previous_keys: list[tuple[str, str]]  # (key id hex, verifier key) of older keys still to be trusted


def public_keys_get() -> PublicKeys:
    """The checkpoint verifier keys: the current one and the older ones (cosigning or retired)."""
    ring = key_ring()
    return PublicKeys(
        origin=ring.origin,
        key_id=ring.verifier.key_id_hex,
        public_key=ring.verifier.encoded(),
        previous_keys=[(verifier.key_id_hex, verifier.encoded()) for verifier in ring.older_verifiers],
    )


# --- the public registry (web/) ---------------------------------------------------------------

REGISTRY_KINDS = (EntryKind.ISSUE, EntryKind.RETIRE)


def registry_entries(*, serial: SerialQuery | None = None, project_id: int | None = None) -> QuerySet[LedgerEntry]:
    """Issuances and retirements, newest first: the public registry's record. ``serial`` keeps those
    of any of those serials, ``project_id`` those of one project (through the range index)."""
    entries = entries_list(serial=serial).filter(kind__in=REGISTRY_KINDS)
    if project_id is not None:
        entries = entries.filter(seq__in=LedgerEntryRange.objects.filter(project_id=project_id).values("entry_id"))
    return entries.order_by("-seq")


def registry_figures() -> dict[str, int]:
    """Kilograms issued (owners' and buffer shares) and retired across the registry, in one query."""
    quantity = F("serial_end") - F("serial_start") + Value(1)
    totals = CreditBlock.objects.aggregate(
        issued_kg=Coalesce(Sum(quantity), Value(0)),
        retired_kg=Coalesce(Sum(quantity, filter=Q(status=BlockStatus.RETIRED)), Value(0)),
    )
    return {name: int(value) for name, value in totals.items()}


def public_project_get(*, project_id: int) -> Project:
    """A project the public registry shows: one that credits were issued for (404 otherwise)."""
    project = (
        Project.objects.select_related("owner")
        .filter(pk=project_id, pk__in=LedgerEntryRange.objects.filter(project_id=project_id).values("project_id"))
        .first()
        if 0 < project_id < 2**63
        else None
    )
    if project is None:
        raise ProjectNotFoundError()
    return project
