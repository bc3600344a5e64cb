"""The public read endpoints answer from the replica when one is configured; writes never go there."""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from tests.accounts.factories import UserFactory
from tests.certificates.factories import retire
from tests.conftest import client_for
from tests.ledger.factories import issue
from tests.marketplace.factories import listing as make_listing

REPLICA_AND_DEFAULT = ["default", "replica"]


@pytest.fixture
def replica_reads_on(settings):
    settings.REPLICA_READS = True


def queries_on(alias: str, request):
    with CaptureQueriesContext(connections[alias]) as captured:
        response = request()
    return response, [query["sql"] for query in captured.captured_queries]


@pytest.mark.django_db(transaction=True, databases=REPLICA_AND_DEFAULT)
@pytest.mark.parametrize(
    "path",
    [
        "/api/marketplace/",
        "/api/ledger/entries/",
        "/api/ledger/entries/1/",
        "/api/emission-factors/?activity=electricity",
    ],
)
def test_public_reads_go_to_the_replica(replica_reads_on, api_client, path):
    make_listing()

    response, on_replica = queries_on("replica", lambda: api_client.get(path))
    _, on_default = queries_on("default", lambda: api_client.get(path))

    assert response.status_code == 200, response.content
    assert on_replica, "the public endpoint read from the replica"
    assert not on_default, f"nothing of {path} is read from the primary: {on_default}"


@pytest.mark.django_db(transaction=True, databases=REPLICA_AND_DEFAULT)
def test_certificate_verification_reads_from_the_replica(replica_reads_on, api_client, client):
    organization = UserFactory.create().organization
    block = issue(owner=organization, quantity_kg=1000).owner_block
    certificate = retire(organization=organization, block=block, quantity_kg=10)

    response, on_replica = queries_on(
        "replica", lambda: api_client.get(f"/api/certificates/verify/{certificate.public_id}/")
    )
    page, page_on_replica = queries_on("replica", lambda: client.get(f"/certificates/{certificate.public_id}/"))

    assert response.status_code == 200 and response.json()["valid"] is True
    assert page.status_code == 200
    assert on_replica and page_on_replica


@pytest.mark.django_db(transaction=True, databases=REPLICA_AND_DEFAULT)
def test_writes_and_private_reads_stay_on_the_primary(replica_reads_on):
    buyer = UserFactory.create()
    listing = make_listing()
    client = client_for(buyer)

    bought, on_replica = queries_on(
        "replica", lambda: client.post("/api/buy/", {"listing": listing.pk, "quantity_kg": 5}, format="json")
    )
    holdings, holdings_on_replica = queries_on("replica", lambda: client.get("/api/holdings/"))

    assert bought.status_code == 201, bought.content
    assert holdings.status_code == 200 and holdings.json()["count"] == 1
    assert not on_replica and not holdings_on_replica


@pytest.mark.django_db(transaction=True, databases=REPLICA_AND_DEFAULT)
def test_without_a_replica_configured_public_reads_use_the_primary(api_client):
    make_listing()

    response, on_replica = queries_on("replica", lambda: api_client.get("/api/marketplace/"))

    assert response.status_code == 200 and response.json()["count"] == 1
    assert not on_replica
