"""POST /api/buy/ and the orders it makes."""

import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import IdempotencyRecord
from ledger.audit import replay
from ledger.models import CreditBlock, LedgerEntry, format_serial
from marketplace.models import Listing, Order
from marketplace.services import listing_buy, listing_withdraw
from payments.services import top_up_fund
from tests.accounts.factories import OrganizationFactory, UserFactory
from tests.conftest import client_for
from tests.marketplace.factories import listing as make_listing

pytestmark = pytest.mark.django_db


def buy(client, listing_id, quantity_kg, key=None, **extra):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(
        "/api/buy/", {"listing": listing_id, "quantity_kg": quantity_kg, **extra}, format="json", **headers
    )


def state() -> tuple:
    """Everything a buy changes: the ledger, the blocks, the listings, the orders."""
    return (
        LedgerEntry.objects.count(),
        sorted(CreditBlock.objects.values_list("id", "owner_id", "status", "serial_start", "serial_end")),
        sorted(Listing.objects.values_list("id", "status", "quantity_available_kg")),
        Order.objects.count(),
    )


def test_buy_answers_the_order_with_money_serials_and_ledger_entry(auth_client, user):
    seller = OrganizationFactory.create(name="Green Roof GmbH", country="DE")
    listing = make_listing(seller=seller, quantity_kg=500, issued_kg=1000, price="10.01", country="DE")

    response = buy(auth_client, listing.pk, 333)

    assert response.status_code == 201, response.content
    body = response.json()
    order = Order.objects.get()
    entry = LedgerEntry.objects.order_by("-seq").first()
    assert entry is not None
    project = listing.project
    assert body == {
        "id": str(order.pk),
        "side": "buy",
        "listing": listing.pk,
        "project": {"id": project.pk, "title": project.title, "category": "solar", "country": "DE"},
        "vintage": 2025,
        "quantity_kg": 333,
        "price_per_tonne": "10.01",
        "total": "3.33",
        "fee": "0.07",
        "fee_rate": "0.02000",
        "amount_due": "3.40",
        "currency": "USD",
        "counterparty": {
            "id": seller.pk,
            "name": "Green Roof GmbH",
            "country": "DE",
            "verification_status": "verified",
            "registration_number": seller.public_registration_number,
        },
        "blocks": [
            {
                "block": order.block_id,
                "serial": format_serial(country="DE", project_id=project.pk, vintage=2025, first=668, last=1000),
                "quantity_kg": 333,
            }
        ],
        "ledger_entry": {"seq": entry.seq, "hash": entry.hash_hex},
        "created_at": body["created_at"],
    }
    received = CreditBlock.objects.get(pk=order.block_id)
    assert (received.owner_id, received.status, received.quantity_kg) == (user.organization_id, "available", 333)
    assert entry.kind == "trade" and entry.payload["memo"] == {"listing": str(listing.pk), "order": str(order.pk)}
    assert auth_client.get("/api/holdings/?status=available").json()["results"][0]["id"] == received.pk


def test_buying_the_rest_closes_the_listing(auth_client):
    listing = make_listing(quantity_kg=100)
    buy(auth_client, listing.pk, 60)

    response = buy(auth_client, listing.pk, 40)

    assert response.status_code == 201
    listing.refresh_from_db()
    assert (listing.status, listing.quantity_available_kg, listing.quantity_sold_kg) == ("sold", 0, 100)
    closed = buy(auth_client, listing.pk, 1)
    assert closed.status_code == 409
    assert closed.json() == {"detail": f"Listing {listing.pk} is sold.", "code": "listing_closed", "status": "sold",
                             "available_kg": 0}  # fmt: skip


def test_buying_more_than_is_left_is_409_with_available_kg(auth_client):
    listing = make_listing(quantity_kg=100)
    buy(auth_client, listing.pk, 75)
    before = state()

    response = buy(auth_client, listing.pk, 26)

    assert response.status_code == 409
    assert response.json()["code"] == "insufficient_credits"
    assert (response.json()["available_kg"], response.json()["requested_kg"]) == (25, 26)
    assert state() == before


def test_buying_a_withdrawn_listing_is_409(auth_client):
    listing = make_listing()
    listing_withdraw(seller=listing.seller, listing_id=listing.pk)

    response = buy(auth_client, listing.pk, 1)

    assert response.status_code == 409 and response.json()["status"] == "withdrawn"


def test_buying_your_own_listing_is_400(auth_client, user):
    listing = make_listing(seller=user.organization)
    before = state()

    response = buy(auth_client, listing.pk, 1)

    assert response.status_code == 400 and response.json()["code"] == "self_dealing"
    assert state() == before


