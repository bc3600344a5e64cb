"""The standalone auditor (auditor/, no Django) against this registry, live over HTTP.

Each test runs ``python -m carboncred_auditor`` as a separate process, as a buyer or an NGO would,
against pytest-django's live server. The honest registry passes; a malicious operator with database
superuser access — who switches the append-only triggers off, and in some tests holds the signing
key too — is caught, each time with the reason the auditor prints.
"""

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from ledger import notes
from ledger.audit import ledger_verify
from ledger.services import checkpoint_create
from ledger.signing import KeyRing, key_ring
from tests.accounts.factories import UserFactory
from tests.certificates.factories import retire
from tests.ledger.factories import checkpoint_made, issue, signed_note
from tests.ledger.tamper import recompute_checkpoints, rewrite_from, triggers_off, truncate_after
from tests.ledger.test_chain import make_entries

# Each test starts the auditor as a process, a few times: a second or more each.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

AUDITOR_SOURCE = Path(__file__).resolve().parents[2] / "auditor" / "src"


def audit(live_server, state: Path, *args: str) -> tuple[int, str]:
    """Run the auditor in its own process; its exit status and everything it printed."""
    env = {**os.environ, "PYTHONPATH": str(AUDITOR_SOURCE), "NO_PROXY": "*", "no_proxy": "*"}
    done = subprocess.run(  # noqa: S603 - our own interpreter and package, fixed arguments
        [sys.executable, "-m", "carboncred_auditor", live_server.url, "--state", str(state), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=state.parent,
        timeout=120,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr


@pytest.fixture
def own_key(settings, tmp_path):
    path = tmp_path / "registry-signing.pem"
    path.write_bytes(notes.private_key_pem(notes.generate_private_key()))
    settings.LEDGER_SIGNING_KEY_FILE = path
    settings.LEDGER_SIGNING_KEY_GENERATE = False
    return path


@pytest.fixture
def state(tmp_path) -> Path:
    return tmp_path / "auditor" / "state.json"


@pytest.fixture
def pinned(live_server, state, own_key):
    """An auditor that pinned checkpoint 20 of an honest registry."""
    state.parent.mkdir()
    make_entries(20)
    checkpoint_create()
    code, output = audit(live_server, state)
    assert code == 0, output
    assert json.loads(state.read_text())["size"] == 20
    return json.loads(state.read_text())


def edit_quantity(canonical: str) -> str:
    """Entry 3 retired one kilogram; make it five."""
    return canonical.replace('"quantity_kg":1,', '"quantity_kg":5,', 1)


def test_an_honest_registry_passes_and_each_run_pins_the_newer_checkpoint(live_server, state, own_key):
    state.parent.mkdir()
    make_entries(5)
    checkpoint_create()

    code, output = audit(live_server, state)

    assert code == 0, output
    assert "First run: trusting the registry's key" in output and "Pinned checkpoint 5" in output
    saved = json.loads(state.read_text())
    assert saved["key"] == key_ring().verifier.encoded() and saved["origin"] == key_ring().origin

    make_entries(4)
    checkpoint_create()
    code, output = audit(live_server, state, "--mirror")

    assert code == 0, output
    assert "Checkpoint 9 extends the pinned checkpoint 5 (consistency proof verified)" in output
    assert "Mirror: 9 entries re-hashed" in output
    assert json.loads(state.read_text())["size"] == 9


def test_a_retirement_certificate_is_proved_included_in_the_signed_log(live_server, state, own_key):
    state.parent.mkdir()
    organization = UserFactory.create().organization
    block = issue(owner=organization, quantity_kg=1000, buffer_share=Decimal(0)).owner_block
    make_entries(3)
    certificate = retire(organization=organization, block=block, quantity_kg=250)  # checkpointed on commit

    code, output = audit(live_server, state, "--certificate", certificate.public_id)

    assert code == 0, output
    assert f"Certificate {certificate.public_id}: retirement entry 5 is included in signed checkpoint" in output


def test_a_key_holder_who_rewrites_history_and_recomputes_everything_is_caught(live_server, state, pinned):
    # The operator, with superuser access and the signing key, edits entry 3 and recomputes every
    # later hash, the head, every checkpoint, Merkle node and signature: nothing inside the database
    # can tell any more.
    rewrite_from(3, edit=edit_quantity)
    recompute_checkpoints()
    assert ledger_verify().ok

    code, output = audit(live_server, state)

    assert code == 1, output
    assert f"INCONSISTENT: checkpoint 20 changed its root from {pinned['root']}" in output
    assert "the log was rewritten" in output

    # The registry goes on: new entries, a new checkpoint, validly signed. It cannot prove that it
    # extends the checkpoint the auditor pinned.
    make_entries(3)
    checkpoint_create()
    code, output = audit(live_server, state)

    assert code == 1, output
    assert "INCONSISTENT: checkpoint 23 is not consistent with pinned checkpoint 20: the log was rewritten" in output
    assert f"you pinned {pinned['root']}" in output
    assert json.loads(state.read_text()) == pinned, "a failed run pins nothing"


def test_a_signature_over_other_data_is_caught(live_server, state, pinned):
    make_entries(4)
    latest = checkpoint_made()
    # Without the key: the operator changes the stored root; the note still signs the old one.
    with triggers_off() as cursor:
        cursor.execute("UPDATE ledger_checkpoint SET root = %s WHERE size = %s", [bytes(32), latest.size])

    code, output = audit(live_server, state)

    assert code == 1, output
    assert f"checkpoint {latest.size}: the signed note says size {latest.size} and root {latest.root_hex}" in output
    assert "the signature is over other data" in output

    # Editing the note to match breaks its signature.
    origin = key_ring().origin
    body = notes.checkpoint_text(origin=origin, size=latest.size, root=bytes(latest.root))
    forged = signed_note(latest).replace(body, notes.checkpoint_text(origin=origin, size=latest.size, root=bytes(32)))
    assert forged != latest.note
    with triggers_off() as cursor:
        cursor.execute("UPDATE ledger_checkpoint SET note = %s WHERE size = %s", [forged, latest.size])

    code, output = audit(live_server, state)

    assert code == 1, output
    assert f"checkpoint {latest.size}: the signature does not verify with key {key_ring().verifier.label}" in output


def test_a_truncated_log_is_caught(live_server, state, pinned):
    checkpoint_create()  # nothing new: still 20
    truncate_after(12)

    code, output = audit(live_server, state)

    assert code == 1, output
    assert "INCONSISTENT: the registry lists no checkpoint, but you pinned checkpoint 20" in output

    # With a checkpoint of the shorter log, the same verdict in the words for a shrunk log.
    checkpoint_create()
    code, output = audit(live_server, state)

    assert code == 1, output
    assert "INCONSISTENT: the log shrank from 20 to 12 entries (truncated)" in output


def test_checkpoints_signed_by_an_unknown_key_are_caught(live_server, state, pinned, settings, tmp_path):
    # Without the registry's key, the operator re-signs with a key of its own, first leaving the
    # published key as it is ...
    genuine = key_ring()
    impostor = notes.Signer(name=genuine.origin, private_key=notes.generate_private_key())
    recompute_checkpoints(ring=KeyRing(origin=genuine.origin, signer=impostor, cosigners=(), previous=()))

    code, output = audit(live_server, state)

    assert code == 1, output
    assert f"checkpoint 20: the note is not signed by key {genuine.verifier.label}" in output
    assert f"it is signed by {impostor.verifier.label}" in output

    # ... then publishing its own key as the registry's: the auditor trusts the key it pinned.
    path = tmp_path / "impostor.pem"
    path.write_bytes(notes.private_key_pem(impostor.private_key))
    settings.LEDGER_SIGNING_KEY_FILE = path

    code, output = audit(live_server, state)

    assert code == 1, output
    assert (
        "INCONSISTENT: the signing key changed: checkpoint 20 is not signed by the key you trust "
        f"({genuine.verifier.label})"
    ) in output
    assert f"the registry now publishes {impostor.verifier.label}" in output


def test_a_key_rotation_announced_and_cosigned_keeps_auditors_passing(live_server, state, pinned, settings, tmp_path):
    old_file, old = settings.LEDGER_SIGNING_KEY_FILE, key_ring().verifier
    new_file = tmp_path / "next-signing.pem"
    new_file.write_bytes(notes.private_key_pem(notes.generate_private_key()))
    # The transition: the new key signs and is published; the old key cosigns every new checkpoint.
    settings.LEDGER_SIGNING_KEY_FILE = new_file
    settings.LEDGER_COSIGNING_KEY_FILES = [old_file]
    new = key_ring().verifier
    make_entries(2)
    checkpoint_create()

    code, output = audit(live_server, state)

    assert code == 0, output
    assert f"Warning: the registry now publishes key {new.label}; checkpoint 22 is still signed by the key" in output

    code, output = audit(live_server, state, "--key", new.encoded(), "--accept-key-change")

    assert code == 0, output
    assert json.loads(state.read_text())["key"] == new.encoded()

    # The transition ends: the old key only published, no longer signing.
    settings.LEDGER_COSIGNING_KEY_FILES = []
    settings.LEDGER_PREVIOUS_PUBLIC_KEYS = [old.encoded()]
    make_entries(2)
    checkpoint_create()

    code, output = audit(live_server, state)

    assert code == 0, output
    assert ledger_verify().ok
