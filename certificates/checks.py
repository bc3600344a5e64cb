"""Whether a certificate holds up, as pure functions over plain values.

A certificate is valid only when every check passes:

* ``entry_hash`` — the ledger entry re-hashed today gives the hash stored with it;
* ``entry_matches_certificate`` — the entry is the ``retire`` entry the certificate was issued on
  (same hash as recorded on the certificate at retirement), and its payload names the same serial
  range, quantity and organisation as the certificate;
* ``inclusion_proof`` — the entry's Merkle inclusion proof leads to a published checkpoint root.

The selector gathers the values from the database and the ledger; these functions only judge them,
so each failure mode is testable without forging rows.
"""

from collections.abc import Mapping
from dataclasses import dataclass


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
