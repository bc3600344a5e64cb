import pytest
from django.core.management import call_command

from emissions.models import EmissionFactor
from verification.models import CreditingFactor


@pytest.mark.django_db
def test_reference_data_load_restores_emptied_tables_and_keeps_existing_rows(capsys):
    factors = EmissionFactor.objects.count()
    crediting = CreditingFactor.objects.count()
    assert factors > 0 and crediting > 0

    call_command("reference_data_load")
    assert "emission_factors: 0 rows loaded, crediting_factors: 0 rows loaded" in capsys.readouterr().out

    EmissionFactor.objects.all().delete()
    CreditingFactor.objects.all().delete()
    call_command("reference_data_load")

    assert EmissionFactor.objects.count() == factors
    assert CreditingFactor.objects.count() == crediting


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("run", [1, 2])
def test_transactional_tests_see_the_reference_data_after_earlier_flushes(run):
    assert EmissionFactor.objects.exists()
    assert CreditingFactor.objects.exists()
