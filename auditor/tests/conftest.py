import sys
from pathlib import Path

import pytest

# The end-to-end tests build their fake registry with the registry's own pure functions (ledger.*):
# available in the CarbonCred repository, skipped in a copy of this folder alone.
REPOSITORY = Path(__file__).resolve().parents[2]
if (REPOSITORY / "ledger" / "notes.py").exists() and str(REPOSITORY) not in sys.path:
    sys.path.append(str(REPOSITORY))


def registry_code():
    """The fake registry, or a skip where the registry's code is missing (a copy of this folder alone)
    or cannot run (it needs Python 3.12+)."""
    try:
        from fakeregistry import FakeRegistry
    except ImportError as error:
        pytest.skip(f"the fake registry needs the CarbonCred repository's ledger package: {error}")
    return FakeRegistry


@pytest.fixture
def registry():
    FakeRegistry = registry_code()

    fake = FakeRegistry()
    fake.start()
    yield fake
    fake.stop()
