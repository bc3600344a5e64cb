"""Writes of the marketplace: list, withdraw, buy, transfer. Credits move only through ``ledger.services``.

Each service is one unit of work (``@atomic_with_retry``). Lock order: the listing row (``FOR
UPDATE``) when there is one, then the credit block, then the open-listing count row (when a listing
opens or closes), then the ledger head. A buy locks the buyer's and seller's money accounts
(``payments.services.order_settle``, primary-key order) after the listing and count rows and before
the block. The marketplace writes its own rows before the ledger takes
the head lock: in the ledger service's ``then`` callback (after the block is locked and split), and
the row that points at the ledger entry (listing, order, transfer) is inserted with the entry.

The count row is locked after the block by a new listing and before it by a buy or a withdrawal.
That cannot deadlock: a new listing locks an *available* block, a buy or a withdrawal a *listed*
one, so no transaction holding the count row ever waits for a block a new listing holds.
"""

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, F
from django.utils import timezone

from accounts.models import Organization
from accounts.selectors import organization_find
from accounts.services import organization_check_can_trade, organization_check_not_suspended
from core.currencies import Currency, minor_unit
from core.db import atomic_with_retry
from core.ids import is_id
from ledger.models import CreditBlock
from ledger.services import (
    block_lock,
    credits_release,
    credits_reserve,
    credits_trade,
    credits_transfer,
    parties_check,
    quantity_check,
)
from marketplace.errors import (
    ListingClosedError,
    ListingInsufficientError,
    ListingNotFoundError,
    RecipientNotFoundError,
)
from marketplace.models import (
    MAX_PRICE_PER_TONNE,
    MIN_PRICE_PER_TONNE,
    Listing,
    OpenListingCount,
    Order,
    Transfer,
)
from marketplace.money import trade_amounts
from payments.services import order_settle
from webhooks.events import EventType
from webhooks.services import Event, event_emit, events_emit


def _check_price(price_per_tonne: Any, currency: Any) -> None:
    errors = {}
    step = minor_unit(currency) if currency in Currency.values else Decimal("0.01")
    if (
        not isinstance(price_per_tonne, Decimal)
        or not price_per_tonne.is_finite()
        or price_per_tonne != price_per_tonne.quantize(step)
        or not MIN_PRICE_PER_TONNE <= price_per_tonne <= MAX_PRICE_PER_TONNE
    ):
        errors["price_per_tonne"] = [
            f"Give a decimal with at most 2 places from {MIN_PRICE_PER_TONNE} to {MAX_PRICE_PER_TONNE}."
        ]
    if currency not in Currency.values:
        errors["currency"] = [f"Use one of: {', '.join(Currency.values)}."]
    if errors:
        raise ValidationError(errors)


def _open_count_add(*, category: str, country: str, vintage: int, delta: int) -> None:
    """Change the open-listing count of one (category, country, vintage) in the caller's transaction,
    before the ledger takes the head lock (see the module docstring for the lock order)."""
    segment: dict[str, Any] = {"category": category, "country": country, "vintage": vintage}
    if delta > 0:
        OpenListingCount.objects.get_or_create(**segment)
    if OpenListingCount.objects.filter(**segment).update(listings=F("listings") + delta) != 1:
        raise RuntimeError(f"no open-listing count for {segment}; run open_listing_counts_rebuild()")


