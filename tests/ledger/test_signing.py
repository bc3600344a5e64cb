"""The checkpoint signing keys (files outside the database), their rotation, and ledger_verify's
check of every stored signature."""

import stat

import pytest
from django.core.exceptions import ImproperlyConfigured

from core.conf import ledger_origin
from ledger import notes
from ledger.audit import ledger_verify
from ledger.checks import signing_keys_check
from ledger.models import Checkpoint
from ledger.services import checkpoint_create
from ledger.signing import key_ring
from tests.ledger.factories import checkpoint_made, signed_note
from tests.ledger.tamper import recompute_checkpoints, rewrite_from, triggers_off
from tests.ledger.test_chain import make_entries


def key_file(path, key=None):
    path.write_bytes(notes.private_key_pem(key or notes.generate_private_key()))
    return path


@pytest.fixture
def own_key(settings, tmp_path):
    """A signing key of the test's own, as production configures one (LEDGER_SIGNING_KEY_FILE)."""
    settings.LEDGER_SIGNING_KEY_FILE = key_file(tmp_path / "signing.pem")
    settings.LEDGER_SIGNING_KEY_GENERATE = False
    return settings.LEDGER_SIGNING_KEY_FILE


@pytest.mark.parametrize(
    ("configured", "public_base_url", "expected"),
    [
        (None, "https://registry.example.com", "registry.example.com/ledger"),
        (None, "http://127.0.0.1:8000", "127.0.0.1:8000/ledger"),
        (None, "https://Registry.Example.com/some/path", "registry.example.com/ledger"),
        ("carbon.example/log", "https://registry.example.com", "carbon.example/log"),
    ],
)
def test_the_origin_is_configured_or_derived_from_the_public_address(configured, public_base_url, expected):
    assert ledger_origin(configured, public_base_url=public_base_url) == expected


@pytest.mark.parametrize("bad", ["registry example/ledger", "registry+example/ledger", "/ledger", "a\tb"])
def test_an_origin_that_cannot_name_a_key_is_refused_at_startup(bad):
    with pytest.raises(ValueError, match="LEDGER_ORIGIN"):
        ledger_origin(bad, public_base_url="https://registry.example.com")


def test_without_a_configured_file_a_key_is_generated_once_private_and_reused(settings, tmp_path):
    settings.LEDGER_SIGNING_KEY_FILE = tmp_path / "var" / "ledger_signing_key.pem"
    settings.LEDGER_SIGNING_KEY_GENERATE = True

    first = key_ring().verifier
    settings.LEDGER_ORIGIN = "other.example/ledger"  # any change of these settings reloads the keys
    settings.LEDGER_ORIGIN = "registry.example/ledger"
    again = key_ring().verifier

    assert first.public_key == again.public_key
    assert stat.S_IMODE(settings.LEDGER_SIGNING_KEY_FILE.stat().st_mode) == 0o600


def test_a_configured_key_file_is_used_and_never_replaced(settings, own_key):
    expected = notes.public_key_bytes(notes.load_private_key(own_key.read_bytes()))

    assert key_ring().verifier.public_key == expected


def test_a_missing_or_broken_key_file_is_a_configuration_error_the_system_check_reports(settings, tmp_path):
    settings.LEDGER_SIGNING_KEY_GENERATE = False
    settings.LEDGER_SIGNING_KEY_FILE = tmp_path / "missing.pem"
    with pytest.raises(ImproperlyConfigured, match="does not exist"):
        key_ring()
    assert [error.id for error in signing_keys_check()] == ["ledger.E001"]
    assert not settings.LEDGER_SIGNING_KEY_FILE.exists(), "a configured key is never generated"

    settings.LEDGER_SIGNING_KEY_FILE = tmp_path / "broken.pem"
    settings.LEDGER_SIGNING_KEY_FILE.write_bytes(b"not a key")
    with pytest.raises(ImproperlyConfigured, match="cannot read"):
        key_ring()

    settings.LEDGER_SIGNING_KEY_FILE = key_file(tmp_path / "good.pem")
    assert signing_keys_check() == []


def test_previous_public_keys_must_be_verifier_keys(settings, own_key):
    settings.LEDGER_PREVIOUS_PUBLIC_KEYS = ["registry.example/ledger+0000+nonsense"]

    with pytest.raises(ImproperlyConfigured, match="LEDGER_PREVIOUS_PUBLIC_KEYS"):
        key_ring()


@pytest.mark.django_db
def test_a_new_checkpoint_is_signed_by_the_current_key_for_its_size_and_root(own_key):
    make_entries(6)

    checkpoint = checkpoint_made()

    head = notes.open_checkpoint(signed_note(checkpoint), key_ring().verifier, origin=key_ring().origin)
    assert (head.size, head.root) == (6, bytes(checkpoint.root))
    assert Checkpoint.objects.get(size=6).note == checkpoint.note


