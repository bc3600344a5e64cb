from typing import Any

import pytest

from ledger import merkle
from ledger.checkpoints import NODE_MIN_LEVEL, ChainBrokenError, split_frontier
from ledger.errors import EntryNotCheckpointedError, EntryNotFoundError
from ledger.models import Checkpoint, LedgerEntry, MerkleNode
from ledger.selectors import checkpoint_latest, inclusion_proof_for, ledger_head_get, verify_inclusion
from ledger.services import checkpoint_create
from tests.ledger.factories import checkpoint_made
from tests.ledger.tamper import triggers_off
from tests.ledger.test_chain import make_entries

pytestmark = pytest.mark.django_db


def leaves(size: int) -> list[bytes]:
    hashes = LedgerEntry.objects.filter(seq__lte=size).order_by("seq").values_list("hash", flat=True)
    return [merkle.leaf_hash(bytes(h)) for h in hashes]


def test_no_checkpoint_while_the_ledger_is_empty():
    assert checkpoint_create() is None
    head = ledger_head_get()
    assert (head.seq, head.checkpoint_size, head.checkpoint_root) == (0, 0, merkle.EMPTY_ROOT)


def test_checkpoints_grow_incrementally_and_match_a_tree_built_from_scratch():
    sizes = []
    for batch in (1, 4, 12, 20, 1, 30):
        make_entries(batch)
        checkpoint = checkpoint_made()
        sizes.append(checkpoint.size)
        assert bytes(checkpoint.root) == merkle.subtree_root(leaves(checkpoint.size))
        assert len(split_frontier(checkpoint.frontier)) == bin(checkpoint.size).count("1")

    assert sizes == [1, 5, 17, 37, 38, 68]
    latest = checkpoint_latest()
    assert latest is not None and latest.size == 68
    assert checkpoint_made().pk == latest.pk, "nothing new: no new checkpoint"
    # Every leaf, and every perfect subtree of height >= NODE_MIN_LEVEL inside 68 leaves, is stored, and right.
    expected = {(level, i) for level in (0, *range(NODE_MIN_LEVEL, 7)) for i in range(68 >> level)}
    stored = {(n.level, n.index): bytes(n.hash) for n in MerkleNode.objects.all()}
    assert set(stored) == expected
    all_leaves = leaves(68)
    for (level, i), digest in stored.items():
        assert digest == merkle.subtree_root(all_leaves[i << level : (i + 1) << level])
    assert stored[(0, 41)] == all_leaves[41]


@pytest.mark.slow
def test_every_proof_in_every_tree_size_matches_the_reference_path():
    # Every shape: perfect right siblings smaller than a stored node (16 + 4), ragged edges, ...
    make_entries(1)
    for size in range(1, 41):
        if size > 1:
            make_entries(1)
        checkpoint = checkpoint_made()
        all_leaves = leaves(size)
        for seq in range(1, size + 1):
            proof = inclusion_proof_for(seq=seq, checkpoint=checkpoint)
            assert proof.audit_path == merkle.inclusion_path(seq - 1, all_leaves), (seq, size)


def test_every_entrys_proof_matches_the_reference_path_and_verifies(django_assert_max_num_queries):
    make_entries(45)
    old = checkpoint_made()
    make_entries(26)
    checkpoint = checkpoint_made()
    all_leaves = leaves(checkpoint.size)

    for seq in range(1, checkpoint.size + 1):
        with django_assert_max_num_queries(4):
            proof = inclusion_proof_for(seq=seq)
        assert proof.audit_path == merkle.inclusion_path(seq - 1, all_leaves), seq
        assert verify_inclusion(
            leaf_hash=proof.leaf_hash,
            leaf_index=proof.leaf_index,
            tree_size=proof.tree_size,
            audit_path=proof.audit_path,
            root=bytes(checkpoint.root),
        )
    # Against an older checkpoint too.
    proof = inclusion_proof_for(seq=17, checkpoint=old)
    assert proof.tree_size == 45
    assert proof.audit_path == merkle.inclusion_path(16, all_leaves[:45])


def test_a_proof_does_not_verify_for_another_entry_or_a_flipped_bit():
    make_entries(20)
    checkpoint_create()
    proof = inclusion_proof_for(seq=7)
    other = inclusion_proof_for(seq=8)
    args: dict[str, Any] = {
        "leaf_index": proof.leaf_index,
        "tree_size": proof.tree_size,
        "audit_path": proof.audit_path,
        "root": proof.root,
    }

    assert verify_inclusion(leaf_hash=proof.leaf_hash, **args)
    assert not verify_inclusion(leaf_hash=other.leaf_hash, **args)
    flipped = [bytes([proof.audit_path[0][0] ^ 1]) + proof.audit_path[0][1:], *proof.audit_path[1:]]
    assert not verify_inclusion(leaf_hash=proof.leaf_hash, **{**args, "audit_path": flipped})


def test_entries_newer_than_the_checkpoint_have_no_proof_yet():
    make_entries(3)
    with pytest.raises(EntryNotCheckpointedError) as raised:
        inclusion_proof_for(seq=2)
    assert raised.value.extra == {"seq": 2, "checkpoint_size": 0}

    checkpoint_create()
    make_entries(1)
    with pytest.raises(EntryNotCheckpointedError):
        inclusion_proof_for(seq=4)
    with pytest.raises(EntryNotFoundError):
        inclusion_proof_for(seq=99)


def test_a_checkpoint_refuses_to_attest_a_broken_chain():
    make_entries(5)
    checkpoint_create()
    make_entries(3)
    with triggers_off() as cursor:
        cursor.execute("UPDATE ledger_ledgerentry SET canonical = canonical || ' ' WHERE seq = 7")

    with pytest.raises(ChainBrokenError, match="entry 7"):
        checkpoint_create()
    assert Checkpoint.objects.count() == 1


def _verifies(proof, checkpoint) -> bool:
    return verify_inclusion(
        leaf_hash=proof.leaf_hash,
        leaf_index=proof.leaf_index,
        tree_size=proof.tree_size,
        audit_path=proof.audit_path,
        root=bytes(checkpoint.root),
    )


def test_a_forged_entry_fails_its_proof_while_its_neighbours_still_prove():
    """Siblings come from the leaves the checkpoint stored, not from the entries as they are now."""
    make_entries(20)
    checkpoint = checkpoint_create()
    forged = merkle.leaf_hash(b"\x01" * 32)
    with triggers_off() as cursor:
        cursor.execute("UPDATE ledger_ledgerentry SET hash = %s WHERE seq = 7", [b"\x01" * 32])

    assert not _verifies(inclusion_proof_for(seq=7, checkpoint=checkpoint), checkpoint)
    assert inclusion_proof_for(seq=7, checkpoint=checkpoint).leaf_hash == forged
    for neighbour in (5, 6, 8, 16, 17):
        assert _verifies(inclusion_proof_for(seq=neighbour, checkpoint=checkpoint), checkpoint), neighbour


def test_entries_checkpointed_before_leaves_were_stored_are_proven_from_the_entries():
    make_entries(37)
    checkpoint = checkpoint_create()
    with triggers_off() as cursor:
        cursor.execute("DELETE FROM ledger_merklenode WHERE level = 0")

    for seq in range(1, 38):
        assert _verifies(inclusion_proof_for(seq=seq, checkpoint=checkpoint), checkpoint), seq
