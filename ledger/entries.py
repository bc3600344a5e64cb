"""The bodies of ledger entries: what each kind of entry records, built here and nowhere else.

One function per kind of entry (the movement kinds — list, delist, transfer, trade, retire — share
one shape). ``ledger.chain`` serialises the result (RFC 8785) and appends it; the database never
assembles a payload. The byte layout is in docs/LEDGER.md ("Payloads"); ``ledger.audit.replay``
reads these same shapes back.
"""

from collections.abc import Sequence
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
