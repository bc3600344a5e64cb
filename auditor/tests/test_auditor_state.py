import json

import pytest

from carboncred_auditor import state
from carboncred_auditor.errors import CheckError

SAMPLE = state.State(
    base_url="https://registry.example",
    origin="registry.example/ledger",
    key="registry.example/ledger+00000000+AQ==",
    size=12,
    root="ab" * 32,
    note="registry.example/ledger\n12\n...\n\n\u2014 sig\n",
    checked_at="2025-06-01T12:00:00Z",
)


def test_missing_state_is_a_first_run(tmp_path):
    assert state.load(tmp_path / "none.json") is None


def test_state_round_trips_atomically(tmp_path):
    path = tmp_path / "state.json"
    state.save(path, SAMPLE)
    state.save(path, SAMPLE)
    assert state.load(path) == SAMPLE
    assert json.loads(path.read_text())["format"] == state.FORMAT
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"], "no temporary file left behind"


@pytest.mark.parametrize("text", ["", "[]", "{}", '{"format": "other"}', json.dumps({"format": state.FORMAT})])
def test_a_file_that_is_not_a_state_is_refused(tmp_path, text):
    path = tmp_path / "state.json"
    path.write_text(text)
    with pytest.raises(CheckError, match="state"):
        state.load(path)


def test_an_unwritable_state_is_a_check_error(tmp_path):
    with pytest.raises(CheckError, match="cannot write the state file"):
        state.save(tmp_path / "missing-dir" / "state.json", SAMPLE)
