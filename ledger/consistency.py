"""Consistency proofs between checkpoints, read from the checkpoint store.

Like an inclusion proof (ledger.checkpoints), a consistency proof needs three indexed reads at any
size: the aligned group of 2^NODE_MIN_LEVEL stored leaves around entry ``first`` (leaf ``first - 1``),
the stored MerkleNode rows the plan names, and the second checkpoint's frontier (already loaded with
the Checkpoint row). ``ledger.merkle.consistency_path_nodes`` says which subtrees make up the proof;
``ledger.merkle.path_from_store`` turns them into hashes.
"""

from django.db.models import Q

from ledger import merkle
from ledger.checkpoints import NODE_MIN_LEVEL, attested_leaves, split_frontier
from ledger.models import Checkpoint, MerkleNode


def consistency_proof_for(*, first: int, checkpoint: Checkpoint) -> list[bytes]:
    """RFC 9162 §2.1.4 PROOF(first, D[checkpoint.size]): the tree of ``checkpoint`` extends the tree of
    the first ``first`` entries (usually an earlier checkpoint's size, but any size works).

    Raises ValueError when ``first`` is negative or beyond the checkpoint (the API's 400), and
    LookupError when a stored node is missing (run ``ledger_checkpoint``).
    """
    second = checkpoint.size
    plan = merkle.consistency_path_nodes(first, second)
    if not plan:
        return []
    group_start = (first - 1) >> NODE_MIN_LEVEL << NODE_MIN_LEVEL
    group_end = min(group_start + (1 << NODE_MIN_LEVEL), second)
    # What the checkpoints attested (their stored leaves), not the entries as they are now: the proof
    # is about the checkpoints, and one forged entry must not make two honest checkpoints look apart.
    group = attested_leaves(group_start, group_end)
    wanted = merkle.stored_nodes_wanted(plan, min_level=NODE_MIN_LEVEL)
    stored: dict[tuple[int, int], bytes] = {}
    if wanted:
        query = Q()
        for level, index in wanted:
            query |= Q(level=level, index=index)
        stored = {
            (level, index): bytes(digest)
            for level, index, digest in MerkleNode.objects.filter(query).values_list("level", "index", "hash")
        }
    return merkle.path_from_store(
        plan,
        size=second,
        frontier=split_frontier(checkpoint.frontier),
        group_start=group_start,
        group=group,
        stored=stored,
        min_level=NODE_MIN_LEVEL,
    )
