"""Credits are made through the services (never by factory rows), so the ledger always agrees."""

from decimal import Decimal

from ledger.services import Issuance, credits_issue
from tests.accounts.factories import OrganizationFactory
from tests.projects.factories import ProjectFactory


def issue(*, owner=None, project=None, quantity_kg=1000, vintage=2025, buffer_share=Decimal("0.10")) -> Issuance:
    """Issue credits to ``owner`` (a new organisation by default) on a new or given project."""
    if project is None:
        project = ProjectFactory.create(owner=owner or OrganizationFactory.create())
    return credits_issue(project=project, vintage=vintage, quantity_kg=quantity_kg, buffer_share=buffer_share)
