"""Signed checkpoints: C2SP signed notes with Ed25519. Pure functions: no database, no Django.

The formats are https://c2sp.org/signed-note and https://c2sp.org/tlog-checkpoint, as Go's
golang.org/x/mod/sumdb/note implements them (its test vectors pass here), so any tlog tool can
verify our checkpoints. A checkpoint note, every line ending in a newline::

    <origin>
    <tree size, decimal>
    <root hash, base64>

    — <key name> <base64(key ID ‖ Ed25519 signature of the three lines above)>

* key ID = the first 4 bytes of SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ 32-byte public key);
* the verifier key, which we publish, is ``<name>+<key ID, 8 hex digits>+<base64(0x01 ‖ public key)>``;
* our key name is the log's origin.

A note is trusted only after :func:`open_note` found a valid signature by the expected key:
signatures by other keys are ignored (that is how keys rotate and witnesses cosign), a signature
by the expected key that fails rejects the whole note.
"""

import base64
import binascii
import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ED25519 = 0x01  # the signature type byte of signed-note
SIGNATURE_PREFIX = "\u2014 "  # em dash, space
#: The spec asks verifiers to accept at least 16 signatures; Go's verifier stops at 100.
MAX_SIGNATURES = 100
_DECIMAL = re.compile(r"0|[1-9][0-9]*")


class NoteError(ValueError):
    """A note that cannot be trusted; the message says why."""


class MalformedNoteError(NoteError):
    """Not a signed note: bad characters, no signature block, a line out of place."""


class UnknownKeyError(NoteError):
    """No signature by the expected key (perhaps by another key, or another key with the same name)."""


class InvalidSignatureError(NoteError):
    """A signature that claims to be by the expected key does not verify."""


class OriginMismatchError(NoteError):
    """A checkpoint, validly signed, of another log."""


def is_valid_name(name: str) -> bool:
    """A key name: non-empty, without spaces, plus signs or control characters (signed-note §Format)."""
    return bool(name) and "+" not in name and not any(ch.isspace() or ch < " " for ch in name)


def _b64decode(text: str) -> bytes:
    """Strict standard base64: the alphabet, the padding and one spelling per byte string."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{text!r} is not base64") from None
    if base64.b64encode(raw).decode("ascii") != text:
        raise ValueError(f"{text!r} is not canonical base64")
    return raw


def _b64encode(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def key_id(name: str, public_key: bytes) -> bytes:
    """The 4-byte key ID of an Ed25519 key: SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([ED25519]) + public_key).digest()[:4]


@dataclass(frozen=True)
class Verifier:
    """A public key under a name: what a note is checked against."""

    name: str
    public_key: bytes

    def __post_init__(self) -> None:
        if not is_valid_name(self.name):
            raise ValueError(f"{self.name!r} is not a valid key name (no spaces, no '+')")
        if len(self.public_key) != 32:
            raise ValueError("an Ed25519 public key is 32 bytes")

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.public_key)

    @property
    def key_id_hex(self) -> str:
        return self.key_id.hex()

    @property
    def label(self) -> str:
        """``name+keyid``, how messages name the key."""
        return f"{self.name}+{self.key_id_hex}"

    def encoded(self) -> str:
        """The verifier key string: ``<name>+<key ID hex>+<base64(0x01 ‖ public key)>``."""
        return f"{self.label}+{_b64encode(bytes([ED25519]) + self.public_key)}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except InvalidSignature:
            return False
        return True


def parse_verifier_key(vkey: str) -> Verifier:
    """Parse ``<name>+<key ID hex>+<base64(0x01 ‖ key)>``; the key ID must match the key."""
    name, _, rest = vkey.partition("+")
    id_hex, _, key64 = rest.partition("+")
    try:
        key = _b64decode(key64)
    except ValueError:
        raise ValueError(f"verifier key {vkey!r}: the key is not base64") from None
    if not re.fullmatch(r"[0-9a-fA-F]{8}", id_hex):
        raise ValueError(f"verifier key {vkey!r}: the key ID is not 8 hex digits")
    if not key or key[0] != ED25519 or len(key) != 33:
        raise ValueError(f"verifier key {vkey!r}: not an Ed25519 key (type 0x01 and 32 bytes)")
    verifier = Verifier(name=name, public_key=key[1:])
    if verifier.key_id_hex != id_hex.lower():
        raise ValueError(f"verifier key {vkey!r}: the key ID does not match the key")
    return verifier


