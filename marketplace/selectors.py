"""Reads of the marketplace: the public listings, and each organisation's own listings, orders, transfers."""

import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from accounts.models import Organization
from marketplace.errors import ListingNotFoundError, OrderNotFoundError, TransferNotFoundError
from marketplace.integrity import IntegrityFlag, project_flags
from marketplace.models import Listing, OpenListingCount, Order, Transfer

#: ``?ordering=`` values and the ORDER BY each means. Every one ends in ``id`` so pages are stable,
#: and each matches a partial index on open listings (backwards for the descending ones).
MARKETPLACE_ORDERINGS: dict[str, tuple[str, ...]] = {
    "price_per_tonne": ("price_per_tonne", "id"),
    "-price_per_tonne": ("-price_per_tonne", "-id"),
    "created_at": ("created_at", "id"),
    "-created_at": ("-created_at", "-id"),
    "vintage": ("vintage", "id"),
    "-vintage": ("-vintage", "-id"),
}
DEFAULT_MARKETPLACE_ORDERING = "price_per_tonne"
# Prices in different currencies do not compare: without a currency filter, a price ordering
# groups the listings by currency first (ISO code order), then orders each group by price.
PRICE_ORDERINGS = {"price_per_tonne", "-price_per_tonne"}


def marketplace_order_by(ordering: str, *, currency: str | None) -> tuple[str, ...]:
    """The ``order_by`` of the public list: ``currency`` first when prices of several currencies
    would otherwise be mixed."""
    keys = MARKETPLACE_ORDERINGS[ordering]
    return ("currency", *keys) if ordering in PRICE_ORDERINGS and not currency else keys


#: One marketplace row, read as a ``values()`` dict: the public list is the API's hottest read, and
#: building model instances for listing, seller and project cost more than the query itself.
MARKETPLACE_ROW_FIELDS = (
    "id",
    "seller__name",
    "seller__country",
    "seller__verification_status",
    "seller__registration_number",
    "project_id",
    "project__title",
    "category",
    "country",
    "vintage",
    "quantity_available_kg",
    "price_per_tonne",
    "currency",
    "created_at",
)


def _open_listings(
    *,
    category: str | None = None,
    country: str | None = None,
    vintage: int | None = None,
    min_price: Decimal | None = None,
    max_price: Decimal | None = None,
    currency: str | None = None,
) -> QuerySet[Listing]:
    listings = Listing.objects.filter(status=Listing.Status.OPEN)
    if currency:
        listings = listings.filter(currency=currency)
    if category:
        listings = listings.filter(category=category)
    if country:
        listings = listings.filter(country=country)
    if vintage is not None:
        listings = listings.filter(vintage=vintage)
    if min_price is not None:
        listings = listings.filter(price_per_tonne__gte=min_price)
    if max_price is not None:
        listings = listings.filter(price_per_tonne__lte=max_price)
    return listings


def marketplace_listing_list(
    *, ordering: str = DEFAULT_MARKETPLACE_ORDERING, **filters: Any
) -> QuerySet[Listing, dict[str, Any]]:
    """Open listings as ``MARKETPLACE_ROW_FIELDS`` dicts, filtered (``category``, ``country``,
    ``vintage``, ``min_price``, ``max_price``, ``currency``) and ordered (by currency first when a
    price ordering has no currency filter: :func:`marketplace_order_by`), seller and project joined:
    one query per page. Category, country and vintage are the listing's own copies."""
    rows = _open_listings(**filters).values(*MARKETPLACE_ROW_FIELDS)
    return rows.order_by(*marketplace_order_by(ordering, currency=filters.get("currency")))


def marketplace_listing_count(
    *, min_price: Decimal | None = None, max_price: Decimal | None = None, **filters: Any
) -> int:
    """How many open listings match. Without a price filter, the sum of a few
    :class:`OpenListingCount` rows; with one, the listings themselves, counted through the price
    index (on the listing table alone: the page's joins to seller and project would turn an index
    scan into hash joins)."""
    if min_price is not None or max_price is not None or filters.get("currency"):
        # The per-segment counts have no price or currency: count the listings themselves.
        return _open_listings(min_price=min_price, max_price=max_price, **filters).count()
    segments = OpenListingCount.objects.all()
    if filters.get("category"):
        segments = segments.filter(category=filters["category"])
    if filters.get("country"):
        segments = segments.filter(country=filters["country"])
    if filters.get("vintage") is not None:
        segments = segments.filter(vintage=filters["vintage"])
    return segments.aggregate(listings=Coalesce(Sum("listings"), 0))["listings"]


def marketplace_listing_get(*, listing_id: int) -> dict[str, Any]:
    """One open listing, as the marketplace shows it."""
    try:
        return marketplace_listing_list().get(pk=listing_id)
    except Listing.DoesNotExist:
        raise ListingNotFoundError() from None


def integrity_flags_for(rows: Iterable[dict[str, Any]]) -> dict[int, list[IntegrityFlag]]:
    """Flags per listing id, from the project's category and country (no query)."""
    return {row["id"]: project_flags(category=row["category"], country=str(row["country"])) for row in rows}


def listing_list_for(*, organization: Organization, status: str | None = None) -> QuerySet[Listing]:
    """The organisation's own listings, newest first, in every status (or one)."""
    listings = Listing.objects.filter(seller=organization).select_related("project", "ledger_entry")
    if status:
        listings = listings.filter(status=status)
    return listings.defer("ledger_entry__canonical", "project__description").order_by("-created_at", "-id")


def listing_get_for(*, organization: Organization, listing_id: int) -> Listing:
    try:
        return listing_list_for(organization=organization).get(pk=listing_id)
    except Listing.DoesNotExist:
        raise ListingNotFoundError() from None


def order_list_for(*, organization: Organization, side: str | None = None) -> QuerySet[Order]:
    """Orders where the organisation bought or sold, newest first, ``side`` is the serializer's."""
    if side == "buy":
        mine = Q(buyer=organization)
    elif side == "sell":
        mine = Q(seller=organization)
    else:
        mine = Q(buyer=organization) | Q(seller=organization)
    return (
        Order.objects.filter(mine)
        .select_related("listing__project", "buyer", "seller", "ledger_entry")
        .defer("ledger_entry__canonical", "listing__project__description")
        .order_by("-created_at", "-id")
    )


def order_get_for(*, organization: Organization, order_id: uuid.UUID) -> Order:
    """One of the organisation's orders; anyone else's does not exist (404)."""
    order = order_list_for(organization=organization).filter(pk=order_id).first()
    if order is None:
        raise OrderNotFoundError()
    return order


def transfer_list_for(*, organization: Organization, direction: str | None = None) -> QuerySet[Transfer]:
    """Transfers the organisation sent or received, newest first, ``direction`` is the serializer's."""
    if direction == "sent":
        mine = Q(sender=organization)
    elif direction == "received":
        mine = Q(recipient=organization)
    else:
        mine = Q(sender=organization) | Q(recipient=organization)
    return (
        Transfer.objects.filter(mine)
        .select_related("sender", "recipient", "project", "ledger_entry")
        .defer("ledger_entry__canonical", "project__description")
        .order_by("-created_at", "-id")
    )


def transfer_get_for(*, organization: Organization, transfer_id: uuid.UUID) -> Transfer:
    """One transfer the organisation sent or received; anyone else's does not exist (404)."""
    transfer = transfer_list_for(organization=organization).filter(pk=transfer_id).first()
    if transfer is None:
        raise TransferNotFoundError()
    return transfer
