"""The entry hash of docs/LEDGER.md and the chain checks of --mirror."""

import json

import pytest

from carboncred_auditor import merkle
from carboncred_auditor.chain import GENESIS_PREV_HASH, ChainChecker, entry_hash
from carboncred_auditor.errors import LogFailure

# Pinned once from the registry's ledger.hashing.entry_hash; the test below re-checks them against it
# when the registry's code is at hand.
CANONICAL_1 = (
    '{"created_at":"2025-06-01T12:00:00.000000Z","kind":"issue","payload":{"memo":{"note":"Łódź"},"quantity_kg":1000}}'
)
HASH_1 = "786746ccdf07379e76ad40bfba2745eb77c60d6d1e77c05b52070b107a8dce8e"
CANONICAL_2 = '{"created_at":"2025-06-01T12:00:01.000000Z","kind":"retire","payload":{"quantity_kg":10}}'
HASH_2 = "e3782f4a0ee33d110b127bb93408c646aa74d2b00b779cc7181026790a1f1d23"


def entries():
    return [
        {"seq": 1, "kind": "issue", "payload": {"memo": {"note": "Łódź"}, "quantity_kg": 1000},
         "created_at": "2025-06-01T12:00:00Z", "canonical": CANONICAL_1, "prev_hash": "00" * 32, "hash": HASH_1},
        {"seq": 2, "kind": "retire", "payload": {"quantity_kg": 10}, "created_at": "2025-06-01T14:00:01+02:00",
         "canonical": CANONICAL_2, "prev_hash": HASH_1, "hash": HASH_2},
    ]  # fmt: skip


def test_entry_hash_vectors():
    assert entry_hash(1, GENESIS_PREV_HASH, CANONICAL_1).hex() == HASH_1
    assert entry_hash(2, bytes.fromhex(HASH_1), CANONICAL_2).hex() == HASH_2


def test_entry_hash_agrees_with_the_registry():
    try:
        from ledger import hashing
    except ImportError:
        pytest.skip("needs the CarbonCred repository's ledger package")
    for seq, prev, canonical in [(1, GENESIS_PREV_HASH, CANONICAL_1), (2, bytes.fromhex(HASH_1), CANONICAL_2)]:
        assert entry_hash(seq, prev, canonical) == hashing.entry_hash(
            seq=seq, prev_hash=prev, canonical=canonical.encode()
        )


def test_a_sound_chain_passes_and_gives_the_merkle_roots():
    checker = ChainChecker(wanted_sizes={1, 2})
    for entry in entries():
        checker.add(entry)
    assert checker.count == 2
    assert checker.roots[1] == merkle.leaf_hash(bytes.fromhex(HASH_1))
    assert checker.roots[2] == merkle.root_of([merkle.leaf_hash(bytes.fromhex(h)) for h in (HASH_1, HASH_2)])


def check(changed):
    checker = ChainChecker()
    with pytest.raises(LogFailure) as failure:
        for entry in changed:
            checker.add(entry)
    return str(failure.value)


def test_each_break_is_named():
    first, second = entries()
    assert "served entry 2 where entry 1 belongs" in check([second])
    assert "served entry 1 where entry 2 belongs" in check([first, first])
    assert "entry 2: its prev_hash" in check([first, {**second, "prev_hash": "11" * 32}])
    altered = {**second, "canonical": CANONICAL_2.replace(":10}", ":11}"), "payload": {"quantity_kg": 11}}
    assert "entry 2: its content hashes to" in check([first, altered])
    assert "the kind shown differs" in check([first, {**second, "kind": "transfer"}])
    assert "the payload shown differs" in check([first, {**second, "payload": {"quantity_kg": 11}}])
    assert "the created_at shown differs" in check([first, {**second, "created_at": "2025-06-01T12:00:02Z"}])
    assert "malformed 'hash'" in check([{**first, "hash": HASH_1.upper()}])
    assert "has no 'canonical'" in check([{k: v for k, v in first.items() if k != "canonical"}])
    assert "malformed 'seq'" in check([{**first, "seq": True}])


def test_hashed_text_must_be_a_json_object():
    text = json.dumps([1])
    entry = {"seq": 1, "canonical": text, "prev_hash": "00" * 32, "hash": entry_hash(1, GENESIS_PREV_HASH, text).hex()}
    assert "not a JSON object" in check([entry])
