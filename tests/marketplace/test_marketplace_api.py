"""The public marketplace: open listings, filters, ordering, pagination, integrity flags."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.serializers import ListSerializer, Serializer

from marketplace.selectors import marketplace_listing_list
from marketplace.serializers import MarketplaceListingOutputSerializer
from marketplace.services import listing_buy, listing_withdraw
from tests.accounts.factories import OrganizationFactory
from tests.conftest import client_for
from tests.marketplace.factories import listing as make_listing

pytestmark = pytest.mark.django_db

URL = "/api/marketplace/"


def ids(response) -> list[int]:
    """The listing ids of one page, after checking ``count`` says how many there are."""
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["results"]), "count is exact (these tests fit in one page)"
    return [item["id"] for item in body["results"]]


def test_marketplace_is_public_and_shows_seller_project_quantity_and_price(api_client):
    seller = OrganizationFactory.create(name="Sunny Rooftops Ltd", country="IN")
    listing = make_listing(seller=seller, quantity_kg=1500, issued_kg=2000, price="8.75", currency="INR", vintage=2024)

    response = api_client.get(URL)

    assert response.status_code == 200
    project = listing.project
    assert response.json() == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [
            {
                "id": listing.pk,
                "seller": {
                    "name": "Sunny Rooftops Ltd",
                    "country": "IN",
                    "verification_status": "verified",
                    "registration_number": seller.registration_number,
                },
                "project": {"id": project.pk, "title": project.title, "category": "solar", "country": "IN"},
                "vintage": 2024,
                "quantity_available_kg": 1500,
                "quantity_available_t": "1.500",
                "price_per_tonne": "8.75",
                "currency": "INR",
                "integrity_flags": [],
                "created_at": response.json()["results"][0]["created_at"],
            }
        ],
    }
    assert "no-store" in response.headers["Cache-Control"], "a sold-out listing must never be served from a cache"


def test_marketplace_rows_have_exactly_the_declared_fields(api_client):
    make_listing(category="recycling")
    declared = MarketplaceListingOutputSerializer()

    item = api_client.get(URL).json()["results"][0]

    seller, project, flags = declared.fields["seller"], declared.fields["project"], declared.fields["integrity_flags"]
    assert isinstance(seller, Serializer) and isinstance(project, Serializer)
    assert isinstance(flags, ListSerializer) and isinstance(flags.child, Serializer)
    assert list(item) == list(declared.fields)
    assert list(item["seller"]) == list(seller.fields)
    assert list(item["project"]) == list(project.fields)
    assert list(item["integrity_flags"][0]) == list(flags.child.fields)


def test_marketplace_writes_timestamps_as_the_rest_of_the_api(api_client, user):
    listing = make_listing(seller=user.organization)

    public = api_client.get(URL).json()["results"][0]["created_at"]
    own = client_for(user).get(f"/api/listings/{listing.pk}/").json()["created_at"]

    assert public == own and public.endswith("Z")


def test_marketplace_shows_only_open_listings_with_what_is_left(api_client):
    partly_sold, sold_out, withdrawn = make_listing(quantity_kg=100), make_listing(quantity_kg=10), make_listing()
    listing_buy(buyer=OrganizationFactory.create(), listing_id=partly_sold.pk, quantity_kg=40)
    listing_buy(buyer=OrganizationFactory.create(), listing_id=sold_out.pk, quantity_kg=10)
    listing_withdraw(seller=withdrawn.seller, listing_id=withdrawn.pk)

    data = api_client.get(URL).json()

    assert [(item["id"], item["quantity_available_kg"]) for item in data["results"]] == [(partly_sold.pk, 60)]
    assert api_client.get(f"{URL}{sold_out.pk}/").status_code == 404
    assert api_client.get(f"{URL}{partly_sold.pk}/").json()["quantity_available_kg"] == 60


def test_marketplace_filters(api_client):
    solar_gb = make_listing(category="solar", country="GB", price="10.00", vintage=2024)
    solar_in = make_listing(category="solar", country="IN", price="20.00", vintage=2025)
    recycling_in = make_listing(category="recycling", country="IN", price="30.00", vintage=2025)
    efficiency_de = make_listing(category="energy_efficiency", country="DE", price="40.00", vintage=2023)

    assert ids(api_client.get(f"{URL}?category=solar")) == [solar_gb.pk, solar_in.pk]
    assert ids(api_client.get(f"{URL}?country=IN")) == [solar_in.pk, recycling_in.pk]
    assert ids(api_client.get(f"{URL}?country=in")) == [solar_in.pk, recycling_in.pk], "country codes ignore case"
    assert ids(api_client.get(f"{URL}?vintage=2025")) == [solar_in.pk, recycling_in.pk]
    assert ids(api_client.get(f"{URL}?min_price=20&max_price=30.00")) == [solar_in.pk, recycling_in.pk]
    assert ids(api_client.get(f"{URL}?min_price=30.01")) == [efficiency_de.pk]
    assert ids(api_client.get(f"{URL}?category=solar&country=IN&vintage=2025&max_price=20")) == [solar_in.pk]
    assert ids(api_client.get(f"{URL}?category=fuel_switch")) == []
    assert ids(api_client.get(f"{URL}?country=&category=")) == [
        solar_gb.pk,
        solar_in.pk,
        recycling_in.pk,
        efficiency_de.pk,
    ], "an empty parameter is no filter"


def test_marketplace_ordering(api_client):
    cheap_old = make_listing(price="5.00", vintage=2021)
    dear_new = make_listing(price="50.00", vintage=2025)
    middle = make_listing(price="20.00", vintage=2023)
    same_price = make_listing(price="20.00", vintage=2023)

    assert ids(api_client.get(URL)) == [cheap_old.pk, middle.pk, same_price.pk, dear_new.pk], "cheapest first"
    assert ids(api_client.get(f"{URL}?ordering=-price_per_tonne")) == [
        dear_new.pk,
        same_price.pk,
        middle.pk,
        cheap_old.pk,
    ]
    assert ids(api_client.get(f"{URL}?ordering=vintage")) == [cheap_old.pk, middle.pk, same_price.pk, dear_new.pk]
    assert ids(api_client.get(f"{URL}?ordering=-vintage")) == [dear_new.pk, same_price.pk, middle.pk, cheap_old.pk]
    assert ids(api_client.get(f"{URL}?ordering=created_at")) == [cheap_old.pk, dear_new.pk, middle.pk, same_price.pk]
    assert ids(api_client.get(f"{URL}?ordering=-created_at")) == [same_price.pk, middle.pk, dear_new.pk, cheap_old.pk]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("category=wind", "category"),
        ("country=XX", "country"),
        ("country=G1", "country"),
        ("vintage=last", "vintage"),
        ("vintage=1200", "vintage"),
        ("vintage=99999999999999999999", "vintage"),
        ("min_price=cheap", "min_price"),
        ("min_price=-1", "min_price"),
        ("min_price=1.001", "min_price"),
        ("max_price=1e400", "max_price"),
        ("max_price=NaN", "max_price"),
        ("min_price=10&max_price=5", "max_price"),
        ("ordering=seller", "ordering"),
        ("ordering=price_per_tonne;drop", "ordering"),
    ],
)
def test_a_bad_filter_is_400_naming_the_parameter(api_client, query, parameter):
    make_listing()

    response = api_client.get(f"{URL}?{query}")

    assert response.status_code == 400, response.content
    assert parameter in response.json()["errors"]


def test_marketplace_paginates(api_client):
    listings = [make_listing(price=f"{n}.00") for n in range(1, 6)]

    first = api_client.get(f"{URL}?page_size=2").json()
    last = api_client.get(f"{URL}?page_size=2&page=3").json()

    assert first["count"] == 5 and first["next"] and first["previous"] is None
    assert [item["id"] for item in first["results"]] == [listings[0].pk, listings[1].pk]
    assert [item["id"] for item in last["results"]] == [listings[4].pk] and last["next"] is None


def test_marketplace_query_count_does_not_grow_with_the_page(api_client, django_assert_max_num_queries):
    for n in range(3):
        make_listing(category=["solar", "recycling", "fuel_switch"][n])
    with django_assert_max_num_queries(2):  # count, page (seller and project joined)
        few = api_client.get(URL)
    for _ in range(25):
        make_listing(category="recycling", country="IN")

    with django_assert_max_num_queries(2):
        many = api_client.get(f"{URL}?page_size=50")
    with django_assert_max_num_queries(2):
        filtered = api_client.get(f"{URL}?category=recycling&country=IN&ordering=-created_at")

    assert few.json()["count"] == 3 and len(many.json()["results"]) == 28
    assert filtered.json()["count"] == 25


def test_a_price_filtered_count_reads_the_listings_alone(api_client):
    for price in ("5.00", "15.00", "25.00"):
        make_listing(price=price)

    with CaptureQueriesContext(connection) as queries:
        body = api_client.get(f"{URL}?min_price=10&max_price=30").json()

    assert body["count"] == 2 == len(body["results"])
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1 and "JOIN" not in counts[0].upper(), "the page's joins would make the count a hash join"


def test_integrity_flags_come_from_the_project(api_client):
    solar_high_income = make_listing(category="solar", country="GB")
    solar_india = make_listing(category="solar", country="IN")
    recycling = make_listing(category="recycling", country="IN")

    flags = {item["id"]: [f["code"] for f in item["integrity_flags"]] for item in api_client.get(URL).json()["results"]}

    assert flags == {
        solar_high_income.pk: ["additionality_high_income_grid"],
        solar_india.pk: [],
        recycling.pk: ["avoided_emissions"],
    }
    detail = api_client.get(f"{URL}{solar_high_income.pk}/").json()
    assert detail["integrity_flags"][0]["code"] == "additionality_high_income_grid"
    assert detail["integrity_flags"][0]["detail"]


def test_marketplace_accepts_a_token_too(auth_client):
    make_listing()

    assert auth_client.get(URL).json()["count"] == 1


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("filters", "index"),
    [
        # Prices order within a currency: one currency filtered, or grouped by currency without a
        # filter (never mixing currencies), both through (currency, price_per_tonne, id).
        ({}, "listing_open_currency_price"),
        ({"ordering": "-price_per_tonne"}, "listing_open_currency_price"),
        ({"currency": "USD"}, "listing_open_currency_price"),
        ({"currency": "USD", "ordering": "-price_per_tonne"}, "listing_open_currency_price"),
        ({"currency": "USD", "min_price": 5, "max_price": 9}, "listing_open_currency_price"),
        ({"ordering": "-created_at"}, "listing_open_created"),
        ({"ordering": "vintage"}, "listing_open_vintage"),
        ({"category": "recycling"}, "listing_open_category_price"),
        ({"country": "IN", "ordering": "-price_per_tonne"}, "listing_open_country_price"),
    ],
)
def test_each_marketplace_query_can_read_its_partial_index(filters, index):
    make_listing()
    rows = marketplace_listing_list(**filters)[:50]
    sql, params = rows.query.sql_with_params()

    with connection.cursor() as cursor:
        # A handful of rows would be read sequentially; forbid that to see which index the
        # query's filter and order can use at all (what 100k rows need).
        for setting in ("enable_seqscan", "enable_sort", "enable_bitmapscan"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(line for (line,) in cursor.fetchall())

    assert f"Index Scan using {index}" in plan or f"Index Scan Backward using {index}" in plan, plan
