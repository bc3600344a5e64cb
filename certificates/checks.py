"""Whether a certificate holds up, as pure functions over plain values.

A certificate is valid only when every check passes:

* ``entry_hash`` — the ledger entry re-hashed today gives the hash stored with it;
* ``entry_matches_certificate`` — the entry is the ``retire`` entry the certificate was issued on
  (same hash as recorded on the certificate at retirement), and its payload names the same serial
  range, quantity and organisation as the certificate;
* ``inclusion_proof`` — the entry's Merkle inclusion proof leads to a published checkpoint root;
* ``issuance_entry`` — the ``issue`` entry of the certificate's serials (where the methodology and
  screening version come from) re-hashes, is proven in the same checkpoint, and issued them;
* ``movement_entries`` — every entry that moved those serials between issuance and retirement
  re-hashes and is proven in that checkpoint, and together they hand the serials from owner to
  owner, each whole, up to the organisation that retired them.

The selector gathers the values from the database and the ledger; these functions only judge them,
so each failure mode is testable without forging rows.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from certificates.facts import display_int


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class Verification:
    checks: tuple[Check, ...]

    @property
    def valid(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks)

    @property
    def failures(self) -> tuple[Check, ...]:
        return tuple(check for check in self.checks if not check.ok)


def check_entry_hash(*, stored_hash: str, recomputed_hash: str) -> Check:
    if stored_hash == recomputed_hash:
        return Check("entry_hash", True, "The ledger entry's SHA-256 hash recomputes to the stored value.")
    return Check(
        "entry_hash",
        False,
        "The ledger entry has been altered: its content no longer hashes to the hash stored with it.",
    )


def check_entry_matches_certificate(
    *,
    kind: str,
    stored_hash: str,
    certified_hash: str,
    expected: Mapping[str, object],
    payload: Mapping[str, object],
) -> Check:
    """``expected`` maps payload keys to the values the certificate states for them."""
    problems = []
    if kind != "retire":
        problems.append(f"the entry is a {kind!r} entry, not a retirement")
    if stored_hash != certified_hash:
        problems.append("the entry's hash differs from the one recorded on the certificate")
    mismatched = sorted(key for key, value in expected.items() if payload.get(key) != value)
    if mismatched:
        problems.append(f"the entry and the certificate disagree on {', '.join(mismatched)}")
    if problems:
        return Check("entry_matches_certificate", False, f"{'; '.join(problems).capitalize()}.")
    return Check(
        "entry_matches_certificate",
        True,
        "The retirement entry names the same organisation, serial range, quantity, beneficiary and reason "
        "as the certificate.",
    )


def check_inclusion(*, proof_ok: bool | None, checkpoint_size: int | None, reason: str = "") -> Check:
    """``proof_ok`` is None when no proof could be built (``reason`` says why)."""
    if proof_ok is None:
        return Check("inclusion_proof", False, reason or "No inclusion proof is available for this entry.")
    if proof_ok:
        return Check(
            "inclusion_proof",
            True,
            f"The entry is included in the checkpoint over ledger entries 1 to {checkpoint_size}.",
        )
    return Check(
        "inclusion_proof",
        False,
        "The entry's inclusion proof does not lead to the checkpoint root: the ledger was rewritten.",
    )


def retire_entry_claims(payload: object) -> dict[str, object]:
    """What a retire entry's payload says about the block it retired, flattened for comparison.

    Tolerates any shape: a forged payload is a mismatch to report, not an error to raise.
    """
    payload = payload if isinstance(payload, Mapping) else {}
    block_id = payload.get("block")
    blocks = payload.get("blocks")
    snapshots = [b for b in blocks if isinstance(b, Mapping)] if isinstance(blocks, list) else []
    block = next((snapshot for snapshot in snapshots if snapshot.get("id") == block_id), {})
    memo = payload.get("memo")
    memo = memo if isinstance(memo, Mapping) else {}
    return {
        "organization": payload.get("from"),
        "quantity_kg": payload.get("quantity_kg"),
        "block": block_id,
        "serial": serial_key(
            block.get("project"), block.get("vintage"), block.get("serial_start"), block.get("serial_end")
        ),
        "serial_start": block.get("serial_start"),
        "serial_end": block.get("serial_end"),
        "owner": block.get("owner"),
        "status": block.get("status"),
        "beneficiary": memo.get("beneficiary"),
        "reason": memo.get("reason"),
    }


def serial_key(project: object, vintage: object, first: object, last: object) -> str:
    """Project, vintage and range as one comparable string (the country is not in a retire entry)."""
    return f"{project}/{vintage}/{first}/{last}"


# --- the history of the serials: issuance, movements, retirement ----------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    """One ledger entry that issued or moved the certificate's serials, as checked."""

    seq: int
    kind: str
    payload: Mapping[str, Any] | None  # None: the text is no longer a JSON entry
    hash_ok: bool  # re-hashes to its stored hash
    included: bool | None  # proven in the checkpoint; None when no checkpoint covers it
    hash: str = ""  # stored, hex
    recomputed_hash: str = ""  # re-hashed now, hex

    @property
    def proven(self) -> bool:
        return self.hash_ok and self.included is True

    @property
    def seq_display(self) -> str:
        """As the page prints every entry number (certificates.facts.display_int)."""
        return f"#{display_int(self.seq)}"

    def problem(self, checkpoint_size: int | None) -> str | None:
        if not self.hash_ok:
            return f"entry {self.seq} ({self.kind}) does not re-hash to its stored hash"
        if self.included is None:
            return f"no checkpoint covers entry {self.seq} ({self.kind}) yet"
        if not self.included:
            return f"entry {self.seq} ({self.kind}) is not the entry checkpoint {checkpoint_size} attests"
        return None


