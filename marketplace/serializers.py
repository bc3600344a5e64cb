from datetime import UTC, datetime
from decimal import Decimal

from django_countries import countries
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Organization, VerificationStatus
from accounts.serializers import PUBLIC_REGISTRATION_HELP, OrganizationSummarySerializer
from core.currencies import Currency
from core.fields import CurrencyField, IdField, QueryIntegerField
from core.units import kg_to_tonnes
from ledger.serializers import QuantityKgField
from marketplace.models import MAX_PRICE_PER_TONNE, MIN_PRICE_PER_TONNE, Listing, Order, Transfer
from marketplace.selectors import DEFAULT_MARKETPLACE_ORDERING, MARKETPLACE_ORDERINGS
from projects.models import Project
from projects.serializers import ProjectSummarySerializer


def tonnes(kg: int) -> Decimal:
    """The ``*_t`` view of a quantity: exact, 3 places (1 kg = 0.001 t)."""
    return kg_to_tonnes(kg)


def utc_timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``, as DRF's DateTimeField writes it under this project's settings
    (USE_TZ, TIME_ZONE UTC), without its per-value lookup of the current time zone."""
    return moment.astimezone(UTC).isoformat().removesuffix("+00:00") + "Z"


def price_field(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=12, decimal_places=2, **kwargs)


# --- shared output pieces -------------------------------------------------------------------


class TradeLedgerEntryOutputSerializer(serializers.Serializer):
    seq = serializers.IntegerField(read_only=True)
    hash = serializers.CharField(source="hash_hex", read_only=True, help_text="Hex SHA-256 of the entry.")


class TradeBlockOutputSerializer(serializers.Serializer):
    block = serializers.IntegerField(help_text="The credit block now holding these serials.")
    serial = serializers.CharField(help_text="CC-{country}-{project:06d}-{vintage}-{first}-{last}")
    quantity_kg = serializers.IntegerField()


class ListingIntegrityFlagOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()


class MarketplaceSellerOutputSerializer(serializers.ModelSerializer):
    """The seller as the public sees it: its standing, and its registration number once verified."""

    country = serializers.CharField(source="country.code", read_only=True)
    verification_status = serializers.ChoiceField(choices=VerificationStatus.choices, read_only=True)
    registration_number = serializers.CharField(
        source="public_registration_number", read_only=True, allow_null=True, help_text=PUBLIC_REGISTRATION_HELP
    )

    class Meta:
        model = Organization
        fields = ["name", "country", "verification_status", "registration_number"]


def _blocks(*, block_id: int, serial: str, quantity_kg: int) -> list[dict]:
    return [{"block": block_id, "serial": serial, "quantity_kg": quantity_kg}]


# --- listings -------------------------------------------------------------------------------


class ListingCreateInputSerializer(serializers.Serializer):
    block = IdField(help_text="One of your available blocks.")
    quantity_kg = QuantityKgField(help_text="Kilograms to offer; reserved (status `listed`) until sold or withdrawn.")
    price_per_tonne = price_field(
        min_value=MIN_PRICE_PER_TONNE,
        max_value=MAX_PRICE_PER_TONNE,
        help_text="Decimal string (or JSON number) with at most 2 places, per tonne (1,000 kg).",
    )
    currency = CurrencyField(default=Currency.USD, help_text="ISO 4217; default USD.")


class ListingListInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Listing.Status.choices, required=False)


class ListingOutputSerializer(serializers.ModelSerializer):
    """A listing as its seller sees it."""

    project = ProjectSummarySerializer(read_only=True)
    country = serializers.CharField(source="country.code", read_only=True)
    quantity_available_t = serializers.SerializerMethodField()
    ledger_entry = TradeLedgerEntryOutputSerializer(read_only=True, help_text="The `list` entry that reserved it.")

    class Meta:
        model = Listing
        fields = [
            "id",
            "status",
            "block",
            "source_block",
            "project",
            "category",
            "country",
            "vintage",
            "quantity_kg",
            "quantity_sold_kg",
            "quantity_available_kg",
            "quantity_available_t",
            "price_per_tonne",
            "currency",
            "ledger_entry",
            "created_at",
            "closed_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DecimalField(max_digits=20, decimal_places=3))
    def get_quantity_available_t(self, listing: Listing) -> str:
        return str(tonnes(listing.quantity_available_kg))


# The codes a country filter reads: alpha-2, and alpha-3 too (any case, blanks around ignored).
COUNTRY_QUERY_CODES = sorted({code for code, _ in countries} | {countries.alpha3(code) for code, _ in countries} - {""})


@extend_schema_field({"type": "string", "enum": COUNTRY_QUERY_CODES})
class CountryQueryField(serializers.CharField):
    """An ISO 3166-1 code in a query string, as the schema's enum of codes."""


class MarketplaceListInputSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=Project.Category.choices, required=False)
    # A CharField checked against django-countries, not its CountryField: that is a ChoiceField of
    # every country, copied for every request of the API's hottest read.
    country = CountryQueryField(
        max_length=3,
        required=False,
        help_text="ISO 3166-1 code of the project's country (alpha-2; alpha-3 is read too).",
    )
    vintage = QueryIntegerField(min_value=1990, max_value=2999, required=False)
    min_price = price_field(min_value=Decimal(0), required=False, help_text="Price per tonne, inclusive.")
    max_price = price_field(min_value=Decimal(0), required=False, help_text="Price per tonne, inclusive.")
    currency = CurrencyField(required=False, help_text="Only listings priced in this ISO 4217 currency.")
    ordering = serializers.ChoiceField(
        choices=list(MARKETPLACE_ORDERINGS),
        default=DEFAULT_MARKETPLACE_ORDERING,
        help_text=(
            "Sort key; `-` for descending. Ties are broken by listing id. Prices in different currencies are "
            "never compared: without `currency`, `price_per_tonne` orders by currency (ISO code) first, then by "
            "price within each currency (the `Ordering` response header names the keys used)."
        ),
    )

    def validate_country(self, value: str) -> str:
        code = countries.alpha2(value.strip())
        if not code:
            raise serializers.ValidationError("Not an ISO 3166-1 country code.")
        return code

    def validate(self, attrs: dict) -> dict:
        low, high = attrs.get("min_price"), attrs.get("max_price")
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError({"max_price": ["max_price is below min_price."]})
        return attrs


class MarketplaceProjectOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    category = serializers.ChoiceField(choices=Project.Category.choices)
    country = serializers.CharField(help_text="ISO 3166-1 alpha-2.")


class MarketplaceListingOutputSerializer(serializers.Serializer):
    """An open listing as anyone sees it, from a ``marketplace_listing_list`` row.

    The declared fields are the schema; ``to_representation`` builds the same dict directly,
    because DRF's field-by-field walk cost ~0.2 ms a row, most of a page's time
    (tests/marketplace/test_marketplace_api.py keeps the two in step). It never touches
    ``self.fields``, whose first use deep-copies every declared field (~1 ms a page).
    ``integrity_flags`` come from the context, looked up once per page.
    """

    id = serializers.IntegerField()
    seller = MarketplaceSellerOutputSerializer()
    project = MarketplaceProjectOutputSerializer()
    vintage = serializers.IntegerField()
    quantity_available_kg = serializers.IntegerField()
    quantity_available_t = serializers.DecimalField(max_digits=20, decimal_places=3)
    price_per_tonne = price_field()
    currency = serializers.ChoiceField(choices=Currency.choices)
    integrity_flags = ListingIntegrityFlagOutputSerializer(many=True)
    created_at = serializers.DateTimeField()

    def to_representation(self, row: dict) -> dict:
        flags = self.context["integrity_flags"].get(row["id"], [])
        return {
            "id": row["id"],
            "seller": {
                "name": row["seller__name"],
                "country": str(row["seller__country"]),
                "verification_status": row["seller__verification_status"],
                "registration_number": (
                    row["seller__registration_number"]
                    if row["seller__verification_status"] == VerificationStatus.VERIFIED
                    else None
                ),
            },
            "project": {
                "id": row["project_id"],
                "title": row["project__title"],
                "category": row["category"],
                "country": str(row["country"]),
            },
            "vintage": row["vintage"],
            "quantity_available_kg": row["quantity_available_kg"],
            "quantity_available_t": str(tonnes(row["quantity_available_kg"])),
            "price_per_tonne": f"{row['price_per_tonne']:.2f}",
            "currency": row["currency"],
            "integrity_flags": [flag.as_dict() for flag in flags],
            "created_at": utc_timestamp(row["created_at"]),
        }


