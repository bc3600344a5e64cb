from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from ledger.audit import ledger_verify, replay
from ledger.errors import (
    BlockNotFoundError,
    BlockStatusError,
    InsufficientCreditsError,
    InvalidQuantityError,
    SelfDealingError,
)
from ledger.models import CreditBlock, LedgerEntry
from marketplace.errors import ListingClosedError, ListingInsufficientError, ListingNotFoundError
from marketplace.models import Listing, OpenListingCount, Order, Transfer
from marketplace.services import (
    listing_buy,
    listing_create,
    listing_withdraw,
    open_listing_counts_rebuild,
    transfer_create,
)
from tests.accounts.factories import OrganizationFactory
from tests.ledger.factories import issue
from tests.marketplace.checks import assert_listing_matches_its_block, assert_open_counts_agree
from tests.marketplace.factories import listing as make_listing

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _open_counts_always_agree(db):
    yield
    assert_open_counts_agree()


def test_listing_reserves_the_quantity_from_the_block():
    issued = issue(quantity_kg=1000, buffer_share=Decimal(0)).owner_block

    listing = listing_create(
        seller=issued.owner, block_id=issued.pk, quantity_kg=300, price_per_tonne=Decimal("12.50"), currency="EUR"
    )

    issued.refresh_from_db()
    assert issued.quantity_kg == 700 and issued.status == "available"
    assert listing.source_block_id == issued.pk and listing.block.parent_id == issued.pk
    assert (listing.category, str(listing.country), listing.vintage) == ("solar", "GB", 2025)
    assert listing.ledger_entry.kind == "list" and listing.ledger_entry.payload["quantity_kg"] == 300
    assert_listing_matches_its_block(listing)


def test_listing_another_organisations_block_is_not_found_and_writes_nothing():
    block = issue().owner_block
    entries = LedgerEntry.objects.count()

    with pytest.raises(BlockNotFoundError):
        listing_create(
            seller=OrganizationFactory.create(), block_id=block.pk, quantity_kg=1, price_per_tonne=Decimal("1.00")
        )

    assert LedgerEntry.objects.count() == entries and not Listing.objects.exists()


def test_listing_more_than_the_block_holds_is_a_conflict():
    block = issue(quantity_kg=100, buffer_share=Decimal(0)).owner_block

    with pytest.raises(InsufficientCreditsError) as caught:
        listing_create(seller=block.owner, block_id=block.pk, quantity_kg=101, price_per_tonne=Decimal("1.00"))

    assert caught.value.extra == {"available_kg": 100, "requested_kg": 101}
    assert not Listing.objects.exists()


def test_a_listed_block_cannot_be_listed_again():
    listing = make_listing()

    with pytest.raises(BlockStatusError):
        listing_create(seller=listing.seller, block_id=listing.block_id, quantity_kg=1, price_per_tonne=Decimal("1"))


@pytest.mark.parametrize(
    ("price", "currency", "field"),
    [
        (Decimal("0.00"), "USD", "price_per_tonne"),
        (Decimal("-1.00"), "USD", "price_per_tonne"),
        (Decimal("1.001"), "USD", "price_per_tonne"),
        (Decimal("100000.01"), "USD", "price_per_tonne"),
        (Decimal("NaN"), "USD", "price_per_tonne"),
        (12.5, "USD", "price_per_tonne"),
        (Decimal("1.00"), "XYZ", "currency"),
        (Decimal("1.00"), "usd", "currency"),
    ],
)
def test_listing_refuses_a_bad_price_or_currency_naming_the_field(price, currency, field):
    block = issue().owner_block

    with pytest.raises(ValidationError) as caught:
        listing_create(seller=block.owner, block_id=block.pk, quantity_kg=1, price_per_tonne=price, currency=currency)

    assert field in caught.value.message_dict
    assert not Listing.objects.exists() and LedgerEntry.objects.count() == 1


