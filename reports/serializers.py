import re

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.fields import QueryIntegerField
from core.units import kg_to_tonnes
from reports.models import IssuedReport
from reports.selectors import report_published_url

EARLIEST_YEAR = 1990  # the Kyoto base year; nothing in the registry is older
SHA256 = re.compile(r"^[0-9a-f]{64}$")


class GhgYearInputSerializer(serializers.Serializer):
    # In the query string (every endpoint using it takes its options there): ASCII digits only.
    year = QueryIntegerField(
        min_value=EARLIEST_YEAR, max_value=9999, help_text=f"Calendar year, {EARLIEST_YEAR} to the current year (UTC)."
    )

    def get_fields(self):
        fields = super().get_fields()
        # What the schema says (validate_year enforces it): the current year at most.
        fields["year"].max_value = timezone.now().year  # type: ignore[attr-defined]
        return fields

    def validate_year(self, value: int) -> int:
        current = timezone.now().year
        if value > current:
            raise serializers.ValidationError(f"The year {value} has not begun; give {current} or earlier.")
        return value


class GhgPdfIssueInputSerializer(GhgYearInputSerializer):
    public = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Publish this document: anyone holding it can then check it at /reports/verify/.",
    )


class GhgOrganizationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    country = serializers.CharField()


class GhgCarrierOutputSerializer(serializers.Serializer):
    carrier = serializers.CharField(help_text="electricity, natural_gas, diesel, petrol, lpg, self_generation")
    # Named like a Field attribute: DRF's metaclass moves declared fields out of the class body.
    label = serializers.CharField()  # type: ignore[assignment]
    kwh = serializers.IntegerField()
    renewable = serializers.BooleanField()


class GhgEnergyOutputSerializer(serializers.Serializer):
    total = serializers.IntegerField(source="total_kwh", help_text="kWh: electricity as billed, fuels at net CV.")
    renewable = serializers.IntegerField(source="renewable_kwh")
    non_renewable = serializers.IntegerField(source="non_renewable_kwh")
    by_carrier = GhgCarrierOutputSerializer(source="carriers", many=True)


class GhgActivityOutputSerializer(serializers.Serializer):
    activity = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field, as above
    scope = serializers.IntegerField()
    quantity = serializers.DecimalField(
        max_digits=20, decimal_places=4, help_text="The year's share of the quantity, in `unit`."
    )
    unit = serializers.CharField(help_text="The unit the emission factor is per (kWh, m3, litre, kg, ...).")
    emissions_kg = serializers.IntegerField()
    energy_kwh = serializers.IntegerField(allow_null=True, help_text="null: not energy the organisation consumed.")
    lines = serializers.IntegerField(help_text="Report lines behind this row.")


class GhgMonthOutputSerializer(serializers.Serializer):
    month = serializers.CharField(source="label", help_text="YYYY-MM")
    scope1_kg = serializers.IntegerField()
    scope2_kg = serializers.IntegerField()
    scope3_kg = serializers.IntegerField()
    total_kg = serializers.IntegerField()
    energy_kwh = serializers.IntegerField()
    days = serializers.IntegerField()
    days_covered = serializers.IntegerField(help_text="Days of the month some emissions report covers.")
    begun = serializers.BooleanField(help_text="False for months of the current year still to come.")


class GhgRetirementOutputSerializer(serializers.Serializer):
    public_id = serializers.CharField()
    serial = serializers.CharField()
    quantity_kg = serializers.IntegerField()
    retired_at = serializers.DateTimeField()
    beneficiary = serializers.CharField()
    public_url = serializers.URLField()


class GhgIntensityOutputSerializer(serializers.Serializer):
    per_employee_kg = serializers.DecimalField(
        max_digits=20,
        decimal_places=1,
        allow_null=True,
        help_text="kg CO2e per employee; null: headcount not recorded.",
    )
    per_revenue_kg = serializers.DecimalField(
        max_digits=24,
        decimal_places=1,
        allow_null=True,
        help_text="kg CO2e per 1,000,000 units of annual revenue in `currency`; null: revenue not recorded.",
    )
    per_revenue_unit = serializers.CharField(source="revenue_unit")
    employees = serializers.IntegerField(allow_null=True)
    annual_revenue = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    currency = serializers.CharField()


class GhgFactorOutputSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="emission (kg CO2e per unit) or energy (kWh per unit, net CV).")
    id = serializers.IntegerField(
        source="factor_id", allow_null=True, help_text="Emission factor row; null for energy."
    )
    version = serializers.IntegerField(allow_null=True)
    activity = serializers.CharField()
    region = serializers.CharField()
    value = serializers.DecimalField(max_digits=20, decimal_places=6, normalize_output=True)
    value_unit = serializers.CharField()
    # Named like a Field attribute: DRF's metaclass moves declared fields out of the class body.
    source = serializers.CharField()  # type: ignore[assignment]
    source_url = serializers.URLField()
    year = serializers.IntegerField()
    licence = serializers.CharField()
    fallback = serializers.BooleanField()
    note = serializers.CharField(help_text="Why this factor, and its caveat; for energy, how the value was derived.")
    lines = serializers.IntegerField()


class GhgReportShareOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The emissions report (/api/emissions/{id}/).")
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    total_kg = serializers.IntegerField()
    days = serializers.IntegerField()
    days_in_year = serializers.IntegerField()
    in_year_kg = serializers.IntegerField(help_text="Its kg counted in this year (all of it when inside the year).")


class GhgNoteOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    severity = serializers.ChoiceField(choices=["info", "warning"])
    detail = serializers.CharField()


class GhgStatementOutputSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    organization = GhgOrganizationOutputSerializer()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    data_as_of = serializers.DateTimeField(
        allow_null=True, help_text="The newest report or retirement behind the figures; null: no data."
    )
    in_progress = serializers.BooleanField(help_text="The year is not over.")
    scope1_kg = serializers.IntegerField()
    scope2_kg = serializers.IntegerField(help_text="Location-based.")
    scope3_kg = serializers.IntegerField(help_text="The categories reported only.")
    total_kg = serializers.IntegerField()
    total_t = serializers.SerializerMethodField()
    scope2_method = serializers.SerializerMethodField()
    energy_kwh = GhgEnergyOutputSerializer(source="energy")
    by_activity = GhgActivityOutputSerializer(many=True)
    monthly = GhgMonthOutputSerializer(many=True)
    retired_kg = serializers.IntegerField(help_text="Credits the organisation retired in the year.")
    net_kg = serializers.IntegerField(help_text="total_kg - retired_kg.")
    retirements = GhgRetirementOutputSerializer(many=True)
    intensity = GhgIntensityOutputSerializer()
    factors = GhgFactorOutputSerializer(many=True)
    reports = GhgReportShareOutputSerializer(many=True)
    notes = GhgNoteOutputSerializer(many=True)
    fingerprint = serializers.CharField(help_text="SHA-256 of the statement's data; printed on the PDF and CSV.")

    @extend_schema_field(serializers.DecimalField(max_digits=20, decimal_places=3))
    def get_total_t(self, statement) -> str:
        return str(kg_to_tonnes(statement.total_kg))

    @extend_schema_field(serializers.ChoiceField(choices=["location-based"]))
    def get_scope2_method(self, statement) -> str:
        return "location-based"


class IssuedReportOutputSerializer(serializers.ModelSerializer):
    verify_url = serializers.SerializerMethodField(help_text="The document's public page; null until published.")

    class Meta:
        model = IssuedReport
        fields = [
            "id",
            "kind",
            "year",
            "sha256",
            "size_bytes",
            "fingerprint",
            "layout_version",
            "data_as_of",
            "public",
            "published_at",
            "created_at",
            "verify_url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_verify_url(self, report: IssuedReport) -> str | None:
        return report_published_url(report) if report.public else None


class IssuedReportUpdateInputSerializer(serializers.Serializer):
    public = serializers.BooleanField(help_text="true: anyone holding the document can check it; false: withdraw.")


@extend_schema_field({"type": "string", "pattern": r"^\s*[0-9a-fA-F]{64}\s*$"})
class Sha256Field(serializers.CharField):
    """64 hexadecimal characters, either case, blanks around them ignored."""


class ReportVerifyInputSerializer(serializers.Serializer):
    sha256 = Sha256Field(help_text="The document's SHA-256, 64 hex characters.")

    def validate_sha256(self, value: str) -> str:
        value = value.strip().lower()
        if not SHA256.match(value):
            raise serializers.ValidationError("Give the SHA-256 as 64 hexadecimal characters.")
        return value


class ReportVerifyOrganizationOutputSerializer(serializers.Serializer):
    name = serializers.CharField()
    country = serializers.CharField(source="country.code")


class ReportVerifyDocumentOutputSerializer(serializers.Serializer):
    kind = serializers.CharField()
    year = serializers.IntegerField()
    organization = ReportVerifyOrganizationOutputSerializer()
    issued_at = serializers.DateTimeField(source="created_at")
    published_at = serializers.DateTimeField()


class ReportVerifyOutputSerializer(serializers.Serializer):
    sha256 = serializers.CharField()
    issued = serializers.BooleanField(help_text="The registry issued a document with exactly these bytes, published.")
    document = ReportVerifyDocumentOutputSerializer(allow_null=True)
