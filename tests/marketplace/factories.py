"""Listings are made through the services (never as bare rows), so blocks, ledger and listing always agree."""

from decimal import Decimal

from marketplace.models import Listing
from marketplace.services import listing_create
from tests.accounts.factories import OrganizationFactory
from tests.ledger.factories import issue
from tests.projects.factories import ProjectFactory


def listing(
    *,
    seller=None,
    quantity_kg: int = 100,
    price: str = "10.00",
    currency: str = "USD",
    issued_kg: int = 1000,
    vintage: int = 2025,
    **project_fields,
) -> Listing:
    """A new open listing of ``quantity_kg`` from a fresh issuance to ``seller`` (a new organisation by
    default) on a new project (``category``, ``country``... as given)."""
    seller = seller or OrganizationFactory.create()
    project = ProjectFactory.create(owner=seller, **project_fields)
    block = issue(project=project, quantity_kg=issued_kg, vintage=vintage, buffer_share=Decimal(0)).owner_block
    return listing_create(
        seller=seller, block_id=block.pk, quantity_kg=quantity_kg, price_per_tonne=Decimal(price), currency=currency
    )
