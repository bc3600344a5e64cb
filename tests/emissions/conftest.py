import pytest


@pytest.fixture(autouse=True)
def _factor_table(db):
    """Every emissions test reads the factor table that migration 0002 loads (the root conftest
    reloads it after a flush)."""
