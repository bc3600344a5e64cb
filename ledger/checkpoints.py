"""Merkle checkpoints over the chain, and inclusion proofs against them.

Storage, so that both stay cheap at millions of entries:

* a :class:`Checkpoint` keeps its tree's *frontier* (≤ log2(n) subtree roots). The next checkpoint
  starts from it and hashes only the entries appended since: O(new entries + log n).
* every perfect subtree of height ≥ :data:`NODE_MIN_LEVEL` is stored once as a :class:`MerkleNode`
  when a checkpoint completes it (about n/8 rows for n entries). A proof reads at most
  2^NODE_MIN_LEVEL entry hashes (the leaf's own aligned group, rehashed here), at most log2(n)
  stored nodes, and folds the checkpoint's frontier for the ragged right edge: three indexed
  queries, whatever the size.
"""

from contextlib import closing
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q

from ledger import merkle
from ledger.errors import EntryNotCheckpointedError, EntryNotFoundError
from ledger.hashing import GENESIS_PREV_HASH, entry_hash
from ledger.models import Checkpoint, LedgerEntry, LedgerHead, MerkleNode
from ledger.signing import key_ring

NODE_MIN_LEVEL = 4


class ChainBrokenError(Exception):
    """The entries to be checkpointed do not hash to their chain: refuse to attest them."""


@dataclass(frozen=True)
class InclusionProof:
    seq: int
    leaf_index: int
    entry_hash: bytes
    leaf_hash: bytes
    tree_size: int
    root: bytes
    audit_path: list[bytes]
    checkpoint_created_at: datetime


def split_frontier(data: bytes | memoryview) -> list[bytes]:
    data = bytes(data)
    return [data[offset : offset + 32] for offset in range(0, len(data), 32)]


def checkpoint_latest() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-size").first()


def checkpoint_extend() -> Checkpoint | None:
    """Checkpoint every committed entry, continuing from the latest checkpoint's frontier.

    Re-hashes the new entries on the way (a checkpoint never attests a broken chain) and signs the
    new tree head with the registry's key (ledger.signing). Expects a transaction
    (``services.checkpoint_create``); takes no locks.
    """
    latest = checkpoint_latest()
    size = latest.size if latest else 0
    head_seq = LedgerHead.objects.filter(pk=1).values_list("seq", flat=True).first() or 0
    if head_seq <= size:
        return latest
    frontier = split_frontier(latest.frontier) if latest else []
    prev = (
        bytes(LedgerEntry.objects.filter(seq=size).values_list("hash", flat=True).get()) if size else GENESIS_PREV_HASH
    )
    nodes: list[MerkleNode] = []

    def keep(level: int, index: int, digest: bytes) -> None:
        if level >= NODE_MIN_LEVEL:
            nodes.append(MerkleNode(level=level, index=index, hash=digest))

    rows = (
        LedgerEntry.objects.filter(seq__gt=size, seq__lte=head_seq)
        .order_by("seq")
        .values_list("seq", "prev_hash", "hash", "canonical")
        .iterator(chunk_size=settings.LEDGER_STREAM_CHUNK)
    )

    def leaves():
        nonlocal prev
        expected = size + 1
        for seq, prev_hash, digest, canonical in rows:
            digest = bytes(digest)
            if (
                seq != expected
                or bytes(prev_hash) != prev
                or entry_hash(seq=seq, prev_hash=prev, canonical=canonical.encode()) != digest
            ):
                raise ChainBrokenError(f"ledger entry {expected} does not hash to the chain; not checkpointing")
            prev, expected = digest, expected + 1
            yield merkle.leaf_hash(digest)

    # Close the server-side cursor now, also on error: not later, after a rollback removed it.
    # iterator() returns a generator, which closes; the stubs say Iterator.
    with closing(rows):  # type: ignore[type-var]
        new_size = merkle.extend(frontier, size, leaves(), keep)
    if new_size != head_seq:
        raise ChainBrokenError(f"ledger entries {new_size + 1}..{head_seq} are missing; not checkpointing")
    # Nodes are a function of the entries alone: a concurrent checkpoint writes identical rows.
    MerkleNode.objects.bulk_create(nodes, ignore_conflicts=True, batch_size=5000)
    root = merkle.root_from_frontier(frontier)
    # Ed25519 signatures are deterministic: a concurrent checkpoint of the same size signs the same note.
    note = key_ring().sign_checkpoint(size=new_size, root=root)
    checkpoint = Checkpoint(size=new_size, root=root, frontier=b"".join(frontier), note=note)
    try:
        with transaction.atomic():
            checkpoint.save()
    except IntegrityError:
        return Checkpoint.objects.get(size=new_size)
    return checkpoint


