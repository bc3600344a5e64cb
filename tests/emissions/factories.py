from datetime import date
from decimal import Decimal

import factory

from emissions.models import EmissionReport
from emissions.services import emission_report_create
from tests.accounts.factories import OrganizationFactory


def line(activity: str, quantity: str | int, unit: str, region: str | None = None) -> dict:
    """A report line as the service takes it (quantities as exact decimals)."""
    return {"activity": activity, "quantity": Decimal(quantity), "unit": unit} | ({"region": region} if region else {})


class EmissionReportFactory(factory.Factory[EmissionReport]):
    """Reports are made by the service, as in production, so totals and factor snapshots are real."""

    class Meta:
        model = EmissionReport

    organization = factory.SubFactory(OrganizationFactory)
    period_start = date(2025, 1, 1)
    period_end = date(2025, 1, 31)
    lines = factory.LazyFunction(lambda: [line("electricity", 10_000, "kWh")])

    @classmethod
    def _create(cls, model_class, **kwargs):
        return emission_report_create(**kwargs)
