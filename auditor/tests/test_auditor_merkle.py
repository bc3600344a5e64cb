"""The auditor's own Merkle checks against published vectors and a from-the-definition reference."""

import hashlib

import pytest

from carboncred_auditor import merkle

# The Certificate Transparency test tree and its proofs as published by transparency-dev/merkle,
# proof/verify_test.go (`leaves`, `roots`, `inclusionProofs`, `consistencyProofs`). Roots by tree size.
LEAVES = [
    merkle.leaf_hash(bytes.fromhex(d))
    for d in ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
]
ROOTS = [
    bytes.fromhex(h)
    for h in [
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
]
INCLUSION = [
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
CONSISTENCY = [
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


def _flip(h):
    return bytes([h[0] ^ 16]) + h[1:]


def mth(leaves):
    """MTH of RFC 9162 §2.1.1, from the definition."""
    if len(leaves) <= 1:
        return leaves[0] if leaves else merkle.EMPTY_ROOT
    k = 1 << (len(leaves) - 1).bit_length() - 1
    return merkle.node_hash(mth(leaves[:k]), mth(leaves[k:]))


def subproof(m, leaves, complete):
    """SUBPROOF of RFC 9162 §2.1.4.1, from the definition."""
    if m == len(leaves):
        return [] if complete else [mth(leaves)]
    k = 1 << (len(leaves) - 1).bit_length() - 1
    if m <= k:
        return [*subproof(m, leaves[:k], complete), mth(leaves[k:])]
    return [*subproof(m - k, leaves[k:], False), mth(leaves[:k])]


def test_roots_match_the_vectors_and_the_definition():
    for size in range(9):
        assert merkle.root_of(LEAVES[:size]) == ROOTS[size]
    leaves = [hashlib.sha256(bytes([i])).digest() for i in range(70)]
    for size in range(71):
        assert merkle.root_of(leaves[:size]) == mth(leaves[:size])


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION)
def test_inclusion_vectors(index, size, path):
    proof = [bytes.fromhex(h) for h in path]
    assert merkle.verify_inclusion(LEAVES[index], index, size, proof, ROOTS[size])
    assert not merkle.verify_inclusion(LEAVES[index], index + 1, size, proof, ROOTS[size])
    assert not merkle.verify_inclusion(LEAVES[index], index, size, proof, _flip(ROOTS[size]))
    assert not merkle.verify_inclusion(LEAVES[index], index, size, proof[:-1], ROOTS[size])
    assert not merkle.verify_inclusion(LEAVES[index], index, size, [*proof, ROOTS[size]], ROOTS[size])
    for i in range(len(proof)):
        assert not merkle.verify_inclusion(
            LEAVES[index], index, size, [*proof[:i], _flip(proof[i]), *proof[i + 1 :]], ROOTS[size]
        )


@pytest.mark.parametrize(("first", "second", "path"), CONSISTENCY)
def test_consistency_vectors(first, second, path):
    proof = [bytes.fromhex(h) for h in path]
    assert subproof(first, LEAVES[:second], True) == proof
    assert merkle.verify_consistency(first, second, ROOTS[first], ROOTS[second], proof)
    probes = [
        (first - 1, second, ROOTS[first], ROOTS[second], proof),
        (first + 1, second, ROOTS[first], ROOTS[second], proof),
        (first, second * 2, ROOTS[first], ROOTS[second], proof),
        (first, second // 2, ROOTS[first], ROOTS[second], proof),
        (first, second, ROOTS[second], ROOTS[first], proof),
        (first, second, ROOTS[first], ROOTS[second], []),
        (first, second, ROOTS[first], ROOTS[second], proof[:-1]),
        (first, second, ROOTS[first], ROOTS[second], [*proof, ROOTS[second]]),
        (first, second, ROOTS[first], ROOTS[second], [ROOTS[first], *proof]),
        (first, second, ROOTS[first], ROOTS[second], [b"", *proof]),
        *[(first, second, ROOTS[first], ROOTS[second], [*proof[:i], _flip(proof[i]), *proof[i + 1 :]])
          for i in range(len(proof))],
    ]  # fmt: skip
    assert [p for p in probes if merkle.verify_consistency(*p)] == []


def test_trivial_consistency():
    assert merkle.verify_consistency(0, 8, merkle.EMPTY_ROOT, ROOTS[8], [])
    assert merkle.verify_consistency(8, 8, ROOTS[8], ROOTS[8], [])
    assert not merkle.verify_consistency(8, 8, ROOTS[8], ROOTS[7], [])
    assert not merkle.verify_consistency(8, 7, ROOTS[8], ROOTS[7], [])
    assert not merkle.verify_consistency(0, 8, ROOTS[1], ROOTS[8], [])


def test_every_pair_up_to_40_leaves_proves_and_a_changed_leaf_does_not():
    leaves = [hashlib.sha256(bytes([i])).digest() for i in range(40)]
    for second in range(1, 41):
        for first in range(1, second):
            proof = subproof(first, leaves[:second], True)
            assert merkle.verify_consistency(first, second, mth(leaves[:first]), mth(leaves[:second]), proof)
            forged = [*leaves[: first - 1], b"\x00" * 32, *leaves[first:second]]
            forged_proof = subproof(first, forged, True)
            assert not merkle.verify_consistency(first, second, mth(leaves[:first]), mth(forged), forged_proof)
