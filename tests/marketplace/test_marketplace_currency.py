"""Currencies on the public marketplace: a `currency` filter, and price orderings that never compare
prices of different currencies."""

import pytest

from tests.marketplace.factories import listing as make_listing

pytestmark = pytest.mark.django_db

URL = "/api/marketplace/"


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["results"])
    return [item["id"] for item in body["results"]]


def test_the_currency_filter_keeps_that_currency_and_counts_it(api_client):
    usd_dear = make_listing(price="30.00", currency="USD")
    eur = make_listing(price="10.00", currency="EUR")
    usd_cheap = make_listing(price="20.00", currency="USD")

    response = api_client.get(f"{URL}?currency=USD")

    assert ids(response) == [usd_cheap.pk, usd_dear.pk]
    assert {row["currency"] for row in response.json()["results"]} == {"USD"}
    assert response["Ordering"] == "price_per_tonne, id"
    assert ids(api_client.get(f"{URL}?currency=eur")) == [eur.pk], "codes ignore case"
    assert ids(api_client.get(f"{URL}?currency=GBP")) == []
    assert ids(api_client.get(f"{URL}?currency=USD&max_price=25")) == [usd_cheap.pk]


def test_without_a_currency_a_price_ordering_groups_by_currency_and_says_so(api_client):
    usd_10 = make_listing(price="10.00", currency="USD")
    eur_50 = make_listing(price="50.00", currency="EUR")
    usd_5 = make_listing(price="5.00", currency="USD")
    eur_20 = make_listing(price="20.00", currency="EUR")

    ascending = api_client.get(URL)
    descending = api_client.get(f"{URL}?ordering=-price_per_tonne")

    assert ids(ascending) == [eur_20.pk, eur_50.pk, usd_5.pk, usd_10.pk]
    assert ascending["Ordering"] == "currency, price_per_tonne, id"
    assert ids(descending) == [eur_50.pk, eur_20.pk, usd_10.pk, usd_5.pk]
    assert descending["Ordering"] == "currency, -price_per_tonne, -id"


def test_other_orderings_do_not_group_by_currency(api_client):
    first = make_listing(currency="USD", vintage=2021)
    second = make_listing(currency="EUR", vintage=2022)

    response = api_client.get(f"{URL}?ordering=vintage")

    assert ids(response) == [first.pk, second.pk]
    assert response["Ordering"] == "vintage, id"


@pytest.mark.parametrize("value", ["XYZ", "dollars", "US"])
def test_an_unknown_currency_is_400_naming_it(api_client, value):
    response = api_client.get(f"{URL}?currency={value}")

    assert response.status_code == 400
    assert "currency" in response.json()["errors"]
