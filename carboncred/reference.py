"""Reference data the migrations load (factor tables, the verifiers group), reloadable on demand.

A database emptied by `flush` — or by the flush that ends every transactional test — loses rows
that data migrations wrote; this puts back whatever is missing and never overwrites an edit.
"""

from django.contrib.auth.models import Group

from accounts.models import VERIFIERS_GROUP
from emissions.factors import emission_factors_load
from emissions.models import EmissionFactor
from verification.crediting_factors import REGIONAL_CSV_PATH, crediting_factors_load
from verification.models import CreditingFactor


def reference_data_load() -> dict[str, int]:
    """Load each reference table that is empty; returns how many rows each load inserted."""
    loaded = {"emission_factors": 0, "crediting_factors": 0}
    if not EmissionFactor.objects.exists():
        loaded["emission_factors"] = emission_factors_load(model=EmissionFactor)
    if not CreditingFactor.objects.exists():
        loaded["crediting_factors"] = crediting_factors_load(model=CreditingFactor) + crediting_factors_load(
            model=CreditingFactor, path=REGIONAL_CSV_PATH
        )
    Group.objects.get_or_create(name=VERIFIERS_GROUP)
    return loaded
