from decimal import Decimal

import pytest

from ledger.models import CreditBlock, LedgerEntry
from marketplace.models import Listing
from marketplace.services import listing_buy
from tests.accounts.factories import OrganizationFactory, UserFactory
from tests.conftest import client_for
from tests.ledger.factories import issue
from tests.marketplace.factories import listing as make_listing

pytestmark = pytest.mark.django_db


def my_block(user, quantity_kg=1000):
    return issue(owner=user.organization, quantity_kg=quantity_kg, buffer_share=Decimal(0)).owner_block


def test_create_listing_reserves_the_quantity_and_answers_the_listing(auth_client, user):
    block = my_block(user)

    response = auth_client.post(
        "/api/listings/", {"block": block.pk, "quantity_kg": 250, "price_per_tonne": "12.50"}, format="json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    listing = Listing.objects.get()
    entry = LedgerEntry.objects.get(kind="list")
    assert body == {
        "id": listing.pk,
        "status": "open",
        "block": listing.block_id,
        "source_block": block.pk,
        "project": {"id": block.project_id, "title": block.project.title, "category": "solar", "country": "GB"},
        "category": "solar",
        "country": "GB",
        "vintage": 2025,
        "quantity_kg": 250,
        "quantity_sold_kg": 0,
        "quantity_available_kg": 250,
        "quantity_available_t": "0.250",
        "price_per_tonne": "12.50",
        "currency": "USD",
        "ledger_entry": {"seq": entry.seq, "hash": entry.hash_hex},
        "created_at": body["created_at"],
        "closed_at": None,
    }
    holdings = {b["id"]: b for b in auth_client.get("/api/holdings/").json()["results"]}
    assert (holdings[block.pk]["quantity_kg"], holdings[block.pk]["status"]) == (750, "available")
    assert (holdings[listing.block_id]["quantity_kg"], holdings[listing.block_id]["status"]) == (250, "listed")


def test_create_listing_ignores_seller_and_status_in_the_body(auth_client, user):
    block = my_block(user)
    other = OrganizationFactory.create()

    response = auth_client.post(
        "/api/listings/",
        {
            "block": block.pk,
            "quantity_kg": 10,
            "price_per_tonne": "5.00",
            "currency": "eur",
            "seller": other.pk,
            "status": "sold",
            "quantity_available_kg": 10_000,
        },
        format="json",
    )

    assert response.status_code == 201
    listing = Listing.objects.get()
    assert (listing.seller_id, listing.status, listing.quantity_available_kg) == (user.organization_id, "open", 10)
    assert response.json()["currency"] == "EUR"


def test_listing_another_organisations_block_is_404(auth_client):
    block = issue().owner_block

    response = auth_client.post(
        "/api/listings/", {"block": block.pk, "quantity_kg": 1, "price_per_tonne": "1.00"}, format="json"
    )

    assert response.status_code == 404 and response.json()["code"] == "block_not_found"
    assert not Listing.objects.exists()


def test_listing_more_than_available_is_409_naming_what_is_available(auth_client, user):
    block = my_block(user, quantity_kg=100)

    response = auth_client.post(
        "/api/listings/", {"block": block.pk, "quantity_kg": 101, "price_per_tonne": "1.00"}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "insufficient_credits" and response.json()["available_kg"] == 100


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"block": None}, "block"),
        ({"block": "abc"}, "block"),
        ({"block": 2**70}, "block"),
        ({"quantity_kg": 0}, "quantity_kg"),
        ({"quantity_kg": 1.5}, "quantity_kg"),
        ({"quantity_kg": "lots"}, "quantity_kg"),
        ({"quantity_kg": 10**16}, "quantity_kg"),
        ({"price_per_tonne": "0"}, "price_per_tonne"),
        ({"price_per_tonne": "-3.00"}, "price_per_tonne"),
        ({"price_per_tonne": "1.234"}, "price_per_tonne"),
        ({"price_per_tonne": 1.234}, "price_per_tonne"),
        ({"price_per_tonne": "ten"}, "price_per_tonne"),
        ({"price_per_tonne": "100000.01"}, "price_per_tonne"),
        ({"price_per_tonne": None}, "price_per_tonne"),
        ({"currency": "XXX"}, "currency"),
        ({"currency": "US"}, "currency"),
        ({"currency": 840}, "currency"),
    ],
)
def test_create_listing_with_bad_input_is_400_naming_the_field(auth_client, user, change, field):
    block = my_block(user)
    body = {"block": block.pk, "quantity_kg": 10, "price_per_tonne": "12.00", **change}

    response = auth_client.post("/api/listings/", body, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not Listing.objects.exists() and LedgerEntry.objects.count() == 1


def test_own_listings_only_with_a_status_filter(auth_client, user, django_assert_max_num_queries):
    mine = [make_listing(seller=user.organization) for _ in range(3)]
    listing_buy(buyer=OrganizationFactory.create(), listing_id=mine[0].pk, quantity_kg=mine[0].quantity_kg)
    make_listing()  # another organisation's

    with django_assert_max_num_queries(4):  # user, organisation, count, page
        everything = auth_client.get("/api/listings/").json()
    sold = auth_client.get("/api/listings/?status=sold").json()
    bad = auth_client.get("/api/listings/?status=gone")

    assert sorted(item["id"] for item in everything["results"]) == sorted(listing.pk for listing in mine)
    assert [item["id"] for item in sold["results"]] == [mine[0].pk]
    assert sold["results"][0]["quantity_sold_kg"] == 100 and sold["results"][0]["closed_at"]
    assert bad.status_code == 400 and "status" in bad.json()["errors"]


def test_own_listings_query_count_does_not_grow_with_the_listings(auth_client, user, django_assert_max_num_queries):
    for _ in range(12):
        make_listing(seller=user.organization)

    with django_assert_max_num_queries(4):
        response = auth_client.get("/api/listings/")

    assert response.json()["count"] == 12


def test_one_own_listing_and_anothers_is_404(auth_client, user):
    mine, theirs = make_listing(seller=user.organization), make_listing()

    assert auth_client.get(f"/api/listings/{mine.pk}/").json()["id"] == mine.pk
    response = auth_client.get(f"/api/listings/{theirs.pk}/")
    assert response.status_code == 404 and response.json()["code"] == "listing_not_found"


def test_withdraw_returns_the_unsold_rest_and_answers_204(auth_client, user):
    listing = make_listing(seller=user.organization, quantity_kg=100)
    listing_buy(buyer=OrganizationFactory.create(), listing_id=listing.pk, quantity_kg=30)

    response = auth_client.delete(f"/api/listings/{listing.pk}/")

    assert response.status_code == 204 and response.content == b""
    listing.refresh_from_db()
    assert (listing.status, listing.quantity_available_kg) == ("withdrawn", 0)
    block = CreditBlock.objects.get(pk=listing.block_id)
    assert (block.status, block.quantity_kg, block.owner_id) == ("available", 70, user.organization_id)
    again = auth_client.delete(f"/api/listings/{listing.pk}/")
    assert again.status_code == 409 and again.json()["code"] == "listing_closed"


def test_another_organisation_cannot_withdraw_a_listing(auth_client):
    listing = make_listing()

    response = auth_client.delete(f"/api/listings/{listing.pk}/")

    assert response.status_code == 404
    listing.refresh_from_db()
    assert listing.status == "open"
    assert CreditBlock.objects.get(pk=listing.block_id).status == "listed"


def test_listings_need_a_token(api_client):
    listing = make_listing()

    assert api_client.get("/api/listings/").status_code == 401
    assert api_client.delete(f"/api/listings/{listing.pk}/").status_code == 401
    assert api_client.post("/api/listings/", {}, format="json").status_code == 401


def test_a_repeated_create_with_the_same_key_lists_once(auth_client, user):
    block = my_block(user)
    body = {"block": block.pk, "quantity_kg": 10, "price_per_tonne": "3.00"}

    first = auth_client.post("/api/listings/", body, format="json", HTTP_IDEMPOTENCY_KEY="list-1")
    second = auth_client.post("/api/listings/", body, format="json", HTTP_IDEMPOTENCY_KEY="list-1")

    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert Listing.objects.count() == 1 and LedgerEntry.objects.filter(kind="list").count() == 1


def test_seller_sees_a_listing_sold_out_by_another_user():
    seller = UserFactory.create()
    listing = make_listing(seller=seller.organization, quantity_kg=5)
    listing_buy(buyer=OrganizationFactory.create(), listing_id=listing.pk, quantity_kg=5)

    body = client_for(seller).get(f"/api/listings/{listing.pk}/").json()

    assert (body["status"], body["quantity_sold_kg"], body["quantity_available_kg"]) == ("sold", 5, 0)