@dataclass(frozen=True)
class Signer:
    """A private key under a name (for us, the log's origin)."""

    name: str
    private_key: Ed25519PrivateKey = field(repr=False)

    def __post_init__(self) -> None:
        if not is_valid_name(self.name):
            raise ValueError(f"{self.name!r} is not a valid key name (no spaces, no '+')")

    @property
    def verifier(self) -> Verifier:
        return Verifier(name=self.name, public_key=public_key_bytes(self.private_key))

    def sign(self, message: bytes) -> bytes:
        return self.private_key.sign(message)


def parse_signer_key(skey: str) -> Signer:
    """Go's encoded signer key ``PRIVATE+KEY+<name>+<key ID hex>+<base64(0x01 ‖ seed)>`` (note.GenerateKey)."""
    parts = skey.split("+", 4)
    if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
        raise ValueError("not a PRIVATE+KEY+<name>+<id>+<key> signer key")
    _, _, name, id_hex, key64 = parts
    try:
        key = _b64decode(key64)
    except ValueError:
        raise ValueError("signer key: the key is not base64") from None
    if len(key) != 33 or key[0] != ED25519:
        raise ValueError("signer key: not an Ed25519 seed (type 0x01 and 32 bytes)")
    signer = Signer(name=name, private_key=Ed25519PrivateKey.from_private_bytes(key[1:]))
    if not re.fullmatch(r"[0-9a-fA-F]{8}", id_hex) or signer.verifier.key_id_hex != id_hex.lower():
        raise ValueError("signer key: the key ID does not match the key")
    return signer


def generate_private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def public_key_bytes(private_key: Ed25519PrivateKey) -> bytes:
    return private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def private_key_pem(private_key: Ed25519PrivateKey) -> bytes:
    """PKCS #8 PEM, unencrypted: what :func:`load_private_key` and ``openssl pkey`` read."""
    return private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def load_private_key(data: bytes) -> Ed25519PrivateKey:
    """An Ed25519 private key from PEM (PKCS #8, as ``openssl genpkey -algorithm ed25519`` writes)
    or from the raw 32-byte seed."""
    if data.lstrip().startswith(b"-----BEGIN"):
        key = serialization.load_pem_private_key(data, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"the PEM key is {type(key).__name__}, not an Ed25519 private key")
        return key
    if len(data) == 32:
        return Ed25519PrivateKey.from_private_bytes(data)
    raise ValueError("an Ed25519 private key is a PEM file or a 32-byte seed")


def private_key_from_file(path: Path, *, create: bool = False) -> Ed25519PrivateKey:
    """Read the key at ``path``; with ``create``, first generate one there (mode 0600) if none exists.

    Creation is atomic (written aside, then hard-linked into place), so processes starting at
    once agree on one key and never read a half-written file.
    """
    if create and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".signing-key-")
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(private_key_pem(generate_private_key()))
                handle.flush()
                os.fsync(handle.fileno())
            with contextlib.suppress(FileExistsError):  # another process won the race: use its key
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    return load_private_key(path.read_bytes())


# Notes ------------------------------------------------------------------------------------------


