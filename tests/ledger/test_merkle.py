"""RFC 6962 / 9162 hashing against the Certificate Transparency reference vectors."""

import hashlib

import pytest

from ledger import merkle

# The CT reference tree: 8 leaf inputs, the root after each one, and audit paths (1-based leaves).
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
CT_PATHS = [
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (3, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (2, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]  # fmt: skip
LEAVES = [merkle.leaf_hash(bytes.fromhex(data)) for data in CT_LEAF_INPUTS]


def _hashes(hexes):
    return [bytes.fromhex(h) for h in hexes]


def test_roots_match_the_reference_for_every_size():
    for size in range(9):
        assert merkle.subtree_root(LEAVES[:size]).hex() == CT_ROOTS[size]
        assert merkle.root_of(LEAVES[:size]).hex() == CT_ROOTS[size], "the frontier fold must agree"


@pytest.mark.parametrize(("leaf", "size", "path"), CT_PATHS)
def test_audit_paths_match_the_reference(leaf, size, path):
    assert [h.hex() for h in merkle.inclusion_path(leaf - 1, LEAVES[:size])] == path
    assert merkle.verify_inclusion(
        leaf_hash=LEAVES[leaf - 1],
        leaf_index=leaf - 1,
        tree_size=size,
        audit_path=_hashes(path),
        root=bytes.fromhex(CT_ROOTS[size]),
    )


def _flip(digest: bytes, bit: int = 0) -> bytes:
    return bytes([digest[0] ^ (1 << bit)]) + digest[1:]


@pytest.mark.parametrize(("leaf", "size", "path"), CT_PATHS)
def test_corrupted_proofs_are_rejected(leaf, size, path):
    index, proof, root = leaf - 1, _hashes(path), bytes.fromhex(CT_ROOTS[size])

    def ok(**changes):
        args = {"leaf_hash": LEAVES[index], "leaf_index": index, "tree_size": size, "audit_path": proof, "root": root}
        return merkle.verify_inclusion(**{**args, **changes})

    assert ok()
    assert not ok(leaf_hash=_flip(LEAVES[index]))
    assert not ok(root=_flip(root, 7))
    for position in range(len(proof)):
        assert not ok(audit_path=[*proof[:position], _flip(proof[position], 3), *proof[position + 1 :]])
    assert not ok(leaf_index=index + 1), "wrong index"
    assert not ok(leaf_index=index - 1 if index else size), "wrong index"
    # (tree_size is not bound by the path alone — leaf 1 proves the same way in trees of 7 and 8
    # leaves; the checkpoint that publishes root and size together binds it.)
    assert not ok(audit_path=[*proof, proof[-1]]), "extra hash"
    assert not ok(audit_path=[*proof, root]), "extra hash"
    assert not ok(audit_path=proof[:-1]), "missing hash"
    assert not ok(audit_path=[proof[0][:31], *proof[1:]]), "short hash"


def test_every_leaf_of_every_small_tree_proves_and_the_path_plan_matches_the_reference():
    for size in range(1, 70):
        leaves = [hashlib.sha256(bytes([size, i])).digest() for i in range(size)]
        root = merkle.root_of(leaves)
        assert root == merkle.subtree_root(leaves)
        for index in range(size):
            plan = merkle.inclusion_path_nodes(index, size)
            from_plan = [
                merkle.subtree_root(leaves[start:size])
                if kind == "right"
                else merkle.subtree_root(leaves[start << kind : (start + 1) << kind])
                for kind, start in plan
            ]
            path = merkle.inclusion_path(index, leaves)
            assert from_plan == path, (index, size)
            assert merkle.verify_inclusion(
                leaf_hash=leaves[index], leaf_index=index, tree_size=size, audit_path=path, root=root
            )


def test_extend_reports_every_completed_subtree_once():
    seen = []
    frontier: list[bytes] = []

    size = merkle.extend(frontier, 0, LEAVES[:5], lambda level, index, h: seen.append((level, index, h)))
    size = merkle.extend(frontier, size, LEAVES[5:], lambda level, index, h: seen.append((level, index, h)))

    assert size == 8
    assert [(level, index) for level, index, _ in seen if level == 3] == [(3, 0)]
    assert dict(((level, index), h) for level, index, h in seen)[(3, 0)].hex() == CT_ROOTS[8]
    assert len(seen) == 8 + 4 + 2 + 1
    assert merkle.frontier_levels(13) == [3, 2, 0]
