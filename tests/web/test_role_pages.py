"""The workspace's forms obey the roles as the API does: a viewer reads every page and changes nothing."""

import pytest

from accounts.roles import Role
from emissions.models import EmissionReport
from ledger.models import CreditBlock, LedgerEntry
from marketplace.models import Listing, Order, Transfer
from projects.models import Project
from tests.accounts.factories import UserFactory
from tests.web.conftest import session_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer(sme):
    return UserFactory.create(organization=sme.organization, role=Role.VIEWER)


@pytest.fixture
def member(sme):
    return UserFactory.create(organization=sme.organization, role=Role.MEMBER)


def moved() -> tuple:
    return (
        LedgerEntry.objects.count(),
        sorted(CreditBlock.objects.values_list("id", "owner_id", "status", "serial_start", "serial_end")),
        Listing.objects.count(),
        Order.objects.count(),
        Transfer.objects.count(),
    )


def test_a_viewer_reads_the_workspace(viewer, holding):
    client = session_for(viewer)

    for path in ["/app/", "/app/emissions/", "/app/projects/", "/app/claims/", "/app/holdings/", "/app/orders/"]:
        assert client.get(path).status_code == 200, path


def test_a_viewers_block_actions_and_purchases_are_refused_and_nothing_moves(viewer, member, other, holding):
    block = holding.owner_block
    actions = {
        "/app/holdings/list/": {"block": block.pk, "quantity_kg": "300", "price_per_tonne": "15.00", "currency": "USD"},
        "/app/holdings/transfer/": {"block": block.pk, "quantity_kg": "200", "to_organization": other.organization_id},
        "/app/holdings/retire/": {"block": block.pk, "quantity_kg": "100", "beneficiary": "B", "reason": "2024"},
    }
    client = session_for(viewer)
    before = moved()

    for path, body in actions.items():
        response = client.post(path, body)
        assert response.status_code == 403, path
        assert "needs member or higher" in response.content.decode()
    assert moved() == before

    member_client = session_for(member)
    assert [member_client.post(path, body).status_code for path, body in actions.items()] == [302, 302, 302]


def test_a_viewer_cannot_buy_from_the_market_page(viewer, other):
    from tests.marketplace.factories import listing

    offer = listing(seller=other.organization, quantity_kg=200)
    before = moved()

    response = session_for(viewer).post("/app/buy/", {"listing": offer.pk, "quantity_kg": "100"})

    assert response.status_code == 403
    assert moved() == before


def test_a_viewer_cannot_record_emissions_or_projects(viewer):
    client = session_for(viewer)

    emissions = client.post(
        "/app/emissions/",
        {"form": "lines", "period_start": "2024-01-01", "period_end": "2024-01-31", "lines-0-activity": "electricity"},
    )
    project = client.post("/app/projects/", {"title": "Roof", "category": "solar", "country": "IN"})

    assert emissions.status_code == 403 and project.status_code == 403
    assert not EmissionReport.objects.exists() and not Project.objects.exists()


def test_a_verifier_decides_on_the_review_pages_whatever_their_role():
    verifier = UserFactory.create(verifier=True, role=Role.VIEWER)

    response = session_for(verifier).post("/app/review/claims/999999/approve/", {"note": "ok"})

    assert response.status_code == 404  # past the role check: there is no such claim


def test_a_viewer_is_offered_no_block_actions_and_no_buy_form(viewer, sme_client, other, holding):
    from tests.marketplace.factories import listing

    offer = listing(seller=other.organization, quantity_kg=200)
    client = session_for(viewer)

    holdings = client.get("/app/holdings/").content.decode()
    market = client.get(f"/market/{offer.pk}/").content.decode()

    assert 'action="/app/holdings/retire/"' not in holdings
    assert 'action="/app/buy/"' not in market and "You are a viewer" in market
    assert 'action="/app/holdings/retire/"' in sme_client.get("/app/holdings/").content.decode()