def inclusion_proof_for(*, seq: int, checkpoint: Checkpoint | None = None) -> InclusionProof:
    """RFC 9162 inclusion proof of entry ``seq`` in ``checkpoint`` (default: the latest).

    Raises EntryNotFoundError (404) for an unknown seq and EntryNotCheckpointedError (409) for an
    entry newer than the checkpoint.
    """
    digest = LedgerEntry.objects.filter(seq=seq).values_list("hash", flat=True).first()
    if digest is None:
        raise EntryNotFoundError()
    checkpoint = checkpoint or checkpoint_latest()
    if checkpoint is None or seq > checkpoint.size:
        raise EntryNotCheckpointedError(seq=seq, checkpoint_size=checkpoint.size if checkpoint else 0)
    index, size = seq - 1, checkpoint.size
    spec = merkle.inclusion_path_nodes(index, size)

    # The leaf's aligned group of 2^NODE_MIN_LEVEL leaves holds every sibling below the stored levels.
    group_start = index >> NODE_MIN_LEVEL << NODE_MIN_LEVEL
    group_end = min(group_start + (1 << NODE_MIN_LEVEL), size)
    group = [
        merkle.leaf_hash(bytes(h))
        for h in LedgerEntry.objects.filter(seq__gt=group_start, seq__lte=group_end)
        .order_by("seq")
        .values_list("hash", flat=True)
    ]
    wanted = [item for item in spec if item[0] != "right" and item[0] >= NODE_MIN_LEVEL]
    stored: dict[tuple[int, int], bytes] = {}
    if wanted:
        query = Q()
        for level, node_index in wanted:
            query |= Q(level=level, index=node_index)
        rows = MerkleNode.objects.filter(query).values_list("level", "index", "hash")
        stored = {(level, i): bytes(h) for level, i, h in rows}

    frontier = split_frontier(checkpoint.frontier)
    starts, offset = {}, 0
    for position, level in enumerate(merkle.frontier_levels(size)):
        starts[offset] = position
        offset += 1 << level

    path: list[bytes] = []
    for kind, position in spec:
        if kind == "right":
            path.append(merkle.root_from_frontier(frontier[starts[position] :]))
        elif kind < NODE_MIN_LEVEL and group_start <= position << kind < group_end:
            first = (position << kind) - group_start
            path.append(merkle.root_of(group[first : first + (1 << kind)]))
        elif kind < NODE_MIN_LEVEL:
            # Outside the leaf's group and unstored: a small perfect subtree ending the tree (16 + 4
            # leaves, proof of leaf 1), which is the frontier's last element.
            path.append(frontier[starts[position << kind]])
        else:
            try:
                path.append(stored[(kind, position)])
            except KeyError:
                raise RuntimeError(f"Merkle node ({kind}, {position}) is missing; run ledger_checkpoint") from None
    return InclusionProof(
        seq=seq,
        leaf_index=index,
        entry_hash=bytes(digest),
        leaf_hash=merkle.leaf_hash(bytes(digest)),
        tree_size=size,
        root=bytes(checkpoint.root),
        audit_path=path,
        checkpoint_created_at=checkpoint.created_at,
    )
