"""The ledger's hash chain, byte for byte as docs/LEDGER.md specifies it.

    hash = SHA-256( "CarbonCred/ledger/v1" 0x00 ‖ seq, 8 bytes big-endian ‖ prev_hash ‖ canonical, UTF-8 )

``prev_hash`` is the previous entry's hash (32 zero bytes for seq 1). The Merkle leaf of an entry is
SHA-256(0x00 ‖ its hash), leaf index seq - 1.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from datetime import datetime
from typing import Any

from carboncred_auditor.errors import LogFailure, field, hash_field
from carboncred_auditor.merkle import TreeBuilder, leaf_hash

TAG = b"CarbonCred/ledger/v1\x00"
GENESIS_PREV_HASH = bytes(32)


def entry_hash(seq: int, prev_hash: bytes, canonical: str) -> bytes:
    return hashlib.sha256(TAG + seq.to_bytes(8, "big") + prev_hash + canonical.encode("utf-8")).digest()


def _instant(value: str) -> datetime:
    # datetime.fromisoformat reads a trailing "Z" only from Python 3.11 on.
    return datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith("Z") else value)


class ChainChecker:
    """Fed the entries in ``seq`` order, re-hashes each, checks the links and builds the Merkle tree.

    Raises LogFailure at the first entry that does not hold. ``roots`` maps each of the wanted tree
    sizes reached so far to its root.
    """

    def __init__(self, wanted_sizes: Collection[int] = ()) -> None:
        self.count = 0
        self.head = GENESIS_PREV_HASH
        self.tree = TreeBuilder()
        self.wanted = set(wanted_sizes)
        self.roots: dict[int, bytes] = {}

    def add(self, entry: Any) -> None:
        expected = self.count + 1
        what = f"ledger entry {expected}"
        seq = field(entry, "seq", int, what)
        if seq != expected:
            raise LogFailure(
                f"the registry served entry {seq} where entry {expected} belongs: entries are missing or out of order"
            )
        canonical = field(entry, "canonical", str, what)
        prev_hash = hash_field(entry, "prev_hash", what)
        served = hash_field(entry, "hash", what)
        if prev_hash != self.head:
            raise LogFailure(
                f"entry {seq}: its prev_hash {prev_hash.hex()} is not the hash of entry {seq - 1} "
                f"({self.head.hex()}): the chain is broken"
            )
        computed = entry_hash(seq, prev_hash, canonical)
        if computed != served:
            raise LogFailure(
                f"entry {seq}: its content hashes to {computed.hex()}, not to the hash {served.hex()} "
                "it is served with: the entry was altered"
            )
        self._check_columns(seq, entry, canonical)
        self.count, self.head = seq, served
        self.tree.append(leaf_hash(served))
        if seq in self.wanted:
            self.roots[seq] = self.tree.root()

    @staticmethod
    def _check_columns(seq: int, entry: dict[str, Any], canonical: str) -> None:
        """What the API shows beside the hashed text (kind, payload, created_at) must say the same."""
        try:
            hashed = json.loads(canonical)
        except ValueError:
            raise LogFailure(f"entry {seq}: its hashed text is not JSON") from None
        if not isinstance(hashed, dict):
            raise LogFailure(f"entry {seq}: its hashed text is not a JSON object")
        for name in ("kind", "payload"):
            if name in entry and entry[name] != hashed.get(name):
                raise LogFailure(f"entry {seq}: the {name} shown differs from the {name} that was hashed")
        if "created_at" in entry:
            try:
                same = _instant(entry["created_at"]) == _instant(hashed["created_at"])
            except (KeyError, TypeError, ValueError):
                same = False
            if not same:
                raise LogFailure(f"entry {seq}: the created_at shown differs from the created_at that was hashed")