def test_partial_buys_split_the_listed_block_and_a_sell_out_closes_the_listing():
    listing = make_listing(quantity_kg=100, price="12.34")
    buyer = OrganizationFactory.create()

    first = listing_buy(buyer=buyer, listing_id=listing.pk, quantity_kg=30)
    assert_listing_matches_its_block(listing)
    second = listing_buy(buyer=buyer, listing_id=listing.pk, quantity_kg=70)

    listing.refresh_from_db()
    assert (listing.status, listing.quantity_sold_kg, listing.quantity_available_kg) == ("sold", 100, 0)
    assert listing.closed_at is not None
    received = [CreditBlock.objects.get(pk=order.block_id) for order in (first, second)]
    assert all(block.owner_id == buyer.pk and block.status == "available" for block in received)
    assert [block.quantity_kg for block in received] == [30, 70]
    assert (first.total, first.fee) == (Decimal("0.37"), Decimal("0.01"))  # 0.3702; fee 0.0074
    assert first.ledger_entry.kind == "trade"
    assert first.ledger_entry.payload["memo"] == {"listing": str(listing.pk), "order": str(first.pk)}
    assert (first.serial_start, first.serial_end) == (received[0].serial_start, received[0].serial_end)
    assert ledger_verify().ok and replay().ok


def test_buying_more_than_is_left_is_a_conflict_naming_what_is_left():
    listing = make_listing(quantity_kg=50)
    listing_buy(buyer=OrganizationFactory.create(), listing_id=listing.pk, quantity_kg=20)

    with pytest.raises(ListingInsufficientError) as caught:
        listing_buy(buyer=OrganizationFactory.create(), listing_id=listing.pk, quantity_kg=31)

    assert caught.value.extra == {"available_kg": 30, "requested_kg": 31}
    assert Order.objects.count() == 1
    assert_listing_matches_its_block(listing)


def test_buying_your_own_listing_is_refused():
    listing = make_listing()

    with pytest.raises(SelfDealingError):
        listing_buy(buyer=listing.seller, listing_id=listing.pk, quantity_kg=1)


@pytest.mark.parametrize("listing_id", [987654, 0, -1, True, "1", None])
def test_buying_an_unknown_listing_is_not_found(listing_id):
    with pytest.raises(ListingNotFoundError):
        listing_buy(buyer=OrganizationFactory.create(), listing_id=listing_id, quantity_kg=1)


@pytest.mark.parametrize("quantity_kg", [0, -5, 1.5, True, "3"])
def test_buying_a_quantity_that_is_not_whole_kilograms_is_refused(quantity_kg):
    listing = make_listing()

    with pytest.raises(InvalidQuantityError):
        listing_buy(buyer=OrganizationFactory.create(), listing_id=listing.pk, quantity_kg=quantity_kg)

    assert_listing_matches_its_block(listing)


def test_withdrawing_returns_the_unsold_rest_and_closes_the_listing():
    listing = make_listing(quantity_kg=100, issued_kg=1000)
    listing_buy(buyer=OrganizationFactory.create(), listing_id=listing.pk, quantity_kg=40)

    listing_withdraw(seller=listing.seller, listing_id=listing.pk)

    listing.refresh_from_db()
    assert (listing.status, listing.quantity_sold_kg, listing.quantity_available_kg) == ("withdrawn", 40, 0)
    block = CreditBlock.objects.get(pk=listing.block_id)
    assert (block.owner_id, block.status, block.quantity_kg) == (listing.seller_id, "available", 60)
    delist = LedgerEntry.objects.order_by("-seq").first()
    assert delist is not None
    assert delist.kind == "delist" and delist.payload["memo"] == {"listing": str(listing.pk)}
    assert replay().ok


def test_a_closed_listing_can_be_neither_bought_nor_withdrawn():
    listing = make_listing(quantity_kg=10)
    listing_buy(buyer=OrganizationFactory.create(), listing_id=listing.pk, quantity_kg=10)
    withdrawn = make_listing()
    listing_withdraw(seller=withdrawn.seller, listing_id=withdrawn.pk)

    for closed in (listing, withdrawn):
        with pytest.raises(ListingClosedError):
            listing_buy(buyer=OrganizationFactory.create(), listing_id=closed.pk, quantity_kg=1)
        with pytest.raises(ListingClosedError):
            listing_withdraw(seller=closed.seller, listing_id=closed.pk)


