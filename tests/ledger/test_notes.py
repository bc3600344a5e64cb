"""C2SP signed notes and checkpoints, checked against Go's implementation (golang.org/x/mod/sumdb/note)."""

import base64
import os
import re
import stat

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from ledger import merkle, notes

# Vectors of golang.org/x/mod/sumdb/note, note_test.go (TestNewVerifier, TestNewSigner, TestSign,
# TestOpen): a signer key, its verifier key, a second verifier key and the signed note they give.
GO_SIGNER_KEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_PETER_KEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_ENOCH_KEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
GO_PETER_SIG = (
    "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)
GO_ENOCH_SIG = (
    "\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n"
)
GO_SIGNED = GO_TEXT + "\n" + GO_PETER_SIG

# The example checkpoint of c2sp.org/tlog-checkpoint.
C2SP_CHECKPOINT_TEXT = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"

ORIGIN = "carboncred.example/ledger"


@pytest.fixture
def signer():
    return notes.Signer(name=ORIGIN, private_key=notes.generate_private_key())


def _mangled(text):
    """Every proper substring and every one-character change of ``text`` (Go's manglings)."""
    for i in range(len(text) + 1):
        for j in range(i + 1, len(text) + 1):
            if (i, j) != (0, len(text)):
                yield text[i:j]
    for i in range(len(text)):
        yield text[:i] + chr(ord(text[i]) + 1) + text[i + 1 :]


# Keys -------------------------------------------------------------------------------------------


def test_go_verifier_key_parses_and_re_encodes():
    verifier = notes.parse_verifier_key(GO_PETER_KEY)
    assert verifier.name == "PeterNeumann"
    assert verifier.key_id_hex == "c74f20a3"
    assert verifier.encoded() == GO_PETER_KEY


def test_go_signer_key_gives_the_go_verifier_key():
    signer = notes.parse_signer_key(GO_SIGNER_KEY)
    assert signer.verifier.encoded() == GO_PETER_KEY
    assert notes.key_id("PeterNeumann", signer.verifier.public_key).hex() == "c74f20a3"


def test_mangled_verifier_keys_are_refused():
    for mangled in _mangled(GO_PETER_KEY):
        with pytest.raises(ValueError):
            notes.parse_verifier_key(mangled)
    with pytest.raises(ValueError):  # wrong key length, with adjusted key hash
        notes.parse_verifier_key("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==")
    with pytest.raises(ValueError):  # unknown algorithm, with adjusted key hash
        notes.parse_verifier_key("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")


def test_mangled_signer_keys_are_refused():
    for mangled in _mangled(GO_SIGNER_KEY):
        with pytest.raises(ValueError):
            notes.parse_signer_key(mangled)


def test_key_names_follow_the_spec():
    key = notes.public_key_bytes(notes.generate_private_key())
    for bad in ("", "a+b", "a b", "a\u00a0b", "a\tb", "a\nb"):
        with pytest.raises(ValueError, match="not a valid key name"):
            notes.Verifier(name=bad, public_key=key)
    with pytest.raises(ValueError, match="32 bytes"):
        notes.Verifier(name="ok", public_key=key[:31])


def test_private_keys_load_from_pem_and_from_a_raw_seed():
    key = notes.generate_private_key()
    seed = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    public = notes.public_key_bytes(key)

    assert notes.public_key_bytes(notes.load_private_key(notes.private_key_pem(key))) == public
    assert notes.public_key_bytes(notes.load_private_key(seed)) == public
    with pytest.raises(ValueError, match="PEM file or a 32-byte seed"):
        notes.load_private_key(seed[:31])
    ec_pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(ValueError, match="not an Ed25519 private key"):
        notes.load_private_key(ec_pem)


def test_a_key_file_is_created_once_private_and_then_reused(tmp_path):
    path = tmp_path / "var" / "ledger_signing_key.pem"
    with pytest.raises(FileNotFoundError):
        notes.private_key_from_file(path)

    first = notes.private_key_from_file(path, create=True)
    again = notes.private_key_from_file(path, create=True)

    assert notes.public_key_bytes(first) == notes.public_key_bytes(again)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert [p.name for p in path.parent.iterdir()] == [path.name], "no temporary file left behind"


# Notes ------------------------------------------------------------------------------------------


def test_signing_reproduces_go_byte_for_byte():
    assert notes.sign_note(GO_TEXT, notes.parse_signer_key(GO_SIGNER_KEY)) == GO_SIGNED


def test_go_notes_open():
    peter, enoch = notes.parse_verifier_key(GO_PETER_KEY), notes.parse_verifier_key(GO_ENOCH_KEY)
    both = GO_TEXT + "\n" + GO_PETER_SIG + GO_ENOCH_SIG

    assert notes.open_note(GO_SIGNED, peter) == GO_TEXT
    assert notes.open_note(GO_SIGNED.encode(), peter) == GO_TEXT
    assert notes.open_note(both, peter) == GO_TEXT, "a signature by an unknown key is ignored"
    assert notes.open_note(both, enoch) == GO_TEXT
    assert notes.open_note(both, [peter, enoch]) == GO_TEXT
    assert notes.open_note(GO_TEXT + "\n" + GO_PETER_SIG * 2 + GO_ENOCH_SIG * 2, peter) == GO_TEXT
    with pytest.raises(notes.UnknownKeyError, match=r"not signed by \(none\)"):
        notes.open_note(both, [])


def test_a_note_signed_by_another_key_names_both_keys():
    peter, enoch = notes.parse_verifier_key(GO_PETER_KEY), notes.parse_verifier_key(GO_ENOCH_KEY)
    with pytest.raises(notes.UnknownKeyError, match=r"not signed by EnochRoot\+af0cfe78.*PeterNeumann\+c74f20a3"):
        notes.open_note(GO_SIGNED, enoch)
    # The same name with another key ID (Go's "wrongHash") and another name with the same ID are unknown keys.
    with pytest.raises(notes.UnknownKeyError):
        notes.open_note(GO_SIGNED.replace("x08g", "xxxx"), peter)
    with pytest.raises(notes.UnknownKeyError):
        notes.open_note(GO_SIGNED.replace("PeterNeumann", "CarmenSandiego"), peter)


def test_a_bad_signature_by_the_expected_key_rejects_the_note():
    peter = notes.parse_verifier_key(GO_PETER_KEY)
    # Go's "Invalid signature" probe (it inserts at byte 60; the em dash is 3 bytes in UTF-8).
    tampered_sig = GO_PETER_SIG[:58] + "ABCD" + GO_PETER_SIG[58:]
    with pytest.raises(notes.InvalidSignatureError, match=r"PeterNeumann\+c74f20a3 does not verify"):
        notes.open_note(GO_TEXT + "\n" + tampered_sig, peter)
    with pytest.raises(notes.InvalidSignatureError):
        notes.open_note(GO_TEXT.replace("cryptography", "blockchain") + "\n" + GO_PETER_SIG, peter)
    with pytest.raises(notes.InvalidSignatureError):  # one good signature does not excuse a bad one
        notes.open_note(GO_SIGNED + tampered_sig, peter)


@pytest.mark.parametrize(
    "message",
    [
        GO_TEXT,
        GO_TEXT + "\n",
        GO_TEXT + "\n" + GO_PETER_SIG[:-1],
        "\x01" + GO_TEXT + "\n" + GO_PETER_SIG,
        GO_TEXT + "\n" + GO_PETER_SIG.replace("PeterNeumann", "Bad Name")[:-1],
        GO_TEXT + "\n" + GO_PETER_SIG + "Unexpected line.\n",
        GO_TEXT + "\n" + GO_PETER_SIG + "\n",
        GO_TEXT + "\n" + GO_PETER_SIG.replace("\u2014", "-"),
        GO_TEXT + "\n" + GO_PETER_SIG.replace("AM=", "AM"),
        GO_TEXT + "\n" + "\u2014 PeterNeumann AAAA\n",
        GO_TEXT + "\n" + GO_PETER_SIG.replace("\n", "\r\n"),
        GO_TEXT + "\n" + GO_PETER_SIG * (notes.MAX_SIGNATURES + 1),
    ],
    ids=[
        "no signatures",
        "blank line only",
        "no final newline",
        "control character",
        "space in name",
        "trailing line",
        "trailing blank line",
        "hyphen for em dash",
        "bad padding",
        "signature too short",
        "carriage return",
        "too many signatures",
    ],
)
def test_malformed_notes_are_refused(message):
    with pytest.raises(notes.MalformedNoteError):
        notes.open_note(message, notes.parse_verifier_key(GO_PETER_KEY))


def test_invalid_utf8_is_refused():
    with pytest.raises(notes.MalformedNoteError, match="UTF-8"):
        notes.open_note(b"\xff" + GO_SIGNED.encode(), notes.parse_verifier_key(GO_PETER_KEY))
    with pytest.raises(notes.MalformedNoteError, match="UTF-8"):
        notes.open_note("\ud800" + GO_SIGNED, notes.parse_verifier_key(GO_PETER_KEY))


def test_note_text_must_end_with_a_newline(signer):
    with pytest.raises(notes.MalformedNoteError, match="newline"):
        notes.sign_note("abc", signer)


# Checkpoints ------------------------------------------------------------------------------------


def test_checkpoint_body_and_signature_line_are_exactly_as_specified(signer):
    root = merkle.root_of([merkle.leaf_hash(b"entry")])
    note = notes.sign_checkpoint(origin=ORIGIN, size=1, root=root, signer=signer)

    body, signature_line = note.split("\n\n")
    assert body + "\n" == f"{ORIGIN}\n1\n{base64.b64encode(root).decode()}\n"
    assert signature_line.startswith(f"\u2014 {ORIGIN} ")
    raw = base64.b64decode(signature_line.split(" ")[2])
    assert raw[:4] == notes.key_id(ORIGIN, signer.verifier.public_key)
    assert len(raw) == 4 + 64
    assert note.endswith("\n") and note.count("\n") == 5


def test_checkpoints_round_trip(signer):
    root = merkle.root_of([merkle.leaf_hash(bytes([i])) for i in range(10)])
    note = notes.sign_checkpoint(origin=ORIGIN, size=10, root=root, signer=signer)

    head = notes.open_checkpoint(note, signer.verifier, origin=ORIGIN)

    assert head == notes.TreeHead(origin=ORIGIN, size=10, root=root)
    verifier = notes.parse_verifier_key(signer.verifier.encoded())
    assert notes.open_checkpoint(note, verifier) == head
    assert (
        notes.open_checkpoint(
            notes.sign_checkpoint(origin=ORIGIN, size=0, root=merkle.EMPTY_ROOT, signer=signer), verifier
        ).size
        == 0
    )


def test_a_checkpoint_altered_after_signing_is_refused(signer):
    root = merkle.root_of([merkle.leaf_hash(bytes([i])) for i in range(10)])
    note = notes.sign_checkpoint(origin=ORIGIN, size=10, root=root, signer=signer)
    other_root = base64.b64encode(merkle.EMPTY_ROOT).decode()

    for altered in (
        note.replace("\n10\n", "\n11\n"),
        note.replace(base64.b64encode(root).decode(), other_root),
        note.replace(ORIGIN + "\n", "carboncred.example/other\n", 1),
    ):
        with pytest.raises(notes.InvalidSignatureError):
            notes.open_checkpoint(altered, signer.verifier)


def test_a_checkpoint_for_another_origin_or_key_is_refused(signer):
    note = notes.sign_checkpoint(origin=ORIGIN, size=1, root=merkle.EMPTY_ROOT, signer=signer)
    impostor = notes.Signer(name=ORIGIN, private_key=notes.generate_private_key())

    with pytest.raises(notes.OriginMismatchError, match="for origin"):
        notes.open_checkpoint(note, signer.verifier, origin="carboncred.example/other")
    with pytest.raises(notes.UnknownKeyError, match=f"not signed by {re.escape(impostor.verifier.label)};"):
        notes.open_checkpoint(note, impostor.verifier)


def test_a_checkpoint_cosigned_during_a_key_rotation_opens_with_either_key(signer):
    new = notes.Signer(name=ORIGIN, private_key=notes.generate_private_key())
    note = notes.sign_checkpoint(origin=ORIGIN, size=1, root=merkle.EMPTY_ROOT, signer=signer, cosigners=[new])

    assert notes.open_checkpoint(note, signer.verifier).size == 1
    assert notes.open_checkpoint(note, new.verifier).size == 1


def test_the_c2sp_example_checkpoint_parses():
    head = notes.parse_checkpoint(C2SP_CHECKPOINT_TEXT)
    assert head.origin == "example.com/behind-the-sofa"
    assert head.size == 20852163
    assert len(head.root) == 32 and not head.extensions


@pytest.mark.parametrize(
    "text",
    [
        "origin\n1\n",
        "origin\n01\n" + base64.b64encode(bytes(32)).decode() + "\n",
        "origin\n-1\n" + base64.b64encode(bytes(32)).decode() + "\n",
        "origin\n1 \n" + base64.b64encode(bytes(32)).decode() + "\n",
        "origin\n18446744073709551616\n" + base64.b64encode(bytes(32)).decode() + "\n",
        "origin\n1\n" + base64.b64encode(bytes(31)).decode() + "\n",
        "origin\n1\nnot base64!\n",
        "\n1\n" + base64.b64encode(bytes(32)).decode() + "\n",
        "origin\n1\n" + base64.b64encode(bytes(32)).decode(),
        "origin\n1\n" + base64.b64encode(bytes(32)).decode() + "\n\n",
    ],
    ids=["two lines", "leading zero", "negative", "space", "beyond uint64", "short root", "bad base64", "no origin",
         "no final newline", "empty extension line"],
)  # fmt: skip
def test_malformed_checkpoint_bodies_are_refused(text):
    with pytest.raises(notes.MalformedNoteError):
        notes.parse_checkpoint(text)


def test_checkpoint_text_refuses_what_it_could_not_parse_back():
    with pytest.raises(ValueError):
        notes.checkpoint_text(origin="two\nlines", size=1, root=bytes(32))
    with pytest.raises(ValueError):
        notes.checkpoint_text(origin=ORIGIN, size=-1, root=bytes(32))
    with pytest.raises(ValueError):
        notes.checkpoint_text(origin=ORIGIN, size=1, root=bytes(31))