@pytest.mark.django_db
def test_during_a_rotation_checkpoints_are_cosigned_and_both_keys_are_published(
    settings, tmp_path, own_key, api_client
):
    old_file = key_file(tmp_path / "old.pem")
    old = notes.Signer(name=settings.LEDGER_ORIGIN, private_key=notes.load_private_key(old_file.read_bytes()))
    retired = notes.Signer(name=settings.LEDGER_ORIGIN, private_key=notes.generate_private_key())
    settings.LEDGER_COSIGNING_KEY_FILES = [old_file]
    settings.LEDGER_PREVIOUS_PUBLIC_KEYS = [retired.verifier.encoded()]
    make_entries(4)

    checkpoint = checkpoint_made()
    published = api_client.get("/api/ledger/public-key/").json()

    current = key_ring().verifier
    for verifier in (current, old.verifier):  # an auditor pinned to either key verifies it
        assert notes.open_checkpoint(signed_note(checkpoint), verifier).size == 4
    with pytest.raises(notes.UnknownKeyError):
        notes.open_checkpoint(signed_note(checkpoint), retired.verifier)
    assert published["public_key"] == current.encoded()
    assert published["previous_keys"] == [
        {"key_id": old.verifier.key_id_hex, "public_key": old.verifier.encoded()},
        {"key_id": retired.verifier.key_id_hex, "public_key": retired.verifier.encoded()},
    ]


# --- ledger_verify checks every stored signature -------------------------------------------------


@pytest.mark.django_db
def test_verify_counts_the_signatures_it_checked(own_key):
    make_entries(3)
    checkpoint_create()
    make_entries(2)
    checkpoint_create()

    report = ledger_verify()

    assert report.ok, report.problems
    assert (report.signatures_checked, report.unsigned_checkpoints) == (2, 0)


@pytest.mark.django_db
def test_verify_trusts_checkpoints_signed_by_a_previous_key_after_a_rotation(settings, tmp_path, own_key):
    make_entries(3)
    checkpoint_create()
    before = key_ring().verifier.encoded()
    settings.LEDGER_SIGNING_KEY_FILE = key_file(tmp_path / "new.pem")
    make_entries(2)
    checkpoint_create()

    assert not ledger_verify().ok, "the old key is no longer known"
    settings.LEDGER_PREVIOUS_PUBLIC_KEYS = [before]
    report = ledger_verify()
    assert report.ok and report.signatures_checked == 2, report.problems


@pytest.mark.django_db
def test_verify_counts_checkpoints_stored_before_signing(own_key):
    make_entries(3)
    legacy = checkpoint_made()
    with triggers_off() as cursor:  # as migration 0005 leaves older checkpoints
        cursor.execute("UPDATE ledger_checkpoint SET note = NULL WHERE size = %s", [legacy.size])
    make_entries(2)
    checkpoint_create()

    report = ledger_verify()

    assert report.ok, report.problems
    assert (report.signatures_checked, report.unsigned_checkpoints) == (1, 1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("tamper", "problem"),
    [
        # A signature over other data: the note still signs the old root.
        ("UPDATE ledger_checkpoint SET note = replace(note, '\n5\n', '\n4\n') WHERE size = 5", "does not verify"),
        ("UPDATE ledger_checkpoint SET note = 'garbage' WHERE size = 5", "does not verify"),
        ("UPDATE ledger_checkpoint SET note = NULL WHERE size = 5", "has no signed note"),
    ],
)
def test_verify_reports_a_tampered_note(own_key, tamper, problem):
    make_entries(3)
    checkpoint_create()
    make_entries(2)
    checkpoint_create()
    with triggers_off() as cursor:
        cursor.execute(tamper)

    report = ledger_verify()

    assert not report.ok
    assert any(problem in p and "checkpoint 5" in p for p in report.problems), report.problems
    assert report.first_bad_seq is None, "the entries themselves are sound"


@pytest.mark.django_db
def test_verify_reports_a_note_signing_another_root_and_one_by_an_unknown_key(settings, own_key):
    make_entries(5)
    checkpoint = checkpoint_made()
    other_root = bytes(32)
    with triggers_off() as cursor:
        cursor.execute(
            "UPDATE ledger_checkpoint SET note = %s WHERE size = 5",
            [key_ring().sign_checkpoint(size=5, root=other_root)],
        )
    assert any("not the stored size 5 and root" in p for p in ledger_verify().problems)

    stranger = notes.Signer(name=settings.LEDGER_ORIGIN, private_key=notes.generate_private_key())
    with triggers_off() as cursor:
        cursor.execute(
            "UPDATE ledger_checkpoint SET note = %s WHERE size = 5",
            [
                notes.sign_checkpoint(
                    origin=settings.LEDGER_ORIGIN, size=5, root=bytes(checkpoint.root), signer=stranger
                )
            ],
        )
    problems = ledger_verify().problems
    assert any("is not signed by" in p for p in problems), problems


@pytest.mark.django_db
def test_a_rewrite_by_the_key_holder_passes_verify_inside_the_database(own_key):
    """Why outsiders need pinned checkpoints: an operator who holds the key and the database can make
    every internal check pass again (the auditor's live tests show it caught from outside)."""
    make_entries(6)
    checkpoint_create()
    rewrite_from(2, edit=lambda canonical: canonical.replace('"quantity_kg":1', '"quantity_kg":7', 1))
    assert not ledger_verify().ok

    recompute_checkpoints()

    assert ledger_verify().ok