@atomic_with_retry
def listing_create(
    *,
    seller: Organization,
    block_id: int,
    quantity_kg: int,
    price_per_tonne: Decimal,
    currency: str = Currency.USD,
) -> Listing:
    """Offer ``quantity_kg`` of one of the seller's available blocks at ``price_per_tonne``.

    The quantity is reserved through ``credits_reserve`` (status ``listed``, entry ``list``).
    Only a verified seller may list (403 ``organization_unverified`` / ``organization_suspended``).
    Another organisation's block is 404, a block without that much available 409.
    Locks: the seller's row ``FOR SHARE`` (a suspension waits, then withdraws this listing too), the
    block, the open-listing count row, then the ledger head.
    """
    _check_price(price_per_tonne, currency)
    organization_check_can_trade(organization_id=seller.pk)
    block = block_lock(owner=seller, block_id=block_id)
    project = block.project

    def listing_for(reserved: CreditBlock) -> Listing:
        _open_count_add(category=project.category, country=str(project.country), vintage=block.vintage, delta=1)
        return Listing(
            seller=seller,
            block=reserved,
            source_block_id=block.pk,
            project=project,
            category=project.category,
            country=project.country,
            vintage=block.vintage,
            quantity_kg=quantity_kg,
            quantity_available_kg=quantity_kg,
            price_per_tonne=price_per_tonne,
            currency=currency,
        )

    return credits_reserve(owner=seller, block=block, quantity_kg=quantity_kg, then=listing_for).row


def _lock_listing(**lookup: Any) -> Listing:
    """The listing and its credit block, both locked ``FOR UPDATE`` by one statement (the block is
    only ever moved under its listing's lock); the seller and project rows are read, not locked."""
    if not is_id(lookup["pk"]):
        raise ListingNotFoundError()
    try:
        listing = (
            Listing.objects.select_for_update(of=("self", "block"))
            .select_related("seller", "project", "block")
            .get(**lookup)
        )
    except Listing.DoesNotExist:
        raise ListingNotFoundError() from None
    listing.block.project = listing.project  # the same row (a listing offers credits of its project): no second join
    return listing


@atomic_with_retry
def listing_withdraw(*, seller: Organization, listing_id: int, reason: str = "") -> Listing:
    """Close the seller's open listing and return its unsold rest to ``available`` (``credits_release``,
    entry ``delist``, with ``reason`` in its memo when given). Another organisation's listing is 404; a
    closed one 409.

    Locks: the listing row and its block, its open-listing count row, then the ledger head (inside
    ``credits_release``).
    """
    listing = _lock_listing(pk=listing_id, seller=seller)
    if listing.status != Listing.Status.OPEN:
        raise ListingClosedError(listing_id=listing.pk, status=listing.status)
    rest = listing.quantity_available_kg
    listing.status, listing.quantity_available_kg, listing.closed_at = Listing.Status.WITHDRAWN, 0, timezone.now()
    listing.save(update_fields=["status", "quantity_available_kg", "closed_at"])
    _open_count_add(category=listing.category, country=str(listing.country), vintage=listing.vintage, delta=-1)
    memo = {"listing": str(listing.pk)} | ({"reason": reason} if reason else {})
    movement = credits_release(owner=seller, block=listing.block, memo=memo)
    if movement.block.quantity_kg != rest:
        # Only the marketplace moves listed blocks, under this lock: a mismatch is a bug, not a state to serve.
        raise RuntimeError(f"listing {listing.pk} offered {rest} kg but its block held {movement.block.quantity_kg}")
    return listing


