"""The auditor against a fake registry over HTTP: honest operation, forgeries by a key holder, outages."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from carboncred_auditor import cli

SRC = Path(__file__).resolve().parents[1] / "src"


@pytest.fixture
def state(tmp_path):
    return tmp_path / "carboncred.state.json"


def run(capsys, url, state, *args):
    code = cli.main([url, "--state", str(state), *args])
    out, err = capsys.readouterr()
    return code, out, err


def pinned(state):
    return json.loads(state.read_text())


def pin(capsys, registry, state, entries=10):
    registry.append(entries)
    registry.checkpoint()
    code, _, err = run(capsys, registry.url, state)
    assert code == 0, err
    return pinned(state)


# Honest operation -------------------------------------------------------------------------------


def test_the_first_run_pins_the_latest_signed_checkpoint(capsys, registry, state):
    registry.append(7)
    registry.checkpoint()
    registry.append(3)
    registry.checkpoint()

    code, out, err = run(capsys, registry.url, state)

    assert (code, err) == (0, "")
    assert "First run: trusting the registry's key" in out
    assert "Checkpoint 10" in out and "signature verified" in out
    saved = pinned(state)
    assert saved["size"] == 10
    assert saved["root"] == registry.root(10).hex()
    assert saved["key"] == registry.signer.verifier.encoded()
    assert saved["origin"] == registry.origin
    assert saved["note"] == registry.checkpoints[10]["note"]


def test_appending_entries_then_re_running_is_consistent(capsys, registry, state):
    pin(capsys, registry, state, entries=16)  # a power of two: the proof omits the old root
    for more in (9, 1, 38):
        registry.append(more)
        registry.checkpoint()
        code, out, err = run(capsys, registry.url, state)
        assert (code, err) == (0, ""), err
        assert f"extends the pinned checkpoint {pinned(state)['size'] - more}" in out.replace("\n", " ")
    assert pinned(state)["size"] == 64


def test_a_re_run_without_a_new_checkpoint_is_consistent(capsys, registry, state):
    pin(capsys, registry, state)
    registry.append(5)  # not checkpointed yet

    code, out, _ = run(capsys, registry.url, state)

    assert code == 0
    assert "No new checkpoint since the pinned checkpoint 10" in out


def test_no_checkpoint_yet_pins_nothing(capsys, registry, state):
    registry.append(3)
    code, out, _ = run(capsys, registry.url, state)
    assert code == 0
    assert "no checkpoint yet" in out
    assert not state.exists()


def test_mirror_re_hashes_every_entry_across_pages(capsys, registry, state):
    registry.append(450)  # three pages of 200
    registry.checkpoint()
    registry.append(20)

    code, out, err = run(capsys, registry.url, state, "--mirror")

    assert (code, err) == (0, "")
    assert "Mirror: 470 entries re-hashed, every link holds, and entries 1..450 give the signed root." in out
    assert sum("/api/ledger/entries/" in r for r in registry.requests) == 3


def test_a_certificate_is_proved_included_in_the_signed_checkpoint(capsys, registry, state):
    registry.append(5)
    registry.retire("CERT-1")
    code, out, err = run(capsys, registry.url, state, "--certificate", "CERT-1")
    assert (code, err) == (0, "")
    assert "Certificate CERT-1: retirement entry 6 is included in signed checkpoint 6." in out


def test_a_certificate_proved_in_an_older_checkpoint_is_linked_to_the_latest(capsys, registry, state):
    registry.append(5)
    registry.retire("CERT-1")  # proved in checkpoint 6
    registry.append(30)
    registry.checkpoint()  # the latest: 36
    registry.overrides["/api/ledger/entries/6/proof/"] = (200, registry._inclusion(6, 6))

    code, out, err = run(capsys, registry.url, state, "--certificate", "CERT-1")

    assert (code, err) == (0, ""), err
    assert "included in signed checkpoint 6" in out
    assert any(r.startswith("/api/ledger/consistency/?first=6&second=36") for r in registry.requests)


# Forgeries --------------------------------------------------------------------------------------


def test_a_rewritten_history_is_caught_by_the_pinned_checkpoint(capsys, registry, state):
    before = pin(capsys, registry, state, entries=10)
    registry.rewrite(3, quantity_kg=999_999)  # every hash, root and signature recomputed with the real key
    registry.append(5)
    registry.checkpoint()

    code, _, err = run(capsys, registry.url, state)

    assert code == 1
    assert "INCONSISTENT: checkpoint 15 is not consistent with pinned checkpoint 10: the log was rewritten" in err
    assert f"checkpoint 10 now has root {registry.root(10).hex()}; you pinned {before['root']}" in err
    assert pinned(state) == before, "a failed run keeps the pinned state"

    # Without a pin, the forgery is self-consistent: only a value kept outside the registry exposes it.
    code, _, _ = run(capsys, registry.url, state.with_name("fresh.json"), "--mirror")
    assert code == 0


def test_a_rewrite_without_new_entries_changes_the_pinned_root(capsys, registry, state):
    pin(capsys, registry, state)
    registry.rewrite(10, quantity_kg=1)

    code, _, err = run(capsys, registry.url, state)

    assert code == 1
    assert "checkpoint 10 changed its root from" in err and "the log was rewritten" in err


def test_a_registry_refusing_the_consistency_proof_fails(capsys, registry, state):
    pin(capsys, registry, state)
    registry.append(4)
    registry.checkpoint()
    registry.overrides["/api/ledger/consistency/"] = (400, {"detail": "first is not a checkpoint"})

    code, _, err = run(capsys, registry.url, state)

    assert code == 1
    assert "refuses to prove checkpoint 14 extends checkpoint 10 (HTTP 400: first is not a checkpoint)" in err


def test_a_forged_consistency_proof_fails(capsys, registry, state):
    pin(capsys, registry, state)
    registry.append(4)
    registry.checkpoint()
    proof = registry._ledger(["consistency"], {"first": "10", "second": "14"})[1]
    proof["proof"][0] = "00" * 32
    registry.overrides["/api/ledger/consistency/"] = (200, proof)

    code, _, err = run(capsys, registry.url, state)

    assert code == 1
    assert "checkpoint 14 is not consistent with pinned checkpoint 10" in err


def test_a_signature_over_other_data_fails(capsys, registry, state):
    registry.append(10)
    registry.checkpoint()
    detail = dict(registry.checkpoints[10])
    detail.pop("_at")
    other = registry._signed(9, registry.checkpoints[10]["_at"])
    detail["note"] = other["note"]  # a valid signature, by the right key, over checkpoint 9
    registry.overrides["/api/ledger/checkpoints/10/"] = (200, detail)

    code, _, err = run(capsys, registry.url, state)

    assert code == 1
    assert "checkpoint 10: the signed note says size 9" in err and "the signature is over other data" in err
    assert not state.exists()


def test_a_latest_checkpoint_without_a_note_fails(capsys, registry, state):
    registry.append(10)
    registry.checkpoint()
    detail = {k: v for k, v in registry.checkpoints[10].items() if k != "_at"}
    detail["note"] = None  # as the registry lists checkpoints stored before it signed them
    registry.overrides["/api/ledger/checkpoints/10/"] = (200, detail)

    code, _, err = run(capsys, registry.url, state)

    assert code == 1
    assert "checkpoint 10 carries no signed note" in err
    assert not state.exists()


def test_a_note_altered_after_signing_fails(capsys, registry, state):
    registry.append(10)
    registry.checkpoint()
    detail = {k: v for k, v in registry.checkpoints[10].items() if k != "_at"}
    detail["note"] = detail["note"].replace("\n10\n", "\n11\n")
    registry.overrides["/api/ledger/checkpoints/10/"] = (200, detail)

    code, _, err = run(capsys, registry.url, state)

    assert code == 1
    assert f"signature does not verify with key {registry.signer.verifier.label}" in err


def test_a_truncated_log_fails(capsys, registry, state):
    pin(capsys, registry, state, entries=20)
    registry.truncate(12)
    registry.checkpoint()

    code, _, err = run(capsys, registry.url, state)

    assert code == 1
    assert "the log shrank from 20 to 12 entries (truncated)" in err


def test_a_mirror_of_fewer_entries_than_the_checkpoint_fails(capsys, registry, state):
    registry.append(20)
    registry.checkpoint()
    page = registry._ledger(["entries"], {"page_size": "200"})[1]
    page["results"] = page["results"][:15]
    registry.overrides["/api/ledger/entries/"] = (200, page)

    code, _, err = run(capsys, registry.url, state, "--mirror")

    assert code == 1
    assert "the registry serves 15 entries, but checkpoint 20 covers 20: the log was truncated" in err


def test_a_mirror_finds_an_altered_entry(capsys, registry, state):
    registry.append(8)
    registry.checkpoint()
    registry.entries[3]["canonical"] = registry.entries[3]["canonical"].replace('"quantity_kg":40', '"quantity_kg":41')

    code, _, err = run(capsys, registry.url, state, "--mirror")

    assert code == 1
    assert "entry 4: its content hashes to" in err and "the entry was altered" in err


def test_a_mirror_finds_a_payload_shown_otherwise_than_hashed(capsys, registry, state):
    registry.append(8)
    registry.checkpoint()
    registry.entries[4]["payload"] = {**registry.entries[4]["payload"], "to": "666"}

    code, _, err = run(capsys, registry.url, state, "--mirror")

    assert code == 1
    assert "entry 5: the payload shown differs from the payload that was hashed" in err


def test_a_certificate_whose_proof_does_not_lead_to_the_root_fails(capsys, registry, state):
    registry.append(5)
    registry.retire("CERT-1")
    answer = registry._certificate("CERT-1")[1]
    answer["proof"]["audit_path"][0] = "11" * 32
    registry.overrides["/api/certificates/verify/CERT-1/"] = (200, answer)

    code, _, err = run(capsys, registry.url, state, "--certificate", "CERT-1")

    assert code == 1
    assert "certificate CERT-1: its ledger entry 6 is not included in checkpoint 6" in err


def test_a_certificate_the_registry_calls_invalid_fails(capsys, registry, state):
    registry.append(5)
    registry.retire("CERT-1")
    answer = registry._certificate("CERT-1")[1]
    answer["valid"] = False
    answer["checks"] = [{"name": "entry_hash", "ok": False, "detail": "The ledger entry has been altered."}]
    registry.overrides["/api/certificates/verify/CERT-1/"] = (200, answer)

    code, _, err = run(capsys, registry.url, state, "--certificate", "CERT-1")

    assert code == 1
    assert "reports certificate CERT-1 as not valid: The ledger entry has been altered." in err


# Keys -------------------------------------------------------------------------------------------


def test_a_key_change_fails_until_accepted(capsys, registry, state):
    before = pin(capsys, registry, state)
    registry.rotate_key()
    registry.append(5)
    registry.checkpoint()

    code, _, err = run(capsys, registry.url, state)

    assert code == 1
    assert "the signing key changed: checkpoint 15 is not signed by the key you trust" in err
    assert f"the registry now publishes {registry.signer.verifier.label}" in err
    assert "--accept-key-change" in err
    assert pinned(state) == before

    code, out, err = run(capsys, registry.url, state, "--accept-key-change")

    assert (code, err) == (0, "")
    assert "Key change accepted" in out and "extends the pinned checkpoint 10" in out
    assert pinned(state)["key"] == registry.signer.verifier.encoded()


def test_a_rewrite_under_a_new_key_still_fails_the_consistency_check(capsys, registry, state):
    pin(capsys, registry, state)
    registry.rotate_key()
    registry.rewrite(2, quantity_kg=5)
    registry.append(1)
    registry.checkpoint()

    code, _, err = run(capsys, registry.url, state, "--accept-key-change")

    assert code == 1
    assert "checkpoint 11 is not consistent with pinned checkpoint 10" in err


def test_a_cosigned_rotation_passes_and_keeps_the_trusted_key(capsys, registry, state):
    before = pin(capsys, registry, state)
    registry.rotate_key(cosign_with_old=True)
    registry.append(5)
    registry.checkpoint()

    code, out, err = run(capsys, registry.url, state)

    assert (code, err) == (0, "")
    assert "Warning: the registry now publishes key" in out
    assert pinned(state)["key"] == before["key"]
    assert pinned(state)["size"] == 15


def test_checkpoints_signed_by_an_unknown_key_fail(capsys, registry, state):
    registry.append(10)
    registry.checkpoint()
    impostor = registry.rotate_key()  # the registry publishes a new key, but its note carries another
    published = registry.signer

    code, _, err = run(capsys, registry.url, state)

    assert code == 1
    assert f"the note is not signed by key {published.verifier.label}" in err
    assert f"it is signed by {impostor.verifier.label}" in err


def test_an_expected_key_given_on_the_first_run_is_enforced(capsys, registry, state):
    registry.append(10)
    registry.checkpoint()
    genuine = registry.signer.verifier.encoded()

    assert run(capsys, registry.url, state.with_name("a.json"), "--key", genuine)[0] == 0

    registry.rotate_key()
    registry.checkpoint()
    code, _, err = run(capsys, registry.url, state.with_name("b.json"), "--key", genuine)
    assert code == 1
    assert "not signed by the key you trust" in err

    code, _, err = run(capsys, registry.url, state.with_name("c.json"), "--key", "not-a-key")
    assert code == 2
    assert "ERROR: --key:" in err


def test_the_published_key_id_must_match_the_key(capsys, registry, state):
    registry.append(1)
    registry.checkpoint()
    registry.overrides["/api/ledger/public-key/"] = (
        200,
        {"origin": registry.origin, "key_id": "00000000", "public_key": registry.signer.verifier.encoded()},
    )
    code, _, err = run(capsys, registry.url, state)
    assert code == 1
    assert "is not the ID of the key it publishes" in err


# Errors -----------------------------------------------------------------------------------------


def test_an_unreachable_registry_is_exit_2(capsys, state):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code, _, err = run(capsys, f"http://127.0.0.1:{port}", state, "--timeout", "5")
    assert code == 2
    assert f"ERROR: cannot reach http://127.0.0.1:{port}/api/ledger/public-key/" in err


def test_a_server_error_is_exit_2(capsys, registry, state):
    registry.append(1)
    registry.checkpoint()
    registry.overrides["/api/ledger/checkpoints/"] = (503, {"detail": "Down for maintenance."})
    code, _, err = run(capsys, registry.url, state)
    assert code == 2
    assert "answered HTTP 503: Down for maintenance." in err


def test_an_answer_that_is_not_json_is_exit_2(capsys, registry, state):
    registry.overrides["/api/ledger/public-key/"] = (200, b"<html>a login page</html>")
    code, _, err = run(capsys, registry.url, state)
    assert code == 2
    assert "did not answer JSON" in err


def test_usage_errors_are_exit_2(capsys, registry, state, tmp_path):
    assert run(capsys, "ftp://registry.example", state)[0] == 2
    with pytest.raises(SystemExit) as exit_:
        cli.main([registry.url])  # no --state
    assert exit_.value.code == 2
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    code, _, err = run(capsys, registry.url, bad)
    assert code == 2
    assert "is not a carboncred-audit state file" in err


def test_an_unknown_certificate_is_exit_2(capsys, registry, state):
    registry.append(1)
    registry.checkpoint()
    code, _, err = run(capsys, registry.url, state, "--certificate", "NOPE")
    assert code == 2
    assert "knows no certificate 'NOPE'" in err


def test_a_state_file_of_another_registry_is_exit_2(capsys, registry, state):
    pin(capsys, registry, state)
    saved = pinned(state)
    state.write_text(json.dumps({**saved, "base_url": "https://elsewhere.example", "origin": "elsewhere/log"}))
    code, _, err = run(capsys, registry.url, state)
    assert code == 2
    assert "is the state of another registry" in err


def test_the_console_entry_point_exits_with_the_codes(registry, state):
    registry.append(3)
    registry.checkpoint()
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    command = [sys.executable, "-m", "carboncred_auditor", registry.url, "--state", str(state)]

    def audit() -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 (our own interpreter and module)
            command, env=env, capture_output=True, text=True, timeout=60, check=False
        )

    ok = audit()
    registry.truncate(2)
    registry.checkpoint()
    bad = audit()

    assert ok.returncode == 0, ok.stderr
    assert "OK: the log is consistent" in ok.stdout
    assert bad.returncode == 1
    assert "INCONSISTENT: the log shrank from 3 to 2 entries (truncated)" in bad.stderr
