import sys
from pathlib import Path

import pytest

# The end-to-end tests build their fake registry with the registry's own pure functions (ledger.*):
# available in the CarbonCred repository, skipped in a copy of this folder alone.
REPOSITORY = Path(__file__).resolve().parents[2]
if (REPOSITORY / "ledger" / "notes.py").exists() and str(REPOSITORY) not in sys.path:
    sys.path.append(str(REPOSITORY))


@pytest.fixture
def registry():
    pytest.importorskip("ledger.notes", reason="needs the CarbonCred repository (ledger.*) for the fake registry")
    from fakeregistry import FakeRegistry

    fake = FakeRegistry()
    fake.start()
    yield fake
    fake.stop()