# --- buying ---------------------------------------------------------------------------------


class BuyInputSerializer(serializers.Serializer):
    listing = IdField(help_text="An open listing of another organisation.")
    quantity_kg = QuantityKgField(help_text="All or part of what the listing has left.")


class OrderOutputSerializer(serializers.Serializer):
    """One order. A plain Serializer: a ModelSerializer introspects the model for its fields on every
    instance, and the buy renders this while its transaction still holds the ledger head lock."""

    id = serializers.UUIDField()
    side = serializers.SerializerMethodField()
    listing = serializers.IntegerField(source="listing_id")
    project = MarketplaceProjectOutputSerializer(source="listing.project")
    vintage = serializers.IntegerField(source="listing.vintage")
    quantity_kg = serializers.IntegerField()
    price_per_tonne = price_field()
    total = serializers.DecimalField(max_digits=24, decimal_places=2, help_text="price_per_tonne * kg / 1000.")
    fee = serializers.DecimalField(max_digits=24, decimal_places=2, help_text="total * fee_rate; paid by the buyer.")
    fee_rate = serializers.DecimalField(max_digits=6, decimal_places=5)
    amount_due = serializers.DecimalField(
        max_digits=24, decimal_places=2, help_text="total + fee: what the buyer pays."
    )
    currency = serializers.ChoiceField(choices=Currency.choices)
    counterparty = serializers.SerializerMethodField()
    blocks = serializers.SerializerMethodField()
    ledger_entry = TradeLedgerEntryOutputSerializer(help_text="The `trade` entry.")
    created_at = serializers.DateTimeField()

    @extend_schema_field(serializers.ChoiceField(choices=[("buy", "buy"), ("sell", "sell")]))
    def get_side(self, order: Order) -> str:
        """``buy`` when the organisation in the context bought, ``sell`` when it sold."""
        return "buy" if order.buyer_id == self.context["organization"].pk else "sell"

    @extend_schema_field(OrganizationSummarySerializer)
    def get_counterparty(self, order: Order) -> dict:
        other = order.seller if self.get_side(order) == "buy" else order.buyer
        return OrganizationSummarySerializer(other).data

    @extend_schema_field(TradeBlockOutputSerializer(many=True))
    def get_blocks(self, order: Order) -> list[dict]:
        return _blocks(block_id=order.block_id, serial=order.serial, quantity_kg=order.quantity_kg)


class OrderListInputSerializer(serializers.Serializer):
    side = serializers.ChoiceField(choices=[("buy", "buy"), ("sell", "sell")], required=False)


# --- transfers ------------------------------------------------------------------------------


class TransferCreateInputSerializer(serializers.Serializer):
    block = IdField(help_text="One of your available blocks.")
    quantity_kg = QuantityKgField()
    to_organization = IdField(help_text="The receiving organisation's id.")


class TransferListInputSerializer(serializers.Serializer):
    direction = serializers.ChoiceField(choices=[("sent", "sent"), ("received", "received")], required=False)


class TransferOutputSerializer(serializers.ModelSerializer):
    direction = serializers.SerializerMethodField()
    from_organization = OrganizationSummarySerializer(source="sender", read_only=True)
    to_organization = OrganizationSummarySerializer(source="recipient", read_only=True)
    project = ProjectSummarySerializer(read_only=True)
    blocks = serializers.SerializerMethodField()
    ledger_entry = TradeLedgerEntryOutputSerializer(read_only=True, help_text="The `transfer` entry.")

    class Meta:
        model = Transfer
        fields = [
            "id",
            "direction",
            "quantity_kg",
            "from_organization",
            "to_organization",
            "project",
            "vintage",
            "source_block",
            "blocks",
            "ledger_entry",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=[("sent", "sent"), ("received", "received")]))
    def get_direction(self, transfer: Transfer) -> str:
        """``sent`` when the organisation in the context sent it, ``received`` otherwise."""
        return "sent" if transfer.sender_id == self.context["organization"].pk else "received"

    @extend_schema_field(TradeBlockOutputSerializer(many=True))
    def get_blocks(self, transfer: Transfer) -> list[dict]:
        return _blocks(block_id=transfer.block_id, serial=transfer.serial, quantity_kg=transfer.quantity_kg)
