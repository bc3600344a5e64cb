"""One audit run: what is checked, in which order, and why each failure means what it says."""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from carboncred_auditor import merkle, note, state
from carboncred_auditor.chain import ChainChecker, entry_hash
from carboncred_auditor.client import Registry
from carboncred_auditor.errors import CheckError, HttpError, LogFailure, hash_field, hash_list
from carboncred_auditor.errors import field as get

PAGE_SIZE = 200


@dataclass
class Options:
    base_url: str
    state_file: Path
    mirror: bool = False
    certificates: list[str] = field(default_factory=list)
    accept_key_change: bool = False
    expected_key: str | None = None
    timeout: float = 30.0


@dataclass(frozen=True)
class Verified:
    """A checkpoint whose note verified with the trusted key and agrees with the JSON beside it."""

    size: int
    root: bytes
    note: str


class Audit:
    def __init__(self, options: Options, say: Callable[[str], None] = print) -> None:
        self.options = options
        self.say = say
        self.registry = Registry(options.base_url, timeout=options.timeout)
        self.verifier: note.Verifier | None = None
        self.origin = ""

    # The run ----------------------------------------------------------------------------------

    def run(self) -> None:
        """Raises LogFailure (exit 1) or CheckError (exit 2); returns when everything holds."""
        pinned = state.load(self.options.state_file)
        expected = self._parse_key(self.options.expected_key, "--key") if self.options.expected_key else None
        published = self._published_key(pinned)
        trusted = self._trusted_key(pinned, expected, published)

        latest = self._latest_checkpoint()
        if latest is None:
            if pinned is not None and pinned.size > 0:
                raise LogFailure(f"the registry lists no checkpoint, but you pinned checkpoint {pinned.size}")
            self.say("The registry has published no checkpoint yet: nothing to verify or pin.")
            return
        checkpoint = self._verified_checkpoint(latest, trusted, published)
        self.say(f"Checkpoint {checkpoint.size} (root {checkpoint.root.hex()}): signature verified.")

        if pinned is not None:
            self._check_extends(pinned, checkpoint)
        if self.options.mirror:
            self._mirror(checkpoint)
        for public_id in self.options.certificates:
            self._certificate(public_id, checkpoint)

        state.save(
            self.options.state_file,
            state.State(
                base_url=self.registry.base_url,
                origin=self.origin,
                key=self._key().encoded,
                size=checkpoint.size,
                root=checkpoint.root.hex(),
                note=checkpoint.note,
                checked_at=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            ),
        )
        self.say(f"OK: the log is consistent. Pinned checkpoint {checkpoint.size} in {self.options.state_file}.")

    # Keys -------------------------------------------------------------------------------------

    @staticmethod
    def _parse_key(vkey: str, source: str) -> note.Verifier:
        try:
            return note.parse_verifier_key(vkey)
        except ValueError as error:
            if source == "the registry":
                raise LogFailure(f"the registry publishes a malformed key: {error}") from None
            raise CheckError(f"{source}: {error}") from None

    def _published_key(self, pinned: state.State | None) -> note.Verifier:
        answer = self.registry.get("/api/ledger/public-key/")
        what = "public key"
        origin = get(answer, "origin", str, what)
        published = self._parse_key(get(answer, "public_key", str, what), "the registry")
        if get(answer, "key_id", str, what).lower() != published.key_id.hex():
            raise LogFailure(f"the registry's key_id {answer['key_id']!r} is not the ID of the key it publishes")
        if pinned is not None and origin != pinned.origin:
            if pinned.base_url != self.registry.base_url:
                raise CheckError(
                    f"{self.options.state_file} is the state of another registry ({pinned.base_url}, log "
                    f"{pinned.origin!r}); use one state file per registry"
                )
            raise LogFailure(f"the registry now calls its log {origin!r}; you pinned the log {pinned.origin!r}")
        self.origin = origin
        self.say(f"Registry {self.registry.base_url}: log {origin!r}, signing key {published.label}.")
        return published

    def _trusted_key(
        self, pinned: state.State | None, expected: note.Verifier | None, published: note.Verifier
    ) -> note.Verifier:
        before = self._parse_key(pinned.key, "the state file") if pinned else expected
        if before is None:
            self.say(f"First run: trusting the registry's key {published.label} from now on (pass --key to check it).")
            return published
        if before.encoded == published.encoded:
            return before
        if self.options.accept_key_change:
            if expected is not None and expected.encoded != published.encoded:
                raise LogFailure(f"the registry publishes key {published.label}, not the key {expected.label} you gave")
            self.say(f"Key change accepted (--accept-key-change): {before.label} -> {published.label}.")
            return published
        return before  # the note may still carry the trusted key's signature (a rotation in progress)

    def _key(self) -> note.Verifier:
        if self.verifier is None:  # set by _verified_checkpoint before any use
            raise RuntimeError("no key verified yet")
        return self.verifier

    # Checkpoints ------------------------------------------------------------------------------

    def _latest_checkpoint(self) -> dict[str, Any] | None:
        answer = self.registry.get("/api/ledger/checkpoints/")
        items = answer.get("results") if isinstance(answer, dict) else answer
        if not isinstance(items, list):
            raise LogFailure("the registry's checkpoint list is malformed")
        if not items:
            return None
        sizes = [get(item, "size", int, "checkpoint list") for item in items]
        if sizes != sorted(sizes, reverse=True):
            raise LogFailure("the registry's checkpoint list is not newest first")
        return items[0]  # type: ignore[no-any-return]

    def _verified_checkpoint(
        self, listed: dict[str, Any], trusted: note.Verifier, published: note.Verifier
    ) -> Verified:
        size = get(listed, "size", int, "checkpoint list")
        checkpoint = self._signed_checkpoint(size, trusted, published)
        if hash_field(listed, "root", "checkpoint list") != checkpoint.root:
            raise LogFailure(f"checkpoint {size} has one root in the checkpoint list and another in its own page")
        return checkpoint

    def _signed_checkpoint(self, size: int, trusted: note.Verifier, published: note.Verifier | None) -> Verified:
        what = f"checkpoint {size}"
        answer = self.registry.get(f"/api/ledger/checkpoints/{size}/")
        if get(answer, "size", int, what) != size:
            raise LogFailure(f"the registry answered checkpoint {answer['size']} when asked for checkpoint {size}")
        root = hash_field(answer, "root", what)
        if answer.get("note", "") is None:
            raise LogFailure(
                f"checkpoint {size} carries no signed note: a registry that signs its checkpoints must sign the "
                "latest one (only checkpoints stored before it started signing may lack a note)"
            )
        signed = get(answer, "note", str, what)
        try:
            head = note.open_checkpoint(signed, trusted)
        except note.UnsignedByKey as error:
            if published is not None and published.encoded != trusted.encoded:
                raise LogFailure(
                    f"the signing key changed: checkpoint {size} is not signed by the key you trust "
                    f"({trusted.label}); the registry now publishes {published.label}. If the operator announced "
                    "this key rotation through a channel you trust, re-run with --accept-key-change (better: "
                    "--key NEW_KEY --accept-key-change); otherwise treat the registry as compromised"
                ) from None
            raise LogFailure(f"checkpoint {size}: {error}") from None
        except note.NoteFailure as error:
            raise LogFailure(f"checkpoint {size}: {error}") from None
        if published is not None and published.encoded != trusted.encoded:
            self.say(
                f"Warning: the registry now publishes key {published.label}; checkpoint {size} is still signed by "
                f"the key you trust ({trusted.label}). Check the new key with the operator, then run once with "
                "--accept-key-change."
            )
        if head.origin != self.origin:
            raise LogFailure(f"checkpoint {size} is signed for the log {head.origin!r}, not {self.origin!r}")
        if head.size != size or head.root != root:
            raise LogFailure(
                f"checkpoint {size}: the signed note says size {head.size} and root {head.root.hex()}, but the "
                f"registry shows size {size} and root {root.hex()}: the signature is over other data"
            )
        self.verifier = trusted
        return Verified(size=size, root=root, note=signed)

    def _check_extends(self, pinned: state.State, checkpoint: Verified) -> None:
        old_root = bytes.fromhex(pinned.root)
        if checkpoint.size < pinned.size:
            raise LogFailure(
                f"the log shrank from {pinned.size} to {checkpoint.size} entries (truncated): the latest checkpoint "
                f"covers fewer entries than the checkpoint you pinned"
            )
        if checkpoint.size == pinned.size:
            if checkpoint.root != old_root:
                raise LogFailure(
                    f"checkpoint {pinned.size} changed its root from {pinned.root} to {checkpoint.root.hex()}: "
                    "the log was rewritten"
                )
            self.say(f"No new checkpoint since the pinned checkpoint {pinned.size}; its root is unchanged.")
            return
        if not self._consistent(pinned.size, old_root, checkpoint.size, checkpoint.root):
            raise LogFailure(
                f"checkpoint {checkpoint.size} is not consistent with pinned checkpoint {pinned.size}: "
                f"the log was rewritten{self._what_changed(pinned.size, old_root)}"
            )
        self.say(
            f"Checkpoint {checkpoint.size} extends the pinned checkpoint {pinned.size} (consistency proof verified)."
        )

    def _consistent(self, first: int, first_root: bytes, second: int, second_root: bytes) -> bool:
        query = urllib.parse.urlencode({"first": first, "second": second})
        try:
            answer = self.registry.get(f"/api/ledger/consistency/?{query}")
        except HttpError as error:
            if 400 <= error.status < 500:  # a log that cannot prove it extends its own past has rewritten it
                raise LogFailure(
                    f"the registry refuses to prove checkpoint {second} extends checkpoint {first} "
                    f"(HTTP {error.status}{': ' + error.detail if error.detail else ''}): the log was rewritten"
                ) from None
            raise
        what = "consistency proof"
        if get(answer, "first", int, what) != first or get(answer, "second", int, what) != second:
            raise LogFailure(f"the registry answered a consistency proof for other sizes than {first} and {second}")
        return merkle.verify_consistency(first, second, first_root, second_root, hash_list(answer, "proof", what))

    def _what_changed(self, size: int, pinned_root: bytes) -> str:
        """A precise addition to the message, when the registry still serves the old checkpoint."""
        try:
            answer = self.registry.get(f"/api/ledger/checkpoints/{size}/")
            now = hash_field(answer, "root", f"checkpoint {size}")
        except (CheckError, LogFailure):
            return ""
        if now != pinned_root:
            return f" (checkpoint {size} now has root {now.hex()}; you pinned {pinned_root.hex()})"
        return ""

    # The mirror -------------------------------------------------------------------------------

    def _mirror(self, checkpoint: Verified) -> None:
        checker = ChainChecker(wanted_sizes={checkpoint.size})
        url: str | None = f"/api/ledger/entries/?page_size={PAGE_SIZE}"
        seen: set[str] = set()
        while url:
            if url in seen:
                raise LogFailure(f"the registry's entry pages loop back to {url}")
            seen.add(url)
            page = self.registry.get(url)
            for entry in get(page, "results", list, "entry page"):
                checker.add(entry)
            following = page.get("next")
            if following is not None and not isinstance(following, str):
                raise LogFailure("the registry's entry page has a malformed 'next'")
            url = self.registry.same_site(following) if following else None
        if checker.count < checkpoint.size:
            raise LogFailure(
                f"the registry serves {checker.count} entries, but checkpoint {checkpoint.size} covers "
                f"{checkpoint.size}: the log was truncated"
            )
        if checker.roots[checkpoint.size] != checkpoint.root:
            raise LogFailure(
                f"the entries served do not hash to checkpoint {checkpoint.size}'s root: the Merkle root of entries "
                f"1..{checkpoint.size} is {checker.roots[checkpoint.size].hex()}, the signed root "
                f"{checkpoint.root.hex()}: the entries were rewritten"
            )
        self.say(
            f"Mirror: {checker.count} entries re-hashed, every link holds, and entries 1..{checkpoint.size} give "
            "the signed root."
        )

    # Certificates -----------------------------------------------------------------------------

    def _certificate(self, public_id: str, checkpoint: Verified) -> None:
        what = f"certificate {public_id}"
        try:
            answer = self.registry.get(f"/api/certificates/verify/{urllib.parse.quote(public_id, safe='')}/")
        except HttpError as error:
            if error.status == 404:
                raise CheckError(f"the registry knows no certificate {public_id!r} (check the id)") from None
            raise
        if get(answer, "valid", bool, what) is not True:
            if answer.get("proof") is None and entry_not_checkpointed(answer):
                raise CheckError(f"certificate {public_id}: its entry is not covered by a checkpoint yet; try later")
            checks = answer.get("checks") if isinstance(answer.get("checks"), list) else []
            reasons = "; ".join(str(c.get("detail")) for c in checks if isinstance(c, dict) and not c.get("ok"))
            raise LogFailure(f"the registry itself reports certificate {public_id} as not valid: {reasons or '?'}")
        entry = get(answer, "ledger_entry", dict, what)
        seq = get(entry, "seq", int, f"{what} ledger entry")
        digest = hash_field(entry, "hash", f"{what} ledger entry")
        if entry.get("kind", "retire") != "retire":
            raise LogFailure(
                f"certificate {public_id}: its ledger entry {seq} is a {entry['kind']!r}, not a retirement"
            )
        if "canonical" in entry and "prev_hash" in entry:
            canonical = get(entry, "canonical", str, f"{what} ledger entry")
            if entry_hash(seq, hash_field(entry, "prev_hash", f"{what} ledger entry"), canonical) != digest:
                raise LogFailure(f"certificate {public_id}: its ledger entry {seq} does not hash to its hash")

        proof = self._inclusion_proof(answer.get("proof"), seq, checkpoint)
        if proof.size != checkpoint.size:
            # Proved against another checkpoint: that one must be signed and consistent with ours.
            other = self._signed_checkpoint(proof.size, self._key(), None)
            low, high = sorted((checkpoint, other), key=lambda c: c.size)
            if not self._consistent(low.size, low.root, high.size, high.root):
                raise LogFailure(f"checkpoint {other.size} is not consistent with checkpoint {checkpoint.size}")
            target = other
        else:
            target = checkpoint
        if proof.root != target.root:
            raise LogFailure(
                f"certificate {public_id}: its proof is against a root that is not checkpoint {target.size}'s"
            )
        if proof.index != seq - 1 or proof.leaf != merkle.leaf_hash(digest):
            raise LogFailure(f"certificate {public_id}: the inclusion proof is for another entry than {seq}")
        if not merkle.verify_inclusion(proof.leaf, proof.index, proof.size, proof.path, target.root):
            raise LogFailure(
                f"certificate {public_id}: its ledger entry {seq} is not included in checkpoint {target.size} "
                "(the inclusion proof does not lead to the signed root)"
            )
        self.say(f"Certificate {public_id}: retirement entry {seq} is included in signed checkpoint {target.size}.")

    def _inclusion_proof(self, embedded: Any, seq: int, checkpoint: Verified) -> _Inclusion:
        if isinstance(embedded, dict) and isinstance(embedded.get("checkpoint"), dict):
            cp = embedded["checkpoint"]
            if get(cp, "size", int, "certificate proof") == checkpoint.size:
                return _Inclusion(
                    size=checkpoint.size,
                    root=hash_field(cp, "root", "certificate proof"),
                    index=get(embedded, "leaf_index", int, "certificate proof"),
                    leaf=hash_field(embedded, "leaf_hash", "certificate proof"),
                    path=hash_list(embedded, "audit_path", "certificate proof"),
                )
        what = f"inclusion proof of entry {seq}"
        try:
            answer = self.registry.get(f"/api/ledger/entries/{seq}/proof/")
        except HttpError as error:
            if error.status == 409:
                raise CheckError(
                    f"entry {seq} is not covered by a checkpoint yet (the latest covers {checkpoint.size}); "
                    "try again later"
                ) from None
            raise
        return _Inclusion(
            size=get(answer, "tree_size", int, what),
            root=hash_field(answer, "root", what),
            index=get(answer, "leaf_index", int, what),
            leaf=hash_field(answer, "leaf_hash", what),
            path=hash_list(answer, "audit_path", what),
        )


def entry_not_checkpointed(answer: dict[str, Any]) -> bool:
    """The registry's only failed check is the missing inclusion proof (a retirement newer than the checkpoint)."""
    checks = answer.get("checks")
    failed = (
        [c.get("name") for c in checks if isinstance(c, dict) and not c.get("ok")] if isinstance(checks, list) else []
    )
    return failed == ["inclusion_proof"]


@dataclass(frozen=True)
class _Inclusion:
    size: int
    root: bytes
    index: int
    leaf: bytes
    path: list[bytes]
