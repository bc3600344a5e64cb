"""Fixtures of the pages' tests: people signed in with a session, and credits made through services."""

import datetime

import pytest
from django.test import Client

from marketplace.services import listing_create
from tests.accounts.factories import OrganizationFactory, UserFactory
from tests.certificates.factories import retire
from tests.ledger.factories import issue
from tests.verification.factories import project_for
from tests.webhooks.conftest import fake_dns  # noqa: F401 - a fixture: names resolved as a test says


def session_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def sme(db):
    return UserFactory.create(organization=OrganizationFactory.create(name="Bakery Ltd", country="IN"))


@pytest.fixture
def sme_client(sme) -> Client:
    return session_for(sme)


@pytest.fixture
def other(db):
    return UserFactory.create(organization=OrganizationFactory.create(name="Other Co", country="GB"))


@pytest.fixture
def other_client(other) -> Client:
    return session_for(other)


@pytest.fixture
def verifier_session(db) -> Client:
    return session_for(UserFactory.create(verifier=True))


@pytest.fixture
def holding(sme):
    """2,000 kg issued to the SME (1,800 to it after the buffer share) on an Indian solar project."""
    project = project_for(sme.organization, title="Rooftop solar, Pune", start_date=datetime.date(2023, 1, 1))
    return issue(project=project, quantity_kg=2000, vintage=2024)


@pytest.fixture
def listing(sme, holding):
    from decimal import Decimal

    return listing_create(
        seller=sme.organization,
        block_id=holding.owner_block.pk,
        quantity_kg=500,
        price_per_tonne=Decimal("12.50"),
        currency="USD",
    )


@pytest.fixture
def certificate(sme, holding):
    return retire(organization=sme.organization, block=holding.owner_block, quantity_kg=100)
