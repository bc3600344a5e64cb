from decimal import Decimal

import pytest

from accounts.models import buffer_pool
from emissions.factors import emission_factors_load
from emissions.models import EmissionFactor
from ledger.models import format_serial
from ledger.services import credits_retire
from marketplace.services import listing_buy, listing_create, transfer_create
from tests.accounts.factories import OrganizationFactory, UserFactory
from tests.conftest import client_for
from tests.emissions.factories import EmissionReportFactory, line
from tests.ledger.factories import issue
from tests.marketplace.factories import listing as make_listing

pytestmark = pytest.mark.django_db

URL = "/api/dashboard/"


@pytest.fixture(autouse=True)
def _factor_table(db):
    """A transactional test elsewhere may have flushed the factor table that migration 0002 loaded."""
    if not EmissionFactor.objects.exists():
        emission_factors_load(model=EmissionFactor)


def test_dashboard_sums_holdings_retirements_and_emissions(auth_client, user):
    me = user.organization
    block = issue(owner=me, quantity_kg=1000, buffer_share=Decimal(0)).owner_block
    listing = listing_create(seller=me, block_id=block.pk, quantity_kg=300, price_per_tonne=Decimal("9.00"))
    listing_buy(buyer=OrganizationFactory.create(), listing_id=listing.pk, quantity_kg=100)
    credits_retire(owner=me, block=block.pk, quantity_kg=50)
    transfer_create(sender=me, block_id=block.pk, quantity_kg=25, to_organization_id=OrganizationFactory.create().pk)
    listing_buy(buyer=me, listing_id=make_listing(quantity_kg=40).pk, quantity_kg=40)
    reports = [
        EmissionReportFactory.create(organization=me, lines=[line("electricity", 10_000, "kWh")]),
        EmissionReportFactory.create(organization=me, lines=[line("diesel", 250, "litres")]),
    ]
    EmissionReportFactory.create()  # someone else's

    data = auth_client.get(URL).json()

    emitted = sum(report.total_kg for report in reports)
    assert emitted > 0
    assert {key: value for key, value in data.items() if key != "recent_activity"} == {
        "holdings": {"available_kg": 1000 - 300 - 50 - 25 + 40, "listed_kg": 200},
        "retired_kg": 50,
        "emissions_kg": emitted,
        "net_balance_kg": emitted - 50,
        # Sold 100 kg at 9.00/t (+0.90), bought 40 kg at 10.00/t with its 2 % fee (-0.41).
        "balances": [
            {"currency": "USD", "available": "0.49", "pending": "0.00", "owed": "0.00", "payouts_pending": "0.00"}
        ],
    }


def test_recent_activity_reads_each_ledger_entry_newest_first(auth_client, user):
    me = user.organization
    seller = OrganizationFactory.create(name="Solar Seller Ltd")
    receiver = OrganizationFactory.create(name="Gift Receiver Ltd", country="FR")
    block = issue(owner=me, quantity_kg=1000, buffer_share=Decimal(0)).owner_block
    project = block.project
    listing = listing_create(seller=me, block_id=block.pk, quantity_kg=300, price_per_tonne=Decimal("9.00"))
    sale = listing_buy(buyer=OrganizationFactory.create(name="Buyer One Ltd"), listing_id=listing.pk, quantity_kg=100)
    credits_retire(owner=me, block=block.pk, quantity_kg=50)
    gift = transfer_create(sender=me, block_id=block.pk, quantity_kg=25, to_organization_id=receiver.pk)
    other = make_listing(seller=seller, quantity_kg=40, category="recycling")
    purchase = listing_buy(buyer=me, listing_id=other.pk, quantity_kg=40)

    activity = auth_client.get(URL).json()["recent_activity"]

    def serial(project_id, first, last):
        return format_serial(country="GB", project_id=project_id, vintage=2025, first=first, last=last)

    readable = [
        {
            key: item[key]
            for key in ("kind", "direction", "quantity_kg", "serial", "counterparty", "references", "summary")
        }
        for item in activity
    ]
    assert readable == [
        {
            "kind": "trade",
            "direction": "in",
            "quantity_kg": 40,
            "serial": serial(other.project_id, 961, 1000),
            "counterparty": {"id": seller.pk, "name": "Solar Seller Ltd", "country": "GB"},
            "references": {"order": str(purchase.pk), "listing": str(other.pk)},
            "summary": "Bought 40 kg from Solar Seller Ltd",
        },
        {
            "kind": "transfer",
            "direction": "out",
            "quantity_kg": 25,
            "serial": serial(project.pk, 626, 650),
            "counterparty": {"id": receiver.pk, "name": "Gift Receiver Ltd", "country": "FR"},
            "references": {"transfer": str(gift.pk)},
            "summary": "Transferred 25 kg to Gift Receiver Ltd",
        },
        {
            "kind": "retire",
            "direction": "internal",
            "quantity_kg": 50,
            "serial": serial(project.pk, 651, 700),
            "counterparty": None,
            "references": {},
            "summary": "Retired 50 kg",
        },
        {
            "kind": "trade",
            "direction": "out",
            "quantity_kg": 100,
            "serial": serial(project.pk, 901, 1000),
            "counterparty": {"id": sale.buyer_id, "name": "Buyer One Ltd", "country": "GB"},
            "references": {"order": str(sale.pk), "listing": str(listing.pk)},
            "summary": "Sold 100 kg to Buyer One Ltd",
        },
        {
            "kind": "list",
            "direction": "internal",
            "quantity_kg": 300,
            "serial": serial(project.pk, 701, 1000),
            "counterparty": None,
            "references": {},
            "summary": "Listed 300 kg for sale",
        },
        {
            "kind": "issue",
            "direction": "in",
            "quantity_kg": 1000,
            "serial": serial(project.pk, 1, 1000),
            "counterparty": None,
            "references": {},
            "summary": "Issued 1,000 kg",
        },
    ]
    assert [item["seq"] for item in activity] == sorted((item["seq"] for item in activity), reverse=True)
    assert activity[0]["block"] == purchase.block_id