def _check_characters(text: str, what: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise MalformedNoteError(f"{what} is not valid UTF-8") from None
    bad = next((ch for ch in text if ch < " " and ch != "\n"), None)
    if bad is not None:
        raise MalformedNoteError(f"{what} contains the control character {bad!r}")


def sign_note(text: str, *signers: Signer) -> str:
    """``text`` (ending in a newline), a blank line, and one signature line per signer."""
    if not text.endswith("\n"):
        raise MalformedNoteError("note text must end with a newline")
    _check_characters(text, "note text")
    if not signers:
        raise ValueError("a note needs at least one signer")
    message = text.encode()
    lines = [
        f"{SIGNATURE_PREFIX}{signer.name} {_b64encode(signer.verifier.key_id + signer.sign(message))}\n"
        for signer in signers
    ]
    return text + "\n" + "".join(lines)


@dataclass(frozen=True)
class Signature:
    name: str
    key_id: bytes
    signature: bytes

    @property
    def label(self) -> str:
        return f"{self.name}+{self.key_id.hex()}"


def parse_note(note: str | bytes) -> tuple[str, list[Signature]]:
    """Split a signed note into its text and signatures, checking only the syntax."""
    if isinstance(note, bytes):
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedNoteError("the note is not valid UTF-8") from None
    _check_characters(note, "the note")
    split = note.rfind("\n\n")
    if split < 0:
        raise MalformedNoteError("the note has no blank line before its signatures")
    text, block = note[: split + 1], note[split + 2 :]
    if not block.endswith("\n"):
        raise MalformedNoteError("the note does not end with a newline after its signatures")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedNoteError(f"the note has more than {MAX_SIGNATURES} signatures")
    signatures = []
    for number, line in enumerate(lines, start=1):
        if not line.startswith(SIGNATURE_PREFIX):
            raise MalformedNoteError(f"signature line {number} does not start with an em dash and a space")
        name, _, encoded = line[len(SIGNATURE_PREFIX) :].partition(" ")
        try:
            raw = _b64decode(encoded)
        except ValueError:
            raise MalformedNoteError(f"signature line {number}: the signature is not base64") from None
        if not is_valid_name(name) or len(raw) < 5:
            raise MalformedNoteError(f"signature line {number} is not '— <name> <base64 signature>'")
        signatures.append(Signature(name=name, key_id=raw[:4], signature=raw[4:]))
    return text, signatures


def open_note(note: str | bytes, verifiers: Verifier | Iterable[Verifier]) -> str:
    """The text of ``note`` once a signature by one of ``verifiers`` verifies.

    Raises MalformedNoteError, InvalidSignatureError (a signature by an expected key fails: the
    whole note is rejected) or UnknownKeyError (no signature by any expected key).
    """
    trusted = [verifiers] if isinstance(verifiers, Verifier) else list(verifiers)
    text, signatures = parse_note(note)
    message = text.encode()
    verified = False
    for signature in signatures:
        for verifier in trusted:
            if signature.name == verifier.name and signature.key_id == verifier.key_id:
                if not verifier.verify(message, signature.signature):
                    raise InvalidSignatureError(f"the signature by key {verifier.label} does not verify")
                verified = True
    if not verified:
        expected = ", ".join(v.label for v in trusted) or "(none)"
        found = ", ".join(s.label for s in signatures)
        raise UnknownKeyError(f"the note is not signed by {expected}; it carries signatures by {found}")
    return text


# Checkpoints ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TreeHead:
    """The body of a tlog checkpoint: origin, tree size, RFC 9162 root (and rare extension lines)."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()


def checkpoint_text(*, origin: str, size: int, root: bytes, extensions: Sequence[str] = ()) -> str:
    if not origin or "\n" in origin:
        raise ValueError("the origin is one non-empty line")
    if size < 0 or len(root) != 32:
        raise ValueError("a checkpoint has a size >= 0 and a 32-byte SHA-256 root")
    if any(not line or "\n" in line for line in extensions):
        raise ValueError("extension lines are non-empty single lines")
    return "".join(f"{line}\n" for line in (origin, str(size), _b64encode(root), *extensions))


def parse_checkpoint(text: str) -> TreeHead:
    """The checkpoint body of a note's text (c2sp.org/tlog-checkpoint §Note text)."""
    if not text.endswith("\n"):
        raise MalformedNoteError("the checkpoint does not end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3 or not all(lines):
        raise MalformedNoteError("a checkpoint is at least three non-empty lines: origin, size, root")
    origin, size, root64, *extensions = lines
    if not _DECIMAL.fullmatch(size) or int(size) >= 1 << 64:
        raise MalformedNoteError(f"checkpoint size {size!r} is not a decimal number without leading zeros")
    try:
        root = _b64decode(root64)
    except ValueError:
        raise MalformedNoteError(f"checkpoint root {root64!r} is not base64") from None
    if len(root) != 32:
        raise MalformedNoteError("the checkpoint root is not a 32-byte SHA-256 hash")
    return TreeHead(origin=origin, size=int(size), root=root, extensions=tuple(extensions))


def sign_checkpoint(*, origin: str, size: int, root: bytes, signer: Signer, cosigners: Sequence[Signer] = ()) -> str:
    """The signed checkpoint note of a tree head. ``cosigners`` sign too (e.g. the next key, while rotating)."""
    return sign_note(checkpoint_text(origin=origin, size=size, root=root), signer, *cosigners)


def open_checkpoint(
    note: str | bytes, verifiers: Verifier | Iterable[Verifier], *, origin: str | None = None
) -> TreeHead:
    """Verify a checkpoint note (see :func:`open_note`) and parse it; ``origin``, when given, must match."""
    head = parse_checkpoint(open_note(note, verifiers))
    if origin is not None and head.origin != origin:
        raise OriginMismatchError(f"the checkpoint is for origin {head.origin!r}, not {origin!r}")
    return head
