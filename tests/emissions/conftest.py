import pytest

from emissions.factors import emission_factors_load
from emissions.models import EmissionFactor


@pytest.fixture(autouse=True)
def _factor_table(db):
    """Migration 0002 loads the factors, but a transactional test elsewhere flushes every table and
    --reuse-db keeps the flushed database; reload so these tests never depend on run order."""
    if not EmissionFactor.objects.exists():
        emission_factors_load(model=EmissionFactor)