def test_the_buffer_pool_sees_only_its_share_of_an_issuance(user):
    issue(quantity_kg=1000, buffer_share=Decimal("0.10"))
    pool_user = UserFactory.create(organization=buffer_pool())

    data = client_for(pool_user).get(URL).json()

    assert data["holdings"]["available_kg"] == 100
    assert [(item["kind"], item["quantity_kg"]) for item in data["recent_activity"]] == [("issue", 100)]


def test_dashboard_of_a_new_organisation_is_all_zero(auth_client):
    assert auth_client.get(URL).json() == {
        "holdings": {"available_kg": 0, "listed_kg": 0},
        "retired_kg": 0,
        "emissions_kg": 0,
        "net_balance_kg": 0,
        "recent_activity": [],
        "balances": [],
    }


def test_dashboard_query_count_does_not_grow_with_activity(auth_client, user, django_assert_max_num_queries):
    me = user.organization
    block = issue(owner=me, quantity_kg=10_000, buffer_share=Decimal(0)).owner_block
    for _ in range(3):
        transfer_create(sender=me, block_id=block.pk, quantity_kg=1, to_organization_id=OrganizationFactory.create().pk)
    # user, organisation, totals, emissions, entries, counterparties, projects, and the balances' three
    with django_assert_max_num_queries(10):
        few = auth_client.get(URL).json()
    for _ in range(30):
        transfer_create(sender=me, block_id=block.pk, quantity_kg=1, to_organization_id=OrganizationFactory.create().pk)
        listing_buy(buyer=me, listing_id=make_listing(quantity_kg=1).pk, quantity_kg=1)

    with django_assert_max_num_queries(10):
        many = auth_client.get(URL).json()

    assert len(few["recent_activity"]) == 4 and len(many["recent_activity"]) == 20


def test_dashboard_shows_only_your_own(auth_client):
    block = issue(quantity_kg=1000).owner_block
    transfer_create(
        sender=block.owner, block_id=block.pk, quantity_kg=5, to_organization_id=OrganizationFactory.create().pk
    )
    EmissionReportFactory.create()

    data = auth_client.get(URL).json()

    assert data["holdings"] == {"available_kg": 0, "listed_kg": 0}
    assert data["emissions_kg"] == 0 and data["recent_activity"] == []


def test_dashboard_needs_a_token(api_client):
    assert api_client.get(URL).status_code == 401


def test_dashboard_shows_the_money_balances(auth_client, user):
    from payments.services import top_up_fund

    top_up_fund(organization=user.organization, amount=Decimal("75.50"), currency="EUR")

    balances = auth_client.get(URL).json()["balances"]

    assert balances == [
        {"currency": "EUR", "available": "75.50", "pending": "0.00", "owed": "0.00", "payouts_pending": "0.00"}
    ]
