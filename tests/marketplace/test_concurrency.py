"""Real threads against PostgreSQL, through the HTTP API: the listing lock prevents oversell."""

import itertools

import pytest

from ledger.audit import ledger_verify, replay
from ledger.models import CreditBlock
from marketplace.models import Listing, Order
from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.ledger.test_concurrency import race
from tests.marketplace.checks import assert_open_counts_agree
from tests.marketplace.factories import listing as make_listing

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def buy(client, listing_id: int, quantity_kg: int, key: str | None = None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post("/api/buy/", {"listing": listing_id, "quantity_kg": quantity_kg}, format="json", **headers)


def assert_books_agree(listing: Listing) -> None:
    """Orders, the listing, the blocks and the ledger all tell the same story."""
    listing.refresh_from_db()
    orders = list(Order.objects.filter(listing=listing))
    sold = sum(order.quantity_kg for order in orders)
    assert listing.quantity_sold_kg == sold <= listing.quantity_kg, "never more sold than listed"
    for order in orders:
        block = CreditBlock.objects.get(pk=order.block_id)
        assert (block.owner_id, block.status) == (order.buyer_id, "available")
        assert (block.serial_start, block.serial_end) == (order.serial_start, order.serial_end)
    listed = CreditBlock.objects.get(pk=listing.block_id)
    if listing.status == Listing.Status.OPEN:
        assert (listed.status, listed.quantity_kg) == ("listed", listing.quantity_available_kg)
    assert_open_counts_agree()
    ranges = sorted(CreditBlock.objects.filter(project=listing.project).values_list("serial_start", "serial_end"))
    assert all(a[1] + 1 == b[0] for a, b in itertools.pairwise(ranges)), "no kilogram lost or doubled"
    assert ledger_verify().ok
    assert replay().ok


def test_racing_buyers_never_oversell_and_losers_get_409():
    listing = make_listing(quantity_kg=100, issued_kg=100)
    clients = [client_for(UserFactory.create()) for _ in range(12)]

    responses = race(12, lambda i: buy(clients[i], listing.pk, 15))

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] * 6 + [409] * 6, "six fit into 100 kg; no 5xx"
    refused = [response.json() for response in responses if response.status_code == 409]
    assert all(body["code"] == "insufficient_credits" and body["available_kg"] == 10 for body in refused), refused
    listing.refresh_from_db()
    assert (listing.status, listing.quantity_available_kg) == ("open", 10)
    assert_books_agree(listing)


def test_racing_buyers_sell_a_listing_out_exactly_once():
    listing = make_listing(quantity_kg=100, issued_kg=100)
    clients = [client_for(UserFactory.create()) for _ in range(12)]

    responses = race(12, lambda i: buy(clients[i], listing.pk, 10))

    assert sorted(response.status_code for response in responses) == [201] * 10 + [409] * 2
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"listing_closed"}
    listing.refresh_from_db()
    assert (listing.status, listing.quantity_sold_kg) == ("sold", 100)
    assert_books_agree(listing)


def test_buys_racing_a_withdrawal_either_land_before_it_or_are_refused():
    seller = UserFactory.create()
    listing = make_listing(seller=seller.organization, quantity_kg=100, issued_kg=100)
    buyers = [client_for(UserFactory.create()) for _ in range(8)]
    seller_client = client_for(seller)

    def job(i: int):
        if i == 3:
            return seller_client.delete(f"/api/listings/{listing.pk}/")
        return buy(buyers[i], listing.pk, 10)

    responses = race(8, job)

    assert responses[3].status_code == 204
    buys = [response for i, response in enumerate(responses) if i != 3]
    assert all(response.status_code in {201, 409} for response in buys), [r.status_code for r in buys]
    assert all(r.json()["code"] == "listing_closed" for r in buys if r.status_code == 409)
    sold = 10 * sum(response.status_code == 201 for response in buys)
    listing.refresh_from_db()
    assert (listing.status, listing.quantity_sold_kg) == ("withdrawn", sold)
    returned = CreditBlock.objects.get(pk=listing.block_id)
    assert (returned.owner_id, returned.status, returned.quantity_kg) == (
        seller.organization_id,
        "available",
        100 - sold,
    )
    assert_books_agree(listing)


def test_concurrent_repeats_of_one_idempotent_buy_buy_once():
    listing = make_listing(quantity_kg=100, issued_kg=100)
    client = client_for(UserFactory.create())

    responses = race(6, lambda i: buy(client, listing.pk, 10, key="same-key"))

    assert [response.status_code for response in responses] == [201] * 6
    assert len({response.json()["id"] for response in responses}) == 1, "one order, answered six times"
    assert Order.objects.count() == 1
    listing.refresh_from_db()
    assert listing.quantity_available_kg == 90
    assert_books_agree(listing)