def _int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def _blocks(payload: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    blocks = payload.get("blocks")
    return [block for block in blocks if isinstance(block, Mapping)] if isinstance(blocks, list) else []


def _covers(block: Mapping[str, Any], first: int, last: int) -> bool:
    start, end = _int(block.get("serial_start")), _int(block.get("serial_end"))
    return start is not None and end is not None and start <= first and last <= end


def issued_block(entry: HistoryEntry, *, project: int, vintage: int, first: int, last: int) -> Mapping | None:
    """The block of an ``issue`` entry that holds serials ``first..last`` of (project, vintage)."""
    payload = entry.payload or {}
    if entry.kind != "issue" or _int(payload.get("project")) != project or payload.get("vintage") != vintage:
        return None
    return next((block for block in _blocks(payload) if _covers(block, first, last)), None)


def check_issuance(
    *,
    history: Sequence[HistoryEntry],
    project: int,
    vintage: int,
    first: int,
    last: int,
    checkpoint_size: int | None,
) -> Check:
    """The issue entry of the serials: found, re-hashed, proven, and issuing exactly them."""
    issues = [entry for entry in history if entry.kind == "issue"]
    if len(issues) != 1:
        found = "no" if not issues else f"{len(issues)}"
        return Check(
            "issuance_entry", False, f"The ledger's serial index names {found} issue entries for these serials."
        )
    issue = issues[0]
    problems = [problem for problem in (issue.problem(checkpoint_size),) if problem]
    if issued_block(issue, project=project, vintage=vintage, first=first, last=last) is None:
        problems.append(f"entry {issue.seq} does not issue serials {first} to {last} of this project and vintage")
    if problems:
        return Check("issuance_entry", False, f"{'; '.join(problems).capitalize()}.")
    return Check(
        "issuance_entry",
        True,
        f"The issue entry {issue.seq} that created these serials re-hashes and is included in the checkpoint; "
        "the methodology and screening version come from it.",
    )


def check_movements(
    *,
    history: Sequence[HistoryEntry],
    retire_seq: int,
    retired_by: str,
    project: int,
    vintage: int,
    first: int,
    last: int,
    checkpoint_size: int | None,
) -> Check:
    """The entries between issuance and retirement: each proven, together an unbroken chain of
    custody of serials ``first..last`` ending with the retirement by ``retired_by``."""
    problems = [
        problem
        for entry in history
        if entry.kind != "issue" and entry.seq != retire_seq
        for problem in (entry.problem(checkpoint_size),)
        if problem
    ]
    problems += custody_problems(
        history=history, retire_seq=retire_seq, retired_by=retired_by, project=project, vintage=vintage,
        first=first, last=last,
    )  # fmt: skip
    moves = len([entry for entry in history if entry.kind != "issue" and entry.seq != retire_seq])
    if problems:
        return Check("movement_entries", False, f"{'; '.join(problems).capitalize()}.")
    described = "no movement" if not moves else f"{moves} movement{'s' if moves > 1 else ''}"
    return Check(
        "movement_entries",
        True,
        f"From issuance to retirement the serials passed through {described}; every entry re-hashes, is included "
        "in the checkpoint, and hands them on from their holder.",
    )


def custody_problems(
    *,
    history: Sequence[HistoryEntry],
    retire_seq: int,
    retired_by: str,
    project: int,
    vintage: int,
    first: int,
    last: int,
) -> list[str]:
    """Walk the entries in seq order: the issue entry gives the serials an owner, every movement must
    take all of them from that owner, and the last must be the retirement by ``retired_by``.

    A block never merges, so every entry that touched these serials moved a range holding all of
    them; a gap (an entry hidden from the serial index) shows as a move from the wrong owner."""
    entries = sorted(history, key=lambda entry: entry.seq)
    if not entries or entries[0].kind != "issue":
        return ["the serials' history does not start with their issuance"]
    issued = issued_block(entries[0], project=project, vintage=vintage, first=first, last=last)
    if issued is None:
        return ["the serials' history does not start with their issuance"]
    holder, status = str(issued.get("owner")), issued.get("status")
    problems = []
    for entry in entries[1:]:
        payload = entry.payload or {}
        moved = next((block for block in _blocks(payload) if str(block.get("id")) == str(payload.get("block"))), None)
        if entry.kind == "issue" or moved is None:
            problems.append(f"entry {entry.seq} ({entry.kind}) is not a movement of these serials")
            break
        if not _covers(moved, first, last):
            problems.append(f"entry {entry.seq} ({entry.kind}) moved only part of these serials")
            break
        if str(payload.get("from")) != holder:
            problems.append(
                f"entry {entry.seq} ({entry.kind}) moves them from {payload.get('from')}, not their holder {holder}"
            )
            break
        holder, status = str(payload.get("to")), moved.get("status")
    else:
        if entries[-1].seq != retire_seq:
            problems.append(f"the last entry of these serials is {entries[-1].seq}, not the retirement {retire_seq}")
        elif holder != retired_by or status != "retired":
            problems.append(f"the retirement leaves them {status} with {holder}, not retired by {retired_by}")
    return problems
