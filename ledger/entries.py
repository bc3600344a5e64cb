"""The bodies of ledger entries: what each kind of entry records, built here and nowhere else.

One function per kind of entry (the movement kinds — list, delist, transfer, trade, retire — share
one shape; so do the two kinds of a reversal, cancel and buffer_cancel). ``ledger.chain`` serialises
the result (RFC 8785) and appends it; the database never assembles a payload. The byte layout is in
docs/LEDGER.md ("Payloads"); ``ledger.audit.replay`` reads these same shapes back.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ledger.models import CreditBlock


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


def issue_payload(
    *,
    project_id: int,
    country: str,
    vintage: int,
    quantity_kg: int,
    buffer_kg: int,
    owner_id: int,
    buffer_pool_id: int | None,
    blocks: Sequence[CreditBlock],
    memo: dict[str, str],
    documents: Sequence[str] = (),
) -> dict[str, Any]:
    """An ``issue`` entry: fresh serials of (project, vintage), the owner's block and the buffer pool's;
    ``documents``, when the issuer names any, the SHA-256 (lowercase hex, sorted) of every evidence
    document behind the issuance, so anyone holding a file can check that it backs these serials."""
    payload: dict[str, Any] = {
        "project": str(project_id),
        "country": country,
        "vintage": vintage,
        "quantity_kg": quantity_kg,
        "buffer_kg": buffer_kg,
        "to": str(owner_id),
        "buffer_pool": None if buffer_pool_id is None else str(buffer_pool_id),
        "blocks": [block_snapshot(block) for block in blocks],
        "memo": memo,
    }
    if documents:
        payload["documents"] = list(documents)
    return payload


def movement_payload(
    *, quantity_kg: int, actor_id: int, receiver_id: int, source: CreditBlock, moved: CreditBlock, memo: dict[str, str]
) -> dict[str, Any]:
    """A ``list``, ``delist``, ``transfer``, ``trade`` or ``retire`` entry: ``quantity_kg`` of block
    ``source`` moved from ``actor_id`` to ``receiver_id`` (the same organisation for a change of
    status), now held by ``moved`` (``source`` itself when the whole block moved)."""
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


@dataclass(frozen=True)
class Cancelled:
    """Kilograms taken out of circulation by a reversal: ``block`` (status ``cancelled``) holds them;
    ``source`` is the block they were cancelled from (``block`` itself when all of it was), after the
    split; ``status_before`` is what the kilograms were (``available`` or ``listed``)."""

    source: CreditBlock
    block: CreditBlock
    status_before: str


@dataclass(frozen=True)
class ReversedIssuance:
    """The ``issue`` entry a reversal undoes, and the whole serial range it issued."""

    issue_seq: int
    project_id: int
    vintage: int
    serial_start: int
    serial_end: int
    owner_id: int
    buffer_pool_id: int

    @property
    def quantity_kg(self) -> int:
        return self.serial_end - self.serial_start + 1


def _cancellation(
    *, reversed_issuance: ReversedIssuance, cancelled: Sequence[Cancelled], memo: dict[str, str]
) -> dict[str, Any]:
    touched: dict[int, CreditBlock] = {}
    for item in cancelled:
        touched[item.source.pk] = item.source
        touched[item.block.pk] = item.block
    return {
        "issue": str(reversed_issuance.issue_seq),
        "project": str(reversed_issuance.project_id),
        "vintage": reversed_issuance.vintage,
        "serial_start": str(reversed_issuance.serial_start),
        "serial_end": str(reversed_issuance.serial_end),
        "quantity_kg": sum(item.block.quantity_kg for item in cancelled),
        "cancelled": [
            {
                "block": str(item.block.pk),
                "source": str(item.source.pk),
                "owner": str(item.block.owner_id),
                "quantity_kg": item.block.quantity_kg,
                "status_before": item.status_before,
            }
            for item in cancelled
        ],
        "blocks": [block_snapshot(touched[block_id]) for block_id in sorted(touched)],
        "memo": memo,
    }


def cancel_payload(
    *, reversed_issuance: ReversedIssuance, cancelled: Sequence[Cancelled], memo: dict[str, str]
) -> dict[str, Any]:
    """A ``cancel`` entry: the credits of a reversed issuance that nobody else acquired — what its
    owner still held (available or listed) and what is left of its buffer share in the pool — are
    cancelled. ``issue`` is the seq of the ``issue`` entry reversed; ``serial_start``/``serial_end``
    the whole range it issued; ``cancelled`` one item per block cancelled (whole, or split off)."""
    return _cancellation(reversed_issuance=reversed_issuance, cancelled=cancelled, memo=memo)


def buffer_cancel_payload(
    *, reversed_issuance: ReversedIssuance, required_kg: int, cancelled: Sequence[Cancelled], memo: dict[str, str]
) -> dict[str, Any]:
    """A ``buffer_cancel`` entry: ``required_kg`` of the reversed issuance are in circulation (sold,
    transferred, retired, or drawn earlier to back another reversal), so as many of the buffer pool's
    other credits are cancelled; ``shortfall_kg`` is what the pool did not hold. The items name
    blocks of any project (the pool's blocks of the same project and vintage are drawn first)."""
    payload = _cancellation(reversed_issuance=reversed_issuance, cancelled=cancelled, memo=memo)
    payload["buffer_pool"] = str(reversed_issuance.buffer_pool_id)
    payload["required_kg"] = required_kg
    payload["shortfall_kg"] = required_kg - payload["quantity_kg"]
    return payload
