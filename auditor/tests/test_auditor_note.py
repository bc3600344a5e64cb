"""The auditor's note verification against Go's sumdb/note vectors and notes signed here."""

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from carboncred_auditor import note

# golang.org/x/mod/sumdb/note, note_test.go (TestNewVerifier, TestOpen).
PETER_KEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_KEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
PETER_SIG = (
    "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    "\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n"
)


def make_key(name="registry.test/ledger"):
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    key_id = hashlib.sha256(name.encode() + b"\n\x01" + public).digest()[:4]
    encoded = base64.b64encode(bytes([1]) + public).decode()
    vkey = f"{name}+{key_id.hex()}+{encoded}"
    return private, key_id, vkey


def sign(private, key_id, text, name="registry.test/ledger"):
    signature = base64.b64encode(key_id + private.sign(text.encode())).decode()
    return f"{text}\n\u2014 {name} {signature}\n"


def test_go_verifier_keys():
    peter = note.parse_verifier_key(PETER_KEY)
    assert (peter.name, peter.key_id.hex(), peter.label) == ("PeterNeumann", "c74f20a3", "PeterNeumann+c74f20a3")
    for i in range(len(PETER_KEY)):
        with pytest.raises(ValueError):
            note.parse_verifier_key(PETER_KEY[:i] + chr(ord(PETER_KEY[i]) + 1) + PETER_KEY[i + 1 :])
        with pytest.raises(ValueError):
            note.parse_verifier_key(PETER_KEY[:i])
    with pytest.raises(ValueError):
        note.parse_verifier_key("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")


def test_go_notes():
    peter, enoch = note.parse_verifier_key(PETER_KEY), note.parse_verifier_key(ENOCH_KEY)
    assert note.open_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, peter) == TEXT
    assert note.open_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, enoch) == TEXT
    with pytest.raises(note.UnsignedByKey, match=r"not signed by key EnochRoot\+af0cfe78"):
        note.open_note(TEXT + "\n" + PETER_SIG, enoch)
    with pytest.raises(note.NoteFailure, match="does not verify"):
        note.open_note(TEXT + "\n" + PETER_SIG[:58] + "ABCD" + PETER_SIG[58:], peter)
    for bad in (
        TEXT,
        TEXT + "\n",
        TEXT + "\n" + PETER_SIG[:-1],
        "\x01" + TEXT + "\n" + PETER_SIG,
        TEXT + "\n" + PETER_SIG.replace("PeterNeumann", "Bad Name"),
        TEXT + "\n" + PETER_SIG + "Unexpected line.\n",
        TEXT + "\n" + PETER_SIG.replace("\u2014", "-"),
    ):
        with pytest.raises(note.NoteFailure):
            note.open_note(bad, peter)


def test_checkpoints():
    private, key_id, vkey = make_key()
    verifier = note.parse_verifier_key(vkey)
    root = hashlib.sha256(b"root").digest()
    body = f"registry.test/ledger\n42\n{base64.b64encode(root).decode()}\n"

    assert note.open_checkpoint(sign(private, key_id, body), verifier) == note.Checkpoint(
        "registry.test/ledger", 42, root
    )
    for bad in (
        body.replace("\n42\n", "\n042\n"),
        body.replace("\n42\n", "\n-42\n"),
        body + "extension\n",
        "registry.test/ledger\n42\n" + base64.b64encode(root[:31]).decode() + "\n",
    ):
        with pytest.raises(note.NoteFailure):
            note.open_checkpoint(sign(private, key_id, bad), verifier)
    with pytest.raises(note.NoteFailure, match="does not verify"):
        note.open_checkpoint(sign(private, key_id, body).replace("\n42\n", "\n43\n"), verifier)
    other, other_id, _ = make_key()
    with pytest.raises(note.UnsignedByKey):
        note.open_checkpoint(sign(other, other_id, body), verifier)
