from decimal import Decimal

from django_countries.serializer_fields import CountryField
from rest_framework import serializers

from accounts.serializers import OrganizationSummarySerializer
from sites.models import Site
from sites.readings import MAX_ROWS
from sites.services import MAX_METERS


def _coordinate(limit: int, **kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=9, decimal_places=6, min_value=Decimal(-limit), max_value=Decimal(limit),
                                    **kwargs)  # fmt: skip


def _meter_ids(**kwargs) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.CharField(max_length=64),
        max_length=MAX_METERS,
        help_text="Meter or grid-connection ids (MPAN, consumer number...). One shared with another site puts "
        "this one under review.",
        **kwargs,
    )


def _capacity(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=12, decimal_places=3, min_value=Decimal("0.001"), allow_null=True, help_text="kW (kWp for PV).",
        **kwargs,
    )  # fmt: skip


class SiteCreateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    country = CountryField(help_text="ISO 3166-1 alpha-2; the coordinates must be inside it.")
    latitude = _coordinate(90)
    longitude = _coordinate(180)
    address = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    meter_ids = _meter_ids(required=False, default=list)
    capacity_kw = _capacity(required=False, default=None)

    def validate_country(self, value: str) -> str:
        return value.upper()


class SiteUpdateInputSerializer(serializers.Serializer):
    """Every field optional (PATCH). A new capacity, meter set or location puts the site under review."""

    name = serializers.CharField(max_length=200, required=False)
    address = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    latitude = _coordinate(90, required=False)
    longitude = _coordinate(180, required=False)
    meter_ids = _meter_ids(required=False)
    capacity_kw = _capacity(required=False)

    def validate(self, attrs):
        if ("latitude" in attrs) != ("longitude" in attrs):
            raise serializers.ValidationError({"longitude": ["Give both latitude and longitude to move a site."]})
        return attrs


class SiteReviewReasonOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()


class SiteOutputSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.code", read_only=True)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, coerce_to_string=False)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, coerce_to_string=False)
    capacity_kw = serializers.DecimalField(max_digits=12, decimal_places=3, allow_null=True)
    meter_ids = serializers.SerializerMethodField()
    review_reasons = SiteReviewReasonOutputSerializer(many=True, read_only=True)

    class Meta:
        model = Site
        fields = [
            "id",
            "name",
            "country",
            "latitude",
            "longitude",
            "address",
            "meter_ids",
            "capacity_kw",
            "status",
            "review_reasons",
            "review_note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_meter_ids(self, site: Site) -> list[str]:
        meters = getattr(site, "active_meters", None)
        if meters is None:
            meters = site.meters.filter(active=True).order_by("id")
        return [meter.meter_id for meter in meters]


class SiteReviewOutputSerializer(SiteOutputSerializer):
    owner = OrganizationSummarySerializer(read_only=True)

    class Meta(SiteOutputSerializer.Meta):
        fields = [*SiteOutputSerializer.Meta.fields, "owner"]
        read_only_fields = fields


class SiteReviewListInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Site.Status.choices, required=False)


class SiteReviewDecisionInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReadingRowInputSerializer(serializers.Serializer):
    """Shape only: each row's values are checked one by one (``sites.readings``), so a bad row is
    reported with its reason instead of failing the whole body."""

    start = serializers.JSONField(
        required=False, default=None, help_text="ISO 8601 date-time with a UTC offset, e.g. 2024-06-01T10:00:00+02:00."
    )
    end = serializers.JSONField(
        required=False,
        default=None,
        help_text="ISO 8601 date-time with a UTC offset; after start, at most 92 days later.",
    )
    value = serializers.JSONField(
        required=False, default=None, help_text="Energy over the interval in `unit` (a decimal number, ≥ 0)."
    )


class ReadingsInputSerializer(serializers.Serializer):
    meter_id = serializers.CharField(max_length=64, help_text="One of the site's meter ids.")
    unit = serializers.CharField(max_length=8, help_text="Wh, kWh or MWh.")
    readings = ReadingRowInputSerializer(
        many=True, allow_empty=False, help_text=f"At most {MAX_ROWS:,} rows per request (413 above)."
    )


class ReadingRejectOutputSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="1-based over the data rows (JSON: the readings list).")
    code = serializers.CharField()
    detail = serializers.CharField()


class ReadingsImportOutputSerializer(serializers.Serializer):
    accepted = serializers.IntegerField(help_text="Rows stored now.")
    duplicates = serializers.IntegerField(help_text="Rows already stored (same meter, start, end, value): kept once.")
    rejected = ReadingRejectOutputSerializer(many=True)


class ReadingListInputSerializer(serializers.Serializer):
    meter_id = serializers.CharField(max_length=64, required=False)
    start = serializers.DateTimeField(required=False, help_text="Readings starting at or after this instant.")
    end = serializers.DateTimeField(required=False, help_text="Readings starting before this instant.")


class ReadingOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    meter_id = serializers.CharField(source="meter.meter_id")
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    value = serializers.DecimalField(max_digits=18, decimal_places=4)
    unit = serializers.CharField()
    kwh = serializers.DecimalField(max_digits=20, decimal_places=7)
