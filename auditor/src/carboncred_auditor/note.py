"""Signed checkpoints: C2SP signed notes (https://c2sp.org/signed-note) with Ed25519, carrying a
tlog checkpoint (https://c2sp.org/tlog-checkpoint)::

    <origin>
    <tree size, decimal>
    <root hash, base64>

    — <key name> <base64(key ID, 4 bytes ‖ Ed25519 signature of the three lines above)>

The key ID is SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ public key)[:4]; the verifier key the registry
publishes is ``<name>+<key ID hex>+<base64(0x01 ‖ public key)>``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from carboncred_auditor.errors import LogFailure

ED25519 = 0x01
SIGNATURE_PREFIX = "\u2014 "  # em dash, space
MAX_SIGNATURES = 100


class NoteFailure(LogFailure):
    """The note is malformed, or not validly signed by the expected key."""


class UnsignedByKey(NoteFailure):
    """No signature by the expected key at all (perhaps the registry signs with another key now)."""


def _b64decode(text: str) -> bytes:
    """Strict standard base64, one spelling per byte string."""
    raw = base64.b64decode(text, validate=True)
    if base64.b64encode(raw).decode("ascii") != text:
        raise ValueError("not canonical base64")
    return raw


def _valid_name(name: str) -> bool:
    return bool(name) and "+" not in name and not any(ch.isspace() or ch < " " for ch in name)


@dataclass(frozen=True)
class Verifier:
    name: str
    key_id: bytes
    public_key: bytes
    encoded: str

    @property
    def label(self) -> str:
        return f"{self.name}+{self.key_id.hex()}"


def parse_verifier_key(vkey: str) -> Verifier:
    """Raises ValueError for anything but a well-formed Ed25519 verifier key whose ID matches."""
    name, _, rest = vkey.partition("+")
    id_hex, _, key64 = rest.partition("+")
    try:
        key = _b64decode(key64)
    except (binascii.Error, ValueError):
        raise ValueError(f"verifier key {vkey!r}: the key is not base64") from None
    if not _valid_name(name) or not re.fullmatch(r"[0-9a-fA-F]{8}", id_hex):
        raise ValueError(f"verifier key {vkey!r} is not <name>+<8 hex digits>+<base64 key>")
    if len(key) != 33 or key[0] != ED25519:
        raise ValueError(f"verifier key {vkey!r} is not an Ed25519 key")
    key_id = hashlib.sha256(name.encode() + b"\n" + key).digest()[:4]
    if key_id.hex() != id_hex.lower():
        raise ValueError(f"verifier key {vkey!r}: the key ID does not match the key")
    return Verifier(name=name, key_id=key_id, public_key=key[1:], encoded=vkey)


def open_note(note: str, verifier: Verifier) -> str:
    """The note's text, once a signature by ``verifier`` verifies; signatures by other keys are ignored.

    Raises NoteFailure (malformed, or the expected key's signature fails) or UnsignedByKey.
    """
    try:
        note.encode("utf-8")
    except UnicodeEncodeError:
        raise NoteFailure("the signed note is not valid UTF-8") from None
    if any(ch < " " and ch != "\n" for ch in note):
        raise NoteFailure("the signed note contains control characters")
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n"):
        raise NoteFailure("the signed note is malformed: no signature block, or no final newline")
    text, lines = note[: split + 1], note[split + 2 : -1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteFailure("the signed note has too many signatures")
    found, verified = [], False
    for line in lines:
        name, _, encoded = line[len(SIGNATURE_PREFIX) :].partition(" ")
        try:
            raw = _b64decode(encoded)
        except (binascii.Error, ValueError):
            raw = b""
        if not line.startswith(SIGNATURE_PREFIX) or not _valid_name(name) or len(raw) < 5:
            raise NoteFailure(f"the signed note has a malformed signature line: {line!r}")
        found.append(f"{name}+{raw[:4].hex()}")
        if name == verifier.name and raw[:4] == verifier.key_id:
            try:
                Ed25519PublicKey.from_public_bytes(verifier.public_key).verify(raw[4:], text.encode("utf-8"))
            except InvalidSignature:
                raise NoteFailure(f"the signature does not verify with key {verifier.label}") from None
            verified = True
    if not verified:
        raise UnsignedByKey(f"the note is not signed by key {verifier.label} (it is signed by {', '.join(found)})")
    return text


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes


def open_checkpoint(note: str, verifier: Verifier) -> Checkpoint:
    """Verify the signature, then read origin, size and root (extension lines are not ours: refused)."""
    lines = open_note(note, verifier)[:-1].split("\n")
    if len(lines) != 3 or not lines[0]:
        raise NoteFailure("the checkpoint is not three lines: origin, tree size, root hash")
    origin, size, root64 = lines
    if not re.fullmatch(r"0|[1-9][0-9]{0,19}", size):
        raise NoteFailure(f"the checkpoint's tree size {size!r} is not a decimal number")
    try:
        root = _b64decode(root64)
    except (binascii.Error, ValueError):
        root = b""
    if len(root) != 32:
        raise NoteFailure(f"the checkpoint's root {root64!r} is not a base64 SHA-256 hash")
    return Checkpoint(origin=origin, size=int(size), root=root)