def test_another_organisation_cannot_withdraw_a_listing():
    listing = make_listing()

    with pytest.raises(ListingNotFoundError):
        listing_withdraw(seller=OrganizationFactory.create(), listing_id=listing.pk)

    assert_listing_matches_its_block(listing)


def test_buy_uses_the_fee_rate_in_force_and_records_it(settings):
    settings.PLATFORM_FEE_RATE = Decimal("0.035")
    listing = make_listing(quantity_kg=1500, issued_kg=2000, price="10.00")

    order = listing_buy(buyer=OrganizationFactory.create(), listing_id=listing.pk, quantity_kg=1500)

    order.refresh_from_db()
    assert (order.total, order.fee, order.fee_rate) == (Decimal("15.00"), Decimal("0.53"), Decimal("0.035"))


def test_transfer_moves_part_of_a_block_and_records_the_serials():
    block = issue(quantity_kg=1000, buffer_share=Decimal(0)).owner_block
    receiver = OrganizationFactory.create()

    transfer = transfer_create(sender=block.owner, block_id=block.pk, quantity_kg=250, to_organization_id=receiver.pk)

    moved = CreditBlock.objects.get(pk=transfer.block_id)
    assert (moved.owner_id, moved.quantity_kg, moved.parent_id) == (receiver.pk, 250, block.pk)
    assert (transfer.serial_start, transfer.serial_end) == (751, 1000)
    assert transfer.ledger_entry.payload["memo"] == {"transfer": str(transfer.pk)}
    assert Transfer.objects.get().project_id == block.project_id


def test_transfer_to_yourself_is_refused_naming_the_field():
    block = issue().owner_block

    with pytest.raises(SelfDealingError) as caught:
        transfer_create(sender=block.owner, block_id=block.pk, quantity_kg=1, to_organization_id=block.owner.pk)

    assert "to_organization" in caught.value.extra["errors"]
    assert LedgerEntry.objects.count() == 1


def test_transfer_of_a_listed_block_is_refused():
    listing = make_listing()

    with pytest.raises(BlockStatusError):
        transfer_create(
            sender=listing.seller,
            block_id=listing.block_id,
            quantity_kg=1,
            to_organization_id=OrganizationFactory.create().pk,
        )

    assert_listing_matches_its_block(listing)


def test_open_listing_counts_follow_every_opening_and_closing():
    listings = [make_listing(category="solar", country="IN", vintage=2024) for _ in range(3)]
    make_listing(category="recycling", country="KE", vintage=2020)
    assert_open_counts_agree()

    listing_buy(buyer=OrganizationFactory.create(), listing_id=listings[0].pk, quantity_kg=40)  # still open
    assert_open_counts_agree()
    listing_buy(buyer=OrganizationFactory.create(), listing_id=listings[0].pk, quantity_kg=60)  # sold out
    listing_withdraw(seller=listings[1].seller, listing_id=listings[1].pk)

    assert OpenListingCount.objects.get(category="solar", country="IN", vintage=2024).listings == 1


def test_a_failed_listing_leaves_the_counts_alone():
    block = issue(quantity_kg=10, buffer_share=Decimal(0)).owner_block

    with pytest.raises(InsufficientCreditsError):
        listing_create(seller=block.owner, block_id=block.pk, quantity_kg=11, price_per_tonne=Decimal("1.00"))

    assert not OpenListingCount.objects.filter(listings__gt=0).exists()


def test_open_listing_counts_can_be_rebuilt_from_the_listings():
    for category in ("solar", "solar", "fuel_switch"):
        make_listing(category=category)
    OpenListingCount.objects.update(listings=7)

    assert open_listing_counts_rebuild() == 3

    assert dict(OpenListingCount.objects.values_list("category", "listings")) == {"solar": 2, "fuel_switch": 1}
