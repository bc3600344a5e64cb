"""Invariants the marketplace keeps; tests assert them after whatever they did."""

from django.db.models import Count

from ledger.models import CreditBlock
from marketplace.models import Listing, OpenListingCount


def assert_listing_matches_its_block(listing: Listing) -> None:
    """While open, the listed block is the seller's, listed, and holds exactly what the listing offers."""
    listing.refresh_from_db()
    block = CreditBlock.objects.get(pk=listing.block_id)
    assert listing.status == Listing.Status.OPEN
    assert (block.owner_id, block.status, block.quantity_kg) == (
        listing.seller_id,
        "listed",
        listing.quantity_available_kg,
    )


def assert_open_counts_agree() -> None:
    """OpenListingCount says exactly how many listings are open in each (category, country, vintage)."""
    open_listings = Listing.objects.filter(status="open").values("category", "country", "vintage")
    actual = {
        (row["category"], row["country"], row["vintage"]): row["n"] for row in open_listings.annotate(n=Count("id"))
    }
    counted = {
        (row.category, str(row.country), row.vintage): row.listings
        for row in OpenListingCount.objects.all()
        if row.listings
    }
    assert counted == actual
