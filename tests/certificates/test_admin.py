"""The admin lists certificates read-only, with search and filters."""

import pytest

from tests.accounts.factories import UserFactory
from tests.certificates.factories import retire
from tests.ledger.factories import issue

URL = "/admin/certificates/retirementcertificate/"


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory.create(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def certificate(db):
    organization = UserFactory.create().organization
    return retire(organization=organization, block=issue(owner=organization).owner_block, beneficiary="Findable GmbH")


def test_changelist_searches_and_filters(admin_client, certificate):
    found = admin_client.get(URL, {"q": "Findable"})
    missed = admin_client.get(URL, {"q": "Nobody"})
    filtered = admin_client.get(URL, {"block__project__category__exact": "solar"})

    assert found.status_code == missed.status_code == filtered.status_code == 200
    assert certificate.public_id in found.content.decode()
    assert certificate.public_id not in missed.content.decode()
    assert certificate.public_id in filtered.content.decode()


def test_certificates_cannot_be_added_changed_or_deleted(admin_client, certificate):
    change = admin_client.get(f"{URL}{certificate.pk}/change/")

    assert admin_client.get(f"{URL}add/").status_code == 403
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()
    assert admin_client.post(f"{URL}{certificate.pk}/delete/", {"post": "yes"}).status_code == 403
