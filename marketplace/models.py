import uuid
from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django_countries.fields import CountryField

from accounts.models import Organization
from core.currencies import Currency
from ledger.models import CreditBlock, LedgerEntry, format_serial
from projects.models import Project

MIN_PRICE_PER_TONNE = Decimal("0.01")
MAX_PRICE_PER_TONNE = Decimal("100000.00")  # far above any traded credit; keeps totals well inside the columns
OPEN_ONLY = Q(status="open")  # the predicate of the marketplace's partial indexes


class ListingStatus(models.TextChoices):
    OPEN = "open", "Open"
    SOLD = "sold", "Sold out"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Listing(models.Model):
    """Credits offered for sale: ``quantity_kg`` of one listed block, at a price per tonne.

    While open, ``block`` is the seller's ``listed`` block and holds exactly ``quantity_available_kg``
    (only the marketplace moves listed blocks, always under this row's lock). Project, category,
    country and vintage are copies taken when listed — they never change for those credits — so the
    public marketplace filters and sorts one table through its partial indexes on open listings.
    The check constraints tie the quantities to the status.
    """

    Status = ListingStatus

    seller = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="listings", db_index=False)
    block = models.ForeignKey(
        CreditBlock,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The listed block (after a sell-out or withdrawal, whoever holds its serials now).",
    )
    source_block = models.ForeignKey(
        CreditBlock, on_delete=models.PROTECT, related_name="+", help_text="The block the seller listed from."
    )
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="listings")
    category = models.CharField(max_length=20, choices=Project.Category)
    country = CountryField()
    vintage = models.PositiveSmallIntegerField()
    quantity_kg = models.BigIntegerField(help_text="Listed.")
    quantity_sold_kg = models.BigIntegerField(default=0)
    quantity_available_kg = models.BigIntegerField(help_text="Still for sale; 0 once sold out or withdrawn.")
    price_per_tonne = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, choices=Currency, default=Currency.USD)
    status = models.CharField(max_length=10, choices=ListingStatus, default=ListingStatus.OPEN)
    ledger_entry = models.ForeignKey(
        LedgerEntry, on_delete=models.PROTECT, related_name="+", help_text="The `list` entry that reserved it."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["seller", "-created_at"], name="listing_seller_recent"),
            # The public marketplace reads open listings only; these partial indexes hold just those
            # rows, one per sort order and leading filter (docs/MARKETPLACE.md, "Indexes").
            # Prices order within a currency (a filter, or grouped by currency without one).
            models.Index(
                fields=["currency", "price_per_tonne", "id"], condition=OPEN_ONLY, name="listing_open_currency_price"
            ),
            models.Index(fields=["created_at", "id"], condition=OPEN_ONLY, name="listing_open_created"),
            models.Index(fields=["vintage", "id"], condition=OPEN_ONLY, name="listing_open_vintage"),
            models.Index(
                fields=["category", "currency", "price_per_tonne", "id"],
                condition=OPEN_ONLY,
                name="listing_open_category_price",
            ),
            models.Index(
                fields=["country", "currency", "price_per_tonne", "id"],
                condition=OPEN_ONLY,
                name="listing_open_country_price",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity_kg__gte=1), name="listing_quantity_positive"),
            models.CheckConstraint(
                condition=Q(quantity_sold_kg__gte=0, quantity_available_kg__gte=0)
                & Q(quantity_kg__gte=F("quantity_sold_kg") + F("quantity_available_kg")),
                name="listing_quantities_within_listed",
            ),
            models.CheckConstraint(
                condition=~Q(status="open")
                | Q(quantity_available_kg__gte=1, quantity_kg=F("quantity_sold_kg") + F("quantity_available_kg")),
                name="listing_open_has_the_rest",
            ),
            models.CheckConstraint(
                condition=~Q(status="sold") | Q(quantity_available_kg=0, quantity_sold_kg=F("quantity_kg")),
                name="listing_sold_out_sold_all",
            ),
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | Q(quantity_available_kg=0), name="listing_withdrawn_offers_nothing"
            ),
            models.CheckConstraint(
                condition=Q(price_per_tonne__gte=MIN_PRICE_PER_TONNE, price_per_tonne__lte=MAX_PRICE_PER_TONNE),
                name="listing_price_in_range",
            ),
            models.CheckConstraint(condition=Q(currency__in=Currency.values), name="listing_currency_supported"),
            models.CheckConstraint(condition=Q(status__in=ListingStatus.values), name="listing_status_valid"),
        ]

    def __str__(self) -> str:
        return f"Listing {self.pk}: {self.quantity_available_kg} kg at {self.price_per_tonne} {self.currency}/t"


