"""Merkle checkpoints over the chain, and inclusion proofs against them.

Storage, so that both stay cheap at millions of entries:

* a :class:`Checkpoint` keeps its tree's *frontier* (≤ log2(n) subtree roots). The next checkpoint
  starts from it and hashes only the entries appended since: O(new entries + log n).
* every perfect subtree of height ≥ :data:`NODE_MIN_LEVEL` is stored once as a :class:`MerkleNode`
  when a checkpoint completes it (about n/8 rows for n entries), and so is every leaf (level 0,
  n rows): the leaf hash each entry had when a checkpoint first attested it. A proof reads the
  leaf's aligned group of 2^NODE_MIN_LEVEL stored leaves, at most log2(n) stored nodes, and folds
  the checkpoint's frontier for the ragged right edge: three indexed queries, whatever the size.
  Because the siblings come from what the checkpoint attested, not from the entries as they are
  now, a forged entry fails its own proof without failing its neighbours'. The stored leaves are
  also how ``ledger_verify`` names the first entry that differs from what a checkpoint attests.
"""

from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q

from ledger import merkle
from ledger.errors import EntryNotCheckpointedError, EntryNotFoundError
from ledger.hashing import GENESIS_PREV_HASH, entry_hash
from ledger.models import Checkpoint, LedgerEntry, LedgerHead, MerkleNode
from ledger.signing import key_ring

NODE_MIN_LEVEL = 4
# Stored nodes are written in batches of this many, so a first checkpoint over millions of entries
# never holds them all in memory.
NODE_BATCH = 10_000


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
    nodes: list[tuple[int, int, bytes]] = []

    def flush() -> None:
        _nodes_store(nodes)
        nodes.clear()

    def keep(level: int, index: int, digest: bytes) -> None:
        if level == 0 or level >= NODE_MIN_LEVEL:
            nodes.append((level, index, digest))
            if len(nodes) >= NODE_BATCH:
                flush()

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
    flush()  # the caller's transaction undoes earlier batches if anything above raised
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


def _nodes_store(nodes: list[tuple[int, int, bytes]]) -> None:
    """Insert ``(level, index, hash)`` rows, skipping any that exist: nodes are a function of the
    entries alone, so a concurrent checkpoint writes identical rows. On PostgreSQL one statement per
    batch from three arrays (a first checkpoint writes a row per entry: the ORM's per-row cost was
    ten times the rest of the checkpoint)."""
    if not nodes:
        return
    if connection.vendor != "postgresql":
        rows = [MerkleNode(level=level, index=index, hash=digest) for level, index, digest in nodes]
        MerkleNode.objects.bulk_create(rows, ignore_conflicts=True, batch_size=NODE_BATCH)
        return
    table = MerkleNode._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {table} (level, "index", hash) '  # noqa: S608 - the model's own table name
            "SELECT * FROM unnest(%s::smallint[], %s::bigint[], %s::bytea[]) ON CONFLICT DO NOTHING",
            [[node[0] for node in nodes], [node[1] for node in nodes], [node[2] for node in nodes]],
        )


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
    return inclusion_proofs_for(digests={seq: bytes(digest)}, checkpoint=checkpoint)[seq]


