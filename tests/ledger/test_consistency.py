"""RFC 9162 §2.1.4 consistency proofs: the reference, the subtree plan, the store reader, the verifier, and
proofs read from the checkpoint tables."""

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger import merkle
from ledger.consistency import consistency_proof_for
from ledger.models import LedgerEntry
from tests.ledger.factories import checkpoint_made
from tests.ledger.tamper import triggers_off
from tests.ledger.test_chain import make_entries

# The 8-leaf tree of the Certificate Transparency test suite and the consistency proofs published for
# it by transparency-dev/merkle, proof/verify_test.go (`consistencyProofs`, `roots`, `leaves`; the
# same vectors as CT's C++ merkle_tree_test.cc). Roots are indexed by tree size here (0 = empty).
CT_LEAF_INPUTS = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
CT_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
CT_CONSISTENCY = [
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (6, 7, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
]  # fmt: skip
CT_LEAVES = [merkle.leaf_hash(bytes.fromhex(data)) for data in CT_LEAF_INPUTS]
SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")
NODE_MIN_LEVEL = 4  # what ledger.checkpoints stores; the store reader is tested at that level and others


def _root(size: int) -> bytes:
    return bytes.fromhex(CT_ROOTS[size])


def _flip(digest: bytes, mask: int = 16) -> bytes:
    return bytes([digest[0] ^ mask]) + digest[1:]


def _from_plan(plan, leaves):
    """Resolve a subtree plan over leaves in memory, independently of the store reader."""
    return [
        merkle.subtree_root(leaves[start:])
        if kind == "right"
        else merkle.subtree_root(leaves[start << kind :][: 1 << kind])
        for kind, start in plan
    ]


class Store:
    """What the checkpoint tables hold for a tree: subtrees of height >= min_level and the frontier."""

    def __init__(self, leaves: list[bytes], min_level: int = NODE_MIN_LEVEL) -> None:
        self.leaves, self.min_level = leaves, min_level
        self.frontier: list[bytes] = []
        self.nodes: dict[tuple[int, int], bytes] = {}

        def keep(level: int, index: int, digest: bytes) -> None:
            if level >= min_level:
                self.nodes[(level, index)] = digest

        merkle.extend(self.frontier, 0, leaves, keep)

    def path(self, plan, anchor):
        group_start = anchor >> self.min_level << self.min_level
        wanted = merkle.stored_nodes_wanted(plan, min_level=self.min_level)
        return merkle.path_from_store(
            plan,
            size=len(self.leaves),
            frontier=self.frontier,
            group_start=group_start,
            group=self.leaves[group_start : group_start + (1 << self.min_level)],
            stored={key: self.nodes[key] for key in wanted},
            min_level=self.min_level,
        )


@pytest.mark.parametrize(("first", "second", "proof"), CT_CONSISTENCY)
def test_proofs_match_the_published_vectors(first, second, proof):
    expected = [bytes.fromhex(h) for h in proof]
    leaves = CT_LEAVES[:second]

    assert merkle.consistency_path(first, leaves) == expected
    assert _from_plan(merkle.consistency_path_nodes(first, second), leaves) == expected
    assert Store(leaves, min_level=1).path(merkle.consistency_path_nodes(first, second), first - 1) == expected
    assert merkle.verify_consistency(first, second, _root(first), _root(second), expected)


@pytest.mark.parametrize(("first", "second", "proof"), [v for v in CT_CONSISTENCY if v[2]])
def test_corrupted_proofs_are_rejected(first, second, proof):
    """The probes of transparency-dev/merkle's corruptConsistencyProof, each of which must fail."""
    path = [bytes.fromhex(h) for h in proof]
    root1, root2 = _root(first), _root(second)
    probes = {
        "size1 - 1": (first - 1, second, root1, root2, path),
        "size1 + 1": (first + 1, second, root1, root2, path),
        "size1 ^ 2": (first ^ 2, second, root1, root2, path),
        "size2 * 2": (first, second * 2, root1, root2, path),
        "size2 / 2": (first, second // 2, root1, root2, path),
        "wrong root1": (first, second, b"WrongRoot", root2, path),
        "wrong root2": (first, second, root1, b"WrongRoot", path),
        "random root1": (first, second, SOME_HASH, root2, path),
        "swapped roots": (first, second, root2, root1, path),
        "empty proof": (first, second, root1, root2, []),
        "trailing garbage": (first, second, root1, root2, [*path, b""]),
        "trailing root1": (first, second, root1, root2, [*path, root1]),
        "trailing root2": (first, second, root1, root2, [*path, root2]),
        "preceding garbage": (first, second, root1, root2, [b"", *path]),
        "preceding root1": (first, second, root1, root2, [root1, *path]),
        "preceding root2": (first, second, root1, root2, [root2, *path]),
        "preceding proof[0]": (first, second, root1, root2, [path[0], *path]),
        "truncated proof": (first, second, root1, root2, path[:-1]),
    }
    for position in range(len(path)):
        modified = [*path[:position], _flip(path[position]), *path[position + 1 :]]
        probes[f"modified proof[{position}]"] = (first, second, root1, root2, modified)
    accepted = [name for name, args in probes.items() if merkle.verify_consistency(*args)]
    assert accepted == []


def test_trivial_sizes_need_an_empty_proof_and_matching_roots():
    empty = merkle.EMPTY_ROOT
    assert merkle.verify_consistency(0, 0, empty, empty, [])
    assert merkle.verify_consistency(0, 5, empty, _root(5), []), "every tree extends the empty tree"
    assert merkle.verify_consistency(5, 5, _root(5), _root(5), [])

    assert not merkle.verify_consistency(0, 5, SOME_HASH, _root(5), []), "size 0 has one root"
    assert not merkle.verify_consistency(0, 0, empty, SOME_HASH, [])
    assert not merkle.verify_consistency(5, 5, _root(5), _root(4), []), "same size, another root"
    assert not merkle.verify_consistency(0, 5, empty, _root(5), [empty]), "nothing to prove"
    assert not merkle.verify_consistency(5, 5, _root(5), _root(5), [empty])
    assert not merkle.verify_consistency(1, 0, _root(1), empty, []), "time travel"
    assert not merkle.verify_consistency(2, 1, _root(2), _root(1), [])
    assert not merkle.verify_consistency(-1, 1, empty, _root(1), [])
    assert not merkle.verify_consistency(1, 2, _root(1), _root(2), []), "a proof is needed"


def test_sizes_out_of_order_are_refused():
    with pytest.raises(ValueError, match="not a prefix"):
        merkle.consistency_path(3, CT_LEAVES[:2])
    with pytest.raises(ValueError, match="not a prefix"):
        merkle.consistency_path_nodes(3, 2)
    with pytest.raises(ValueError, match="not a prefix"):
        merkle.consistency_path_nodes(-1, 2)
    assert merkle.consistency_path_nodes(0, 9) == merkle.consistency_path_nodes(9, 9) == []


def _check_pair(first, leaves, roots, stores):
    second = len(leaves)
    reference = merkle.consistency_path(first, leaves)
    plan = merkle.consistency_path_nodes(first, second)
    assert _from_plan(plan, leaves) == reference, (first, second)
    if first:
        for store in stores:
            assert store.path(plan, first - 1) == reference, (first, second, store.min_level)
    assert merkle.verify_consistency(first, second, roots[first], roots[second], reference), (first, second)
    if 0 < first < second:
        assert not merkle.verify_consistency(first, second, roots[first], _flip(roots[second]), reference)
        assert not merkle.verify_consistency(first, second, _flip(roots[first]), roots[second], reference)
        for position in range(len(reference)):
            bad = [*reference[:position], _flip(reference[position], 1), *reference[position + 1 :]]
            assert not merkle.verify_consistency(first, second, roots[first], roots[second], bad), (first, second)
    return reference


@pytest.mark.slow
def test_every_pair_of_small_sizes_matches_the_reference():
    for second in range(71):
        leaves = [hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(second)]
        roots = [merkle.root_of(leaves[:size]) for size in range(second + 1)]
        stores = [Store(leaves, min_level) for min_level in (0, 2, NODE_MIN_LEVEL)]
        for first in range(second + 1):
            _check_pair(first, leaves, roots, stores)


def test_a_rewritten_prefix_is_not_consistent():
    leaves = [hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(40)]
    for first in range(1, 40):
        for changed in (0, first // 2, first - 1):
            rewritten = [*leaves[:changed], SOME_HASH, *leaves[changed + 1 :]]
            proof = merkle.consistency_path(first, rewritten)
            assert not merkle.verify_consistency(
                first, 40, merkle.root_of(leaves[:first]), merkle.root_of(rewritten), proof
            ), (first, changed)


@settings(max_examples=60, deadline=None)
@given(second=st.integers(min_value=71, max_value=3000), data=st.data())
def test_random_larger_pairs_match_the_reference(second, data):
    first = data.draw(st.integers(min_value=1, max_value=second), label="first")
    leaves = [hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(second)]
    roots = {first: merkle.root_of(leaves[:first]), second: merkle.root_of(leaves)}
    _check_pair(first, leaves, roots, [Store(leaves)])


@settings(max_examples=60, deadline=None)
@given(size=st.integers(min_value=1, max_value=3000), data=st.data())
def test_the_store_reader_also_builds_inclusion_paths(size, data):
    index = data.draw(st.integers(min_value=0, max_value=size - 1), label="index")
    leaves = [hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(size)]
    assert Store(leaves).path(merkle.inclusion_path_nodes(index, size), index) == merkle.inclusion_path(index, leaves)


def test_store_reader_names_a_missing_node():
    leaves = [hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(100)]
    store = Store(leaves)
    plan = merkle.consistency_path_nodes(3, 100)
    wanted = merkle.stored_nodes_wanted(plan, min_level=NODE_MIN_LEVEL)
    assert wanted, "the plan reaches the stored levels"
    with pytest.raises(LookupError, match=r"Merkle node \(\d+, \d+\) is not stored"):
        merkle.path_from_store(
            plan,
            size=100,
            frontier=store.frontier,
            group_start=0,
            group=leaves[:16],
            stored={},
            min_level=NODE_MIN_LEVEL,
        )


# From the checkpoint store (database) -----------------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db
def test_proofs_read_from_the_store_match_the_reference_with_three_queries(django_assert_max_num_queries):
    checkpoints = []
    for batch in (1, 4, 11, 1, 20, 27, 6):  # sizes 1, 5, 16, 17, 37, 64, 70
        make_entries(batch)
        checkpoints.append(checkpoint_made())
    assert [c.size for c in checkpoints] == [1, 5, 16, 17, 37, 64, 70]
    hashes = LedgerEntry.objects.order_by("seq").values_list("hash", flat=True)
    leaves = [merkle.leaf_hash(bytes(h)) for h in hashes]

    for stored in checkpoints:
        second = stored.size
        for first in range(second + 1):
            with django_assert_max_num_queries(2):  # the entry group and the stored nodes
                proof = consistency_proof_for(first=first, checkpoint=stored)
            assert proof == merkle.consistency_path(first, leaves[:second]), (first, second)
            assert merkle.verify_consistency(
                first, second, merkle.root_of(leaves[:first]), bytes(stored.root), proof
            ), (first, second)

    with pytest.raises(ValueError, match="not a prefix"):
        consistency_proof_for(first=71, checkpoint=checkpoints[-1])


@pytest.mark.django_db
def test_a_forged_entry_does_not_make_honest_checkpoints_look_inconsistent():
    """The proof reads the leaves the checkpoints stored, not the entries as they are now: two
    checkpoints that were consistent stay provably so (the forged entry fails its own inclusion proof,
    and ledger_verify names it)."""
    make_entries(5)
    first = checkpoint_made()
    make_entries(20)
    second = checkpoint_made()
    with triggers_off() as cursor:
        cursor.execute("UPDATE ledger_ledgerentry SET hash = %s WHERE seq = 6", [SOME_HASH])

    proof = consistency_proof_for(first=first.size, checkpoint=second)

    assert merkle.verify_consistency(first.size, second.size, bytes(first.root), bytes(second.root), proof)