class OpenListingCount(models.Model):
    """How many listings are open in each (category, country, vintage).

    The marketplace's ``count`` without counting every open listing per request (an index-only
    scan of 100k entries costs ~10 ms; summing these rows, microseconds). Exact, not estimated:
    the services change it in the same transaction as the listing's status (opened +1, sold out or
    withdrawn -1), so every committed state has the right count — as with Django's own paginator,
    the count and the page are two statements, and a listing may open or close between them.
    ``marketplace.services.open_listing_counts_rebuild`` recomputes it from the listings.
    """

    category = models.CharField(max_length=20, choices=Project.Category)
    country = CountryField()
    vintage = models.PositiveSmallIntegerField()
    listings = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["category", "country", "vintage"], name="openlistingcount_one_per_segment"),
            models.CheckConstraint(condition=Q(listings__gte=0), name="openlistingcount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.listings} open: {self.category}, {self.country}, {self.vintage}"


class Order(models.Model):
    """One purchase from a listing: what was bought, at what price, for how much, and the serials received.

    Amounts follow ``marketplace.money`` (exact, rounded to the currency's minor unit half up); ``fee_rate`` is the rate
    in force, so an order explains its fee after the setting changes. The serial range is a snapshot:
    the buyer's ``block`` may later shrink or change hands, the order still says what it delivered.
    The id is made before the trade so the ledger entry's memo can name it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="orders")
    buyer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="purchases", db_index=False)
    seller = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="sales", db_index=False)
    quantity_kg = models.BigIntegerField()
    price_per_tonne = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, choices=Currency)
    total = models.DecimalField(max_digits=24, decimal_places=2, help_text="price_per_tonne * kg / 1000, to the cent.")
    fee = models.DecimalField(max_digits=24, decimal_places=2, help_text="total * fee_rate, to the cent; buyer pays.")
    fee_rate = models.DecimalField(max_digits=6, decimal_places=5)
    block = models.ForeignKey(CreditBlock, on_delete=models.PROTECT, related_name="+")
    serial_start = models.BigIntegerField()
    serial_end = models.BigIntegerField()
    ledger_entry = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["buyer", "-created_at"], name="order_buyer_recent"),
            models.Index(fields=["seller", "-created_at"], name="order_seller_recent"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity_kg__gte=1), name="order_quantity_positive"),
            models.CheckConstraint(condition=Q(total__gte=0, fee__gte=0), name="order_amounts_not_negative"),
            models.CheckConstraint(
                condition=Q(serial_end=F("serial_start") + F("quantity_kg") - 1), name="order_serials_match_quantity"
            ),
            models.CheckConstraint(condition=~Q(buyer=F("seller")), name="order_buyer_is_not_seller"),
        ]

    def __str__(self) -> str:
        return f"Order {self.pk}: {self.quantity_kg} kg for {self.total} {self.currency}"

    @property
    def amount_due(self) -> Decimal:
        return self.total + self.fee

    @property
    def serial(self) -> str:
        listing = self.listing
        return format_serial(
            country=str(listing.country),
            project_id=listing.project_id,
            vintage=listing.vintage,
            first=self.serial_start,
            last=self.serial_end,
        )


class Transfer(models.Model):
    """Credits given by one organisation to another, outside the marketplace (no price).

    The serial range is a snapshot of what moved; project and vintage are copied so the list needs
    no join through the blocks. The id is made before the move so the ledger entry's memo can name it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sender = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="transfers_sent", db_index=False)
    recipient = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="transfers_received", db_index=False
    )
    source_block = models.ForeignKey(CreditBlock, on_delete=models.PROTECT, related_name="+")
    block = models.ForeignKey(CreditBlock, on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    vintage = models.PositiveSmallIntegerField()
    quantity_kg = models.BigIntegerField()
    serial_start = models.BigIntegerField()
    serial_end = models.BigIntegerField()
    ledger_entry = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["sender", "-created_at"], name="transfer_sender_recent"),
            models.Index(fields=["recipient", "-created_at"], name="transfer_recipient_recent"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity_kg__gte=1), name="transfer_quantity_positive"),
            models.CheckConstraint(
                condition=Q(serial_end=F("serial_start") + F("quantity_kg") - 1),
                name="transfer_serials_match_quantity",
            ),
            models.CheckConstraint(condition=~Q(sender=F("recipient")), name="transfer_not_to_oneself"),
        ]

    def __str__(self) -> str:
        return f"Transfer {self.pk}: {self.quantity_kg} kg"

    @property
    def serial(self) -> str:
        return format_serial(
            country=str(self.project.country),
            project_id=self.project_id,
            vintage=self.vintage,
            first=self.serial_start,
            last=self.serial_end,
        )