@atomic_with_retry
def listing_buy(*, buyer: Organization, listing_id: int, quantity_kg: int) -> Order:
    """Buy ``quantity_kg`` (all or part) of an open listing for ``buyer``.

    The seller's listed block is split (``credits_trade``, entry ``trade`` with the listing and order
    ids in its memo); the buyer receives the last ``quantity_kg`` serials as a new available block.
    The listing closes as ``sold`` when nothing is left. Your own listing is 400, an unknown one
    404, a closed one or one with less left than asked 409 (``available_kg`` in the body).

    The buyer pays ``total + fee`` from its available balance and the seller receives ``total``
    (``order_settle``, one ``purchase`` journal entry in this transaction); a balance short of it
    is 409 ``insufficient_funds`` and nothing happens.

    Locks: the listing row and its block ``FOR UPDATE`` (so concurrent buyers queue here and each
    sees the quantity the previous one left), its open-listing count row when this buy sells it out,
    the buyer's and seller's money accounts, then the ledger head (inside ``credits_trade``).
    """
    quantity_check(quantity_kg)
    organization_check_not_suspended(buyer)
    listing = _lock_listing(pk=listing_id)
    parties_check(sender_id=listing.seller_id, receiver_id=buyer.pk)
    if listing.status != Listing.Status.OPEN:
        raise ListingClosedError(listing_id=listing.pk, status=listing.status)
    if quantity_kg > listing.quantity_available_kg:
        raise ListingInsufficientError(available_kg=listing.quantity_available_kg, requested_kg=quantity_kg)

    listing.quantity_available_kg -= quantity_kg
    listing.quantity_sold_kg += quantity_kg
    update_fields = ["quantity_available_kg", "quantity_sold_kg"]
    if listing.quantity_available_kg == 0:
        listing.status, listing.closed_at = Listing.Status.SOLD, timezone.now()
        update_fields += ["status", "closed_at"]
    listing.save(update_fields=update_fields)
    if listing.status == Listing.Status.SOLD:
        _open_count_add(category=listing.category, country=str(listing.country), vintage=listing.vintage, delta=-1)

    fee_rate = settings.PLATFORM_FEE_RATE
    amounts = trade_amounts(
        price_per_tonne=listing.price_per_tonne, quantity_kg=quantity_kg, fee_rate=fee_rate, currency=listing.currency
    )
    order_id = uuid.uuid4()
    order_settle(
        buyer_id=buyer.pk,
        seller_id=listing.seller_id,
        currency=listing.currency,
        total=amounts.total,
        fee=amounts.fee,
        order_id=order_id,
    )

    def order_for(received: CreditBlock) -> Order:
        # The events are recorded here, with the block split and before the ledger head lock.
        events_emit(
            [
                Event(
                    organization_id=buyer.pk,
                    type=EventType.CREDITS_RECEIVED,
                    data={
                        "reason": "purchase",
                        "order": str(order_id),
                        "block": received.pk,
                        "serial": received.serial,
                        "quantity_kg": quantity_kg,
                        "project": received.project_id,
                        "vintage": received.vintage,
                    },
                ),
                Event(
                    organization_id=listing.seller_id,
                    type=EventType.LISTING_SOLD,
                    data={
                        "listing": listing.pk,
                        "order": str(order_id),
                        "quantity_kg": quantity_kg,
                        "quantity_available_kg": listing.quantity_available_kg,
                        "status": listing.status,
                        "price_per_tonne": str(listing.price_per_tonne),
                        "total": str(amounts.total),
                        "currency": listing.currency,
                    },
                ),
            ]
        )
        return Order(
            id=order_id,
            listing=listing,
            buyer=buyer,
            seller=listing.seller,
            quantity_kg=quantity_kg,
            price_per_tonne=listing.price_per_tonne,
            currency=listing.currency,
            total=amounts.total,
            fee=amounts.fee,
            fee_rate=fee_rate,
            block=received,
            serial_start=received.serial_start,
            serial_end=received.serial_end,
        )

    movement = credits_trade(
        seller=listing.seller,
        block=listing.block,
        quantity_kg=quantity_kg,
        buyer=buyer,
        memo={"listing": str(listing.pk), "order": str(order_id)},
        then=order_for,
    )
    return movement.row


@atomic_with_retry
def transfer_create(*, sender: Organization, block_id: int, quantity_kg: int, to_organization_id: int) -> Transfer:
    """Give ``quantity_kg`` of one of the sender's available blocks to another organisation
    (``credits_transfer``, entry ``transfer`` with the transfer id in its memo). Only a verified sender
    may transfer (403 ``organization_unverified`` / ``organization_suspended``). An unknown recipient
    is a 400 naming ``to_organization``.

    Locks: the sender's row ``FOR SHARE``, the block, then the ledger head (inside ``credits_transfer``).
    """
    organization_check_can_trade(organization_id=sender.pk)
    to = organization_find(organization_id=to_organization_id)
    if to is None:
        raise RecipientNotFoundError()
    parties_check(sender_id=sender.pk, receiver_id=to.pk, field="to_organization")
    transfer_id = uuid.uuid4()

    def transfer_for(moved: CreditBlock) -> Transfer:
        event_emit(
            organization_id=to.pk,
            type=EventType.CREDITS_RECEIVED,
            data={
                "reason": "transfer",
                "transfer": str(transfer_id),
                "from_organization": sender.pk,
                "block": moved.pk,
                "serial": moved.serial,
                "quantity_kg": quantity_kg,
                "project": moved.project_id,
                "vintage": moved.vintage,
            },
        )
        return Transfer(
            id=transfer_id,
            sender=sender,
            recipient=to,
            source_block_id=block_id,
            block=moved,
            project=moved.project,
            vintage=moved.vintage,
            quantity_kg=quantity_kg,
            serial_start=moved.serial_start,
            serial_end=moved.serial_end,
        )

    movement = credits_transfer(
        sender=sender,
        block=block_id,
        quantity_kg=quantity_kg,
        to=to,
        memo={"transfer": str(transfer_id)},
        then=transfer_for,
    )
    return movement.row