def inclusion_proofs_for(*, digests: Mapping[int, bytes], checkpoint: Checkpoint) -> dict[int, InclusionProof]:
    """Inclusion proofs of several entries in one checkpoint, by seq: ``digests`` maps each seq (at
    most ``checkpoint.size``) to the entry hash to prove. Two queries whatever their number: the
    leaves' aligned groups of 2^NODE_MIN_LEVEL stored leaves, and the stored nodes above them
    (a group checkpointed before leaves were stored is read from the entries instead: a third)."""
    size = checkpoint.size
    if any(not 0 < seq <= size for seq in digests):
        raise ValueError(f"every entry must be within the checkpoint's {size} entries")
    specs = {seq: merkle.inclusion_path_nodes(seq - 1, size) for seq in digests}

    # Each leaf's aligned group of 2^NODE_MIN_LEVEL leaves holds every sibling below the stored levels.
    bounds = {seq: _group_bounds(seq - 1, size) for seq in digests}
    groups = set(bounds.values())
    leaves = _stored_leaves(groups)
    unstored = [(start, end) for start, end in groups if any(seq not in leaves for seq in range(start + 1, end + 1))]
    if unstored:
        entry_query = Q()
        for group_start, group_end in unstored:
            entry_query |= Q(seq__gt=group_start, seq__lte=group_end)
        for seq, digest in LedgerEntry.objects.filter(entry_query).values_list("seq", "hash"):
            leaves[seq] = merkle.leaf_hash(bytes(digest))

    wanted = {item for spec in specs.values() for item in spec if item[0] != "right" and item[0] >= NODE_MIN_LEVEL}
    stored: dict[tuple[int, int], bytes] = {}
    if wanted:
        node_query = Q()
        for level, node_index in wanted:
            node_query |= Q(level=level, index=node_index)
        rows = MerkleNode.objects.filter(node_query).values_list("level", "index", "hash")
        stored = {(level, i): bytes(h) for level, i, h in rows}

    frontier = split_frontier(checkpoint.frontier)
    starts, offset = {}, 0
    for position, level in enumerate(merkle.frontier_levels(size)):
        starts[offset] = position
        offset += 1 << level

    proofs = {}
    for seq, digest in digests.items():
        group_start, group_end = bounds[seq]
        group = [leaves[member] for member in range(group_start + 1, group_end + 1) if member in leaves]
        path: list[bytes] = []
        for kind, position in specs[seq]:
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
        proofs[seq] = InclusionProof(
            seq=seq,
            leaf_index=seq - 1,
            entry_hash=digest,
            leaf_hash=merkle.leaf_hash(digest),
            tree_size=size,
            root=bytes(checkpoint.root),
            audit_path=path,
            checkpoint_created_at=checkpoint.created_at,
        )
    return proofs


def _stored_leaves(groups: set[tuple[int, int]]) -> dict[int, bytes]:
    """Stored leaf hashes (level 0) of the groups ``(start, end)``, by seq."""
    query = Q()
    for group_start, group_end in groups:
        query |= Q(index__gte=group_start, index__lt=group_end)
    rows = MerkleNode.objects.filter(query, level=0).values_list("index", "hash")
    return {index + 1: bytes(digest) for index, digest in rows}


def attested_leaves(group_start: int, group_end: int) -> list[bytes]:
    """The leaf hashes of entries ``group_start + 1 .. group_end`` as the checkpoints attested them:
    the stored leaves, or the entries' hashes where a checkpoint made before leaves were stored
    covered the group (two queries at most)."""
    leaves = _stored_leaves({(group_start, group_end)})
    if len(leaves) < group_end - group_start:
        for seq, digest in LedgerEntry.objects.filter(seq__gt=group_start, seq__lte=group_end).values_list(
            "seq", "hash"
        ):
            leaves.setdefault(seq, merkle.leaf_hash(bytes(digest)))
    return [leaves[seq] for seq in range(group_start + 1, group_end + 1) if seq in leaves]


def stored_leaves_between(first: int, last: int) -> dict[int, bytes]:
    """The leaf hashes checkpoints stored for entries ``first..last``, by seq (missing where a
    checkpoint made before leaves were stored covered them)."""
    rows = MerkleNode.objects.filter(level=0, index__gte=first - 1, index__lt=last).values_list("index", "hash")
    return {index + 1: bytes(digest) for index, digest in rows}


def _group_bounds(index: int, size: int) -> tuple[int, int]:
    """``(start, end)``: the leaf's aligned group of 2^NODE_MIN_LEVEL leaves, as seqs ``start+1..end``."""
    group_start = index >> NODE_MIN_LEVEL << NODE_MIN_LEVEL
    return group_start, min(group_start + (1 << NODE_MIN_LEVEL), size)