def test_buying_an_unknown_listing_is_404(auth_client):
    response = buy(auth_client, 424242, 1)

    assert response.status_code == 404 and response.json()["code"] == "listing_not_found"


def test_the_buyer_is_the_tokens_organisation_whatever_the_body_says(auth_client, user):
    listing = make_listing(quantity_kg=100)
    someone_else = OrganizationFactory.create()

    response = buy(auth_client, listing.pk, 10, buyer=someone_else.pk, seller=user.organization_id, status="sold",
                   price_per_tonne="0.01", total="0.00")  # fmt: skip

    assert response.status_code == 201
    order = Order.objects.get()
    assert (order.buyer_id, order.seller_id, order.total) == (user.organization_id, listing.seller_id, Decimal("0.10"))
    listing.refresh_from_db()
    assert listing.status == "open"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"quantity_kg": 1}, "listing"),
        ({"listing": "one", "quantity_kg": 1}, "listing"),
        ({"listing": 0, "quantity_kg": 1}, "listing"),
        ({"listing": 2**64, "quantity_kg": 1}, "listing"),
        ({"listing": "LISTING"}, "quantity_kg"),
        ({"listing": "LISTING", "quantity_kg": 0}, "quantity_kg"),
        ({"listing": "LISTING", "quantity_kg": -3}, "quantity_kg"),
        ({"listing": "LISTING", "quantity_kg": 2.5}, "quantity_kg"),
        ({"listing": "LISTING", "quantity_kg": "ten"}, "quantity_kg"),
        ({"listing": "LISTING", "quantity_kg": None}, "quantity_kg"),
        ({"listing": "LISTING", "quantity_kg": [1]}, "quantity_kg"),
    ],
)
def test_buy_with_bad_input_is_400_naming_the_field(auth_client, body, field):
    listing = make_listing()
    body = {key: listing.pk if value == "LISTING" else value for key, value in body.items()}
    before = state()

    response = auth_client.post("/api/buy/", body, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert state() == before


def test_buy_refuses_a_body_that_is_not_an_object(auth_client):
    assert auth_client.post("/api/buy/", [1, 2], format="json").status_code == 400
    assert auth_client.post("/api/buy/", "{not json", content_type="application/json").status_code == 400


def test_buy_needs_a_token(api_client):
    listing = make_listing()

    assert buy(api_client, listing.pk, 1).status_code == 401
    assert Order.objects.count() == 0


def test_a_replayed_buy_returns_the_same_order_and_moves_nothing(auth_client):
    listing = make_listing(quantity_kg=100)
    first = buy(auth_client, listing.pk, 10, key="buy-1")
    after_first = state()

    replayed = buy(auth_client, listing.pk, 10, key="buy-1")

    assert first.status_code == replayed.status_code == 201
    assert replayed.json() == first.json()
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert state() == after_first


def test_the_same_key_with_another_body_is_refused_and_moves_nothing(auth_client):
    listing = make_listing(quantity_kg=100)
    buy(auth_client, listing.pk, 10, key="buy-2")
    after_first = state()

    response = buy(auth_client, listing.pk, 11, key="buy-2")

    assert response.status_code == 422 and response.json()["code"] == "idempotency_key_reused"
    assert state() == after_first


def test_a_refused_buy_keeps_its_key_free_for_a_retry(auth_client):
    listing = make_listing(quantity_kg=10)

    refused = buy(auth_client, listing.pk, 11, key="buy-3")
    retried = buy(auth_client, listing.pk, 10, key="buy-3")

    assert (refused.status_code, retried.status_code) == (409, 201)
    assert IdempotencyRecord.objects.get().status_code == 201


def test_orders_list_both_sides_with_side_and_counterparty(user, django_assert_max_num_queries):
    seller = UserFactory.create()
    mine_to_sell = make_listing(seller=user.organization, quantity_kg=100, price="20.00")
    theirs = make_listing(seller=seller.organization, quantity_kg=100, price="10.00")
    bought = listing_buy(buyer=user.organization, listing_id=theirs.pk, quantity_kg=50)
    sold = listing_buy(buyer=seller.organization, listing_id=mine_to_sell.pk, quantity_kg=25)
    listing_buy(buyer=OrganizationFactory.create(), listing_id=theirs.pk, quantity_kg=5)  # neither mine nor to me
    client = client_for(user)

    with django_assert_max_num_queries(4):  # user, organisation, count, page
        data = client.get("/api/orders/").json()

    assert [(o["id"], o["side"]) for o in data["results"]] == [(str(sold.pk), "sell"), (str(bought.pk), "buy")]
    by_id = {o["id"]: o for o in data["results"]}
    assert by_id[str(sold.pk)]["counterparty"]["id"] == seller.organization_id
    assert by_id[str(bought.pk)]["counterparty"]["id"] == theirs.seller_id
    assert by_id[str(sold.pk)]["total"] == "0.50" and by_id[str(bought.pk)]["total"] == "0.50"
    assert [o["id"] for o in client.get("/api/orders/?side=buy").json()["results"]] == [str(bought.pk)]
    assert [o["id"] for o in client.get("/api/orders/?side=sell").json()["results"]] == [str(sold.pk)]
    assert client.get("/api/orders/?side=both").status_code == 400


def test_orders_query_count_does_not_grow_with_the_orders(user, django_assert_max_num_queries):
    for n in range(15):
        listing = make_listing()
        listing_buy(buyer=user.organization, listing_id=listing.pk, quantity_kg=n + 1)

    with django_assert_max_num_queries(4):
        data = client_for(user).get("/api/orders/").json()

    assert data["count"] == 15 and all(o["blocks"][0]["serial"].startswith("CC-GB-") for o in data["results"])


def test_another_organisations_orders_are_invisible(auth_client):
    listing = make_listing()
    order = listing_buy(buyer=OrganizationFactory.create(), listing_id=listing.pk, quantity_kg=1)

    assert auth_client.get("/api/orders/").json()["count"] == 0
    response = auth_client.get(f"/api/orders/{order.pk}/")
    assert response.status_code == 404 and response.json()["code"] == "order_not_found"
    assert auth_client.get("/api/orders/not-a-uuid/").status_code == 404


def test_both_parties_see_one_order(user):
    listing = make_listing()
    order = listing_buy(buyer=user.organization, listing_id=listing.pk, quantity_kg=7)
    seller = UserFactory.create(organization=listing.seller)

    as_buyer = client_for(user).get(f"/api/orders/{order.pk}/").json()
    as_seller = client_for(seller).get(f"/api/orders/{order.pk}/").json()

    assert (as_buyer["side"], as_seller["side"]) == ("buy", "sell")
    assert {key: value for key, value in as_buyer.items() if key not in {"side", "counterparty"}} == {
        key: value for key, value in as_seller.items() if key not in {"side", "counterparty"}
    }


def test_every_buy_leaves_ledger_blocks_and_listing_in_agreement(auth_client):
    listing = make_listing(quantity_kg=90, issued_kg=100)
    for quantity in (1, 29, 60):
        assert buy(auth_client, listing.pk, quantity).status_code == 201

    listing.refresh_from_db()
    assert listing.status == "sold"
    sold = Order.objects.filter(listing=listing)
    assert sum(order.quantity_kg for order in sold) == 90
    assert sum(block.quantity_kg for block in CreditBlock.objects.filter(project=listing.project)) == 100
    assert replay().ok


def test_the_order_carries_its_ledger_entry_without_reading_it_back(user, django_assert_num_queries):
    """The entry comes back from the append that wrote it; the answer naming it costs no query."""
    offer = make_listing(quantity_kg=100)
    order = listing_buy(buyer=user.organization, listing_id=offer.pk, quantity_kg=10)

    with django_assert_num_queries(0):
        entry = order.ledger_entry
    assert entry == LedgerEntry.objects.get(kind="trade") and entry.hash == LedgerEntry.objects.get(seq=entry.seq).hash


@pytest.mark.postgres
@pytest.mark.unfunded
def test_a_keyed_buy_takes_no_savepoint_inside_its_unit_of_work(auth_client, user):
    """The idempotent request is the unit of work; the marketplace and ledger services it calls join
    it (no SAVEPOINT/RELEASE round trips), and the listing is locked with its block in one statement."""
    top_up_fund(organization=user.organization, amount=Decimal("10.00"), currency="USD")
    offer = make_listing(quantity_kg=100)
    buy(auth_client, offer.pk, 1)  # the seller's account exists from here on, as in steady use
    with CaptureQueriesContext(connection) as queries:
        assert buy(auth_client, offer.pk, 1, key=uuid.uuid4().hex).status_code == 201
    statements = [query["sql"] for query in queries.captured_queries]
    # Only the request's own unit, nested in the test's transaction, is a savepoint: taken and released.
    assert sum("SAVEPOINT" in sql for sql in statements) == 2, statements
    locks = [sql for sql in statements if "FOR UPDATE" in sql]
    assert any('"marketplace_listing"' in sql and '"ledger_creditblock"' in sql for sql in locks), locks
    assert not any(sql.startswith('SELECT "ledger_creditblock"') for sql in locks), locks
    # Nothing is read twice: the project comes with the listing, the entry with its append.
    assert not any(sql.startswith('SELECT "projects_project"') for sql in statements), statements
    assert len(statements) == 16, statements
