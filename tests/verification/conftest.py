import pytest


@pytest.fixture(autouse=True)
def _crediting_factors(request):
    """Transactional tests flush the tables, data-migration rows included: load the factors back."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    from django.apps import apps

    from verification.migrations import _loader
    from verification.models import CreditingFactor

    if not CreditingFactor.objects.exists():
        _loader.load(apps, None)
