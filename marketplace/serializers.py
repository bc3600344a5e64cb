from decimal import Decimal

from django_countries.serializer_fields import CountryField
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Organization
from accounts.serializers import OrganizationSummarySerializer
from ledger.models import LedgerEntry
from ledger.services import MAX_ID, MAX_QUANTITY_KG
from marketplace.models import MAX_PRICE_PER_TONNE, MIN_PRICE_PER_TONNE, Currency, Listing, Order, Transfer
from marketplace.selectors import DEFAULT_MARKETPLACE_ORDERING, MARKETPLACE_ORDERINGS
from projects.models import Project
from projects.serializers import ProjectSummarySerializer

TONNE = Decimal(1000)


def tonnes(kg: int) -> Decimal:
    """The ``*_t`` view of a quantity: exact, 3 places (1 kg = 0.001 t)."""
    return (Decimal(kg) / TONNE).quantize(Decimal("0.001"))


def quantity_kg_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY_KG, **kwargs)


def price_field(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=12, decimal_places=2, **kwargs)


class CurrencyField(serializers.ChoiceField):
    """An ISO 4217 code from :class:`Currency`; ``usd`` is read as ``USD``."""

    def __init__(self, **kwargs):
        super().__init__(choices=Currency.choices, **kwargs)

    def to_internal_value(self, data):
        return super().to_internal_value(data.strip().upper() if isinstance(data, str) else data)


# --- shared output pieces -------------------------------------------------------------------


class TradeLedgerEntryOutputSerializer(serializers.ModelSerializer):
    hash = serializers.CharField(source="hash_hex", read_only=True, help_text="Hex SHA-256 of the entry.")

    class Meta:
        model = LedgerEntry
        fields = ["seq", "hash"]
        read_only_fields = fields


class TradeBlockOutputSerializer(serializers.Serializer):
    block = serializers.IntegerField(help_text="The credit block now holding these serials.")
    serial = serializers.CharField(help_text="CC-{country}-{project:06d}-{vintage}-{first}-{last}")
    quantity_kg = serializers.IntegerField()


class ListingIntegrityFlagOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()


class MarketplaceSellerOutputSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.code", read_only=True)

    class Meta:
        model = Organization
        fields = ["name", "country"]


def _blocks(*, block_id: int, serial: str, quantity_kg: int) -> list[dict]:
    return [{"block": block_id, "serial": serial, "quantity_kg": quantity_kg}]


# --- listings -------------------------------------------------------------------------------


class ListingCreateInputSerializer(serializers.Serializer):
    block = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="One of your available blocks.")
    quantity_kg = quantity_kg_field(help_text="Kilograms to offer; reserved (status `listed`) until sold or withdrawn.")
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


class MarketplaceListInputSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=Project.Category.choices, required=False)
    country = CountryField(required=False, help_text="ISO 3166-1 alpha-2 code of the project's country.")
    vintage = serializers.IntegerField(min_value=1990, max_value=2999, required=False)
    min_price = price_field(min_value=Decimal(0), required=False, help_text="Price per tonne, inclusive.")
    max_price = price_field(min_value=Decimal(0), required=False, help_text="Price per tonne, inclusive.")
    ordering = serializers.ChoiceField(
        choices=list(MARKETPLACE_ORDERINGS),
        default=DEFAULT_MARKETPLACE_ORDERING,
        help_text="Sort key; `-` for descending. Ties are broken by listing id.",
    )

    def validate_country(self, value: str) -> str:
        return value.upper()

    def validate(self, attrs: dict) -> dict:
        low, high = attrs.get("min_price"), attrs.get("max_price")
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError({"max_price": ["max_price is below min_price."]})
        return attrs


class MarketplaceListingOutputSerializer(serializers.ModelSerializer):
    """An open listing as anyone sees it. ``integrity_flags`` come from the view's context (one lookup per page)."""

    seller = MarketplaceSellerOutputSerializer(read_only=True)
    project = ProjectSummarySerializer(read_only=True)
    quantity_available_t = serializers.SerializerMethodField()
    integrity_flags = serializers.SerializerMethodField()

    class Meta:
        model = Listing
        fields = [
            "id",
            "seller",
            "project",
            "vintage",
            "quantity_available_kg",
            "quantity_available_t",
            "price_per_tonne",
            "currency",
            "integrity_flags",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DecimalField(max_digits=20, decimal_places=3))
    def get_quantity_available_t(self, listing: Listing) -> str:
        return str(tonnes(listing.quantity_available_kg))

    @extend_schema_field(ListingIntegrityFlagOutputSerializer(many=True))
    def get_integrity_flags(self, listing: Listing) -> list[dict]:
        return [flag.as_dict() for flag in self.context["integrity_flags"].get(listing.pk, [])]


# --- buying ---------------------------------------------------------------------------------


class BuyInputSerializer(serializers.Serializer):
    listing = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="An open listing of another organisation."
    )
    quantity_kg = quantity_kg_field(help_text="All or part of what the listing has left.")


class OrderOutputSerializer(serializers.ModelSerializer):
    side = serializers.ChoiceField(choices=[("buy", "buy"), ("sell", "sell")], read_only=True)
    project = ProjectSummarySerializer(source="listing.project", read_only=True)
    vintage = serializers.IntegerField(source="listing.vintage", read_only=True)
    amount_due = serializers.DecimalField(
        max_digits=24, decimal_places=2, read_only=True, help_text="total + fee: what the buyer pays."
    )
    counterparty = serializers.SerializerMethodField()
    blocks = serializers.SerializerMethodField()
    ledger_entry = TradeLedgerEntryOutputSerializer(read_only=True, help_text="The `trade` entry.")

    class Meta:
        model = Order
        fields = [
            "id",
            "side",
            "listing",
            "project",
            "vintage",
            "quantity_kg",
            "price_per_tonne",
            "total",
            "fee",
            "fee_rate",
            "amount_due",
            "currency",
            "counterparty",
            "blocks",
            "ledger_entry",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OrganizationSummarySerializer)
    def get_counterparty(self, order: Order) -> dict:
        other = order.seller if order.side == "buy" else order.buyer
        return OrganizationSummarySerializer(other).data

    @extend_schema_field(TradeBlockOutputSerializer(many=True))
    def get_blocks(self, order: Order) -> list[dict]:
        return _blocks(block_id=order.block_id, serial=order.serial, quantity_kg=order.quantity_kg)


class OrderListInputSerializer(serializers.Serializer):
    side = serializers.ChoiceField(choices=[("buy", "buy"), ("sell", "sell")], required=False)


# --- transfers ------------------------------------------------------------------------------


class TransferCreateInputSerializer(serializers.Serializer):
    block = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="One of your available blocks.")
    quantity_kg = quantity_kg_field()
    to_organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(), help_text="The receiving organisation's id."
    )


class TransferListInputSerializer(serializers.Serializer):
    direction = serializers.ChoiceField(choices=[("sent", "sent"), ("received", "received")], required=False)


class TransferOutputSerializer(serializers.ModelSerializer):
    direction = serializers.ChoiceField(choices=[("sent", "sent"), ("received", "received")], read_only=True)
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

    @extend_schema_field(TradeBlockOutputSerializer(many=True))
    def get_blocks(self, transfer: Transfer) -> list[dict]:
        return _blocks(block_id=transfer.block_id, serial=transfer.serial, quantity_kg=transfer.quantity_kg)