SUSPENSION_REASON = "organization suspended"


def listings_withdraw_on_suspension(*, organization: Organization, **_: Any) -> list[Listing]:
    """Withdraw every open listing of an organisation being suspended (the ``organization_suspended``
    signal, sent inside the suspension's transaction with the organisation row locked): each one's
    unsold rest goes back to ``available`` with a ``delist`` entry whose memo gives the reason. In id
    order, each through :func:`listing_withdraw` (listing row, count row, block, ledger head)."""
    if not connection.in_atomic_block:
        raise RuntimeError("listings are withdrawn inside the suspension's transaction")
    open_ids = list(
        Listing.objects.filter(seller=organization, status=Listing.Status.OPEN)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return [listing_withdraw(seller=organization, listing_id=pk, reason=SUSPENSION_REASON) for pk in open_ids]


def listings_close_on_cancellation(
    *, owner_id: int, project_id: int, vintage: int, serial_start: int, serial_end: int, **_: Any
) -> list[Listing]:
    """Close the owner's open listings of credits a reversal is about to cancel (the ledger's
    ``credits_cancelling`` signal, sent inside the reversal's transaction before it locks any block).

    Each listing row is locked ``FOR UPDATE`` in primary-key order — before its block, as a purchase
    locks it, so a purchase either finished first (its buyer keeps the credits) or finds the listing
    closed — and closed as ``withdrawn`` with nothing left for sale. No ``delist`` entry: the listed
    block never returns to ``available``; the ledger's ``cancel`` entry cancels it as listed."""
    if not connection.in_atomic_block:
        raise RuntimeError("listings are closed inside the reversal's transaction")
    listings = list(
        Listing.objects.select_for_update(of=("self",))
        .filter(
            seller_id=owner_id,
            status=Listing.Status.OPEN,
            project_id=project_id,
            vintage=vintage,
            block__serial_start__gte=serial_start,
            block__serial_end__lte=serial_end,
        )
        .order_by("pk")
    )
    now = timezone.now()
    for listing in listings:
        listing.status, listing.quantity_available_kg, listing.closed_at = Listing.Status.WITHDRAWN, 0, now
        listing.save(update_fields=["status", "quantity_available_kg", "closed_at"])
        _open_count_add(category=listing.category, country=str(listing.country), vintage=listing.vintage, delta=-1)
    return listings


@transaction.atomic
def open_listing_counts_rebuild() -> int:
    """Recompute every :class:`OpenListingCount` from the open listings (after a bulk load, or to
    repair a count). Returns the number of open listings. On PostgreSQL, listing writes wait
    until it commits, so no change slips between the count and the rewrite."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Listing._meta.db_table}, {OpenListingCount._meta.db_table} IN SHARE MODE")
    OpenListingCount.objects.all().delete()
    segments = list(
        Listing.objects.filter(status=Listing.Status.OPEN)
        .values("category", "country", "vintage")
        .annotate(listings=Count("id"))
        .order_by()
    )
    OpenListingCount.objects.bulk_create(OpenListingCount(**segment) for segment in segments)
    return sum(segment["listings"] for segment in segments)
