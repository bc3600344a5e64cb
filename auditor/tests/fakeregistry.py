"""A small registry serving the public ledger API from memory, for the end-to-end tests.

It builds entries, checkpoints, proofs and signed notes with the registry's own pure functions
(ledger.hashing, ledger.merkle, ledger.notes), so the tests also show the auditor and the server
agree byte for byte. Its methods play the operator (append, checkpoint, rotate the key) and the
attacker holding the key (rewrite, truncate); ``overrides`` replaces any answer.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ledger import hashing, merkle, notes

START = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
Answer = tuple[int, Any]


class FakeRegistry:
    def __init__(self, origin: str = "registry.test/ledger") -> None:
        self.origin = origin
        self.signer = notes.Signer(name=origin, private_key=notes.generate_private_key())
        self.cosigners: list[notes.Signer] = []
        self.entries: list[dict[str, Any]] = []
        self.checkpoints: dict[int, dict[str, Any]] = {}
        self.certificates: dict[str, tuple[int, int]] = {}  # public id -> (seq, checkpoint size of its proof)
        self.overrides: dict[str, Answer | Callable[[], Answer]] = {}
        self.requests: list[str] = []
        self._server: ThreadingHTTPServer | None = None

    # The operator ---------------------------------------------------------------------------

    def append(self, count: int, kind: str = "transfer") -> None:
        for _ in range(count):
            seq = len(self.entries) + 1
            payload = {"quantity_kg": seq * 10, "from": "7", "to": "9", "memo": {"note": f"entry {seq} \u2713"}}
            self.entries.append(self._entry(seq, kind, payload, START + timedelta(seconds=seq)))
        self._relink(len(self.entries) - count + 1)

    def retire(self, public_id: str) -> int:
        """A retirement entry and its certificate, proved (like the registry does) in a checkpoint made at once."""
        self.append(1, kind="retire")
        size = self.checkpoint()
        self.certificates[public_id] = (size, size)
        return size

    def checkpoint(self) -> int:
        size = len(self.entries)
        self.checkpoints[size] = self._signed(size, START + timedelta(hours=1, seconds=size))
        return size

    def rotate_key(self, *, cosign_with_old: bool = False) -> notes.Signer:
        """A new key signs from the next checkpoint on (with the old one too, during a cosigned transition)."""
        old = self.signer
        self.signer = notes.Signer(name=self.origin, private_key=notes.generate_private_key())
        self.cosigners = [old] if cosign_with_old else []
        return old

    # The attacker who holds the key ----------------------------------------------------------

    def rewrite(self, seq: int, quantity_kg: int) -> None:
        """Change one entry, recompute every later hash and re-sign every checkpoint: a perfect forgery."""
        entry = self.entries[seq - 1]
        payload = {**json.loads(entry["canonical"])["payload"], "quantity_kg": quantity_kg}
        self.entries[seq - 1] = self._entry(seq, entry["kind"], payload, START + timedelta(seconds=seq))
        self._relink(seq)
        for size, checkpoint in self.checkpoints.items():
            self.checkpoints[size] = self._signed(size, checkpoint["_at"])

    def truncate(self, size: int) -> None:
        del self.entries[size:]
        self.checkpoints = {s: c for s, c in self.checkpoints.items() if s <= size}

    # Building blocks --------------------------------------------------------------------------

    def _entry(self, seq: int, kind: str, payload: dict[str, Any], at: datetime) -> dict[str, Any]:
        body = hashing.entry_body(kind=kind, payload=payload)
        canonical = hashing.entry_canonical(created_at=hashing.format_timestamp(at), body=body).decode()
        shown = at.isoformat().replace("+00:00", "Z")  # as DRF shows it: the same instant, spelled otherwise
        return {"seq": seq, "kind": kind, "payload": payload, "created_at": shown, "canonical": canonical}

    def _relink(self, start: int) -> None:
        prev = bytes.fromhex(self.entries[start - 2]["hash"]) if start > 1 else hashing.GENESIS_PREV_HASH
        for entry in self.entries[start - 1 :]:
            digest = hashing.entry_hash(seq=entry["seq"], prev_hash=prev, canonical=entry["canonical"].encode())
            entry["prev_hash"], entry["hash"] = prev.hex(), digest.hex()
            prev = digest

    @property
    def leaves(self) -> list[bytes]:
        return [merkle.leaf_hash(bytes.fromhex(e["hash"])) for e in self.entries]

    def root(self, size: int) -> bytes:
        return merkle.root_of(self.leaves[:size])

    def _signed(self, size: int, at: datetime) -> dict[str, Any]:
        root = self.root(size)
        note = notes.sign_checkpoint(
            origin=self.origin, size=size, root=root, signer=self.signer, cosigners=self.cosigners
        )
        created = at.isoformat().replace("+00:00", "Z")
        return {"size": size, "root": root.hex(), "created_at": created, "note": note, "_at": at}

    def latest(self) -> int:
        return max(self.checkpoints, default=0)

    # The API ----------------------------------------------------------------------------------

    def answer(self, path: str, query: dict[str, str]) -> Answer:
        parts = [p for p in path.split("/") if p]
        if parts[:2] == ["api", "ledger"]:
            return self._ledger(parts[2:], query)
        if parts[:3] == ["api", "certificates", "verify"] and len(parts) == 4:
            return self._certificate(parts[3])
        return 404, {"detail": "Not found."}

    def _ledger(self, parts: list[str], query: dict[str, str]) -> Answer:
        if parts == ["public-key"]:
            verifier = self.signer.verifier
            return 200, {"origin": self.origin, "key_id": verifier.key_id_hex, "public_key": verifier.encoded()}
        if parts == ["checkpoints"]:
            results = [{k: c[k] for k in ("size", "root", "created_at")} for _, c in sorted(self.checkpoints.items())]
            return 200, {"count": len(results), "next": None, "previous": None, "results": results[::-1]}
        if len(parts) == 2 and parts[0] == "checkpoints" and parts[1].isdigit() and int(parts[1]) in self.checkpoints:
            return 200, {k: v for k, v in self.checkpoints[int(parts[1])].items() if not k.startswith("_")}
        if parts == ["consistency"]:
            first, second = int(query["first"]), int(query["second"])
            if not 0 <= first <= second <= self.latest():
                return 400, {"detail": "first must be <= second <= the latest checkpoint's size."}
            proof = merkle.consistency_path(first, self.leaves[:second])
            return 200, {"first": first, "second": second, "proof": [h.hex() for h in proof]}
        if parts == ["entries"]:
            page, size = int(query.get("page", "1")), min(int(query.get("page_size", "50")), 200)
            chunk = self.entries[(page - 1) * size : page * size]
            more = page * size < len(self.entries)
            following = f"{self.url}/api/ledger/entries/?page={page + 1}&page_size={size}" if more else None
            return 200, {"count": len(self.entries), "next": following, "previous": None, "results": chunk}
        if len(parts) == 3 and parts[0] == "entries" and parts[2] == "proof":
            seq = int(parts[1])
            if not 1 <= seq <= len(self.entries):
                return 404, {"detail": "Not found."}
            if seq > self.latest():
                return 409, {"detail": "Not checkpointed yet.", "code": "entry_not_checkpointed"}
            return 200, self._inclusion(seq, self.latest())
        return 404, {"detail": "Not found."}

    def _inclusion(self, seq: int, size: int) -> dict[str, Any]:
        leaves = self.leaves[:size]
        return {
            "seq": seq,
            "leaf_index": seq - 1,
            "entry_hash": self.entries[seq - 1]["hash"],
            "leaf_hash": leaves[seq - 1].hex(),
            "tree_size": size,
            "root": merkle.root_of(leaves).hex(),
            "audit_path": [h.hex() for h in merkle.inclusion_path(seq - 1, leaves)],
            "checkpoint_created_at": self.checkpoints[size]["created_at"],
            "algorithm": "RFC9162_SHA256",
        }

    def _certificate(self, public_id: str) -> Answer:
        if public_id not in self.certificates:
            return 404, {"detail": "No certificate has this public id."}
        seq, size = self.certificates[public_id]
        entry = self.entries[seq - 1]
        proof = self._inclusion(seq, size)
        return 200, {
            "valid": True,
            "certificate": {"public_id": public_id, "quantity_kg": 10 * seq},
            "ledger_entry": {
                "seq": seq,
                "kind": entry["kind"],
                "hash": entry["hash"],
                "recomputed_hash": entry["hash"],
                "prev_hash": entry["prev_hash"],
                "created_at": entry["created_at"],
                "canonical": entry["canonical"],
            },
            "proof": {
                "checkpoint": {"size": size, "root": proof["root"], "created_at": proof["checkpoint_created_at"]},
                "leaf_index": proof["leaf_index"],
                "leaf_hash": proof["leaf_hash"],
                "audit_path": proof["audit_path"],
                "verified": True,
            },
            "checks": [{"name": "inclusion_proof", "ok": True, "detail": "Included."}],
        }

    # Serving ----------------------------------------------------------------------------------

    def start(self) -> str:
        registry = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parsed = urllib.parse.urlsplit(self.path)
                registry.requests.append(self.path)
                override = registry.overrides.get(self.path, registry.overrides.get(parsed.path))
                if override is not None:
                    status, body = override() if callable(override) else override
                else:
                    status, body = registry.answer(parsed.path, dict(urllib.parse.parse_qsl(parsed.query)))
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:  # keep the test output quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self.url

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
