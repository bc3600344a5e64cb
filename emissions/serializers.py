from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.fields import IdField
from emissions.activities import ACTIVITIES, units_help_text
from emissions.arithmetic import plain
from emissions.models import ACTIVITY_CHOICES, EmissionCheck, EmissionFactor, EmissionLine, EmissionReport, Scope

ACTIVITY_HELP = "; ".join(f"{key}: {activity.label} (scope {activity.scope})" for key, activity in ACTIVITIES.items())
REGION_HELP = (
    "ISO 3166-1 alpha-2 country (GB, US, IN, DE, ...) or a grid sub-region listed by /api/emission-factors/ "
    "(US-CAMX, AU-VIC, ...). Default: the organisation's country. Electricity uses this region's grid."
)


def activity_field(**kwargs) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=ACTIVITY_CHOICES, help_text=ACTIVITY_HELP, **kwargs)


def scope_field(**kwargs) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=Scope.choices, help_text="GHG Protocol scope.", **kwargs)


class EmissionLineCreateInputSerializer(serializers.Serializer):
    activity = activity_field()
    # A JSON number is read through its shortest repr, which is exact for every value this field
    # accepts (15 significant digits), and a string is parsed directly: no float ever reaches a sum.
    quantity = serializers.DecimalField(
        max_digits=15,
        decimal_places=4,
        min_value=Decimal(0),
        help_text="Activity amount in `unit`; a JSON number or a decimal string, zero or more, up to 4 decimals.",
    )
    unit = serializers.CharField(max_length=30, help_text=f"Per activity (case-insensitive): {units_help_text()}.")
    region = serializers.CharField(max_length=16, required=False, allow_blank=True, help_text=REGION_HELP)

    def validate(self, attrs: dict) -> dict:
        activity = ACTIVITIES[attrs["activity"]]
        unit = activity.unit(attrs["unit"])
        if unit is None:
            raise serializers.ValidationError(
                {"unit": [f"Unknown unit for {activity.key}. Use one of: {', '.join(activity.unit_codes)}."]}
            )
        return {**attrs, "unit": unit.code}


class EmissionReportCreateInputSerializer(serializers.Serializer):
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    # many=True hands max_length on to ListSerializer; the stubs' __init__ does not list it.
    lines = EmissionLineCreateInputSerializer(many=True, allow_empty=False, max_length=500)  # type: ignore[call-arg]

    def validate(self, attrs: dict) -> dict:
        if attrs["period_end"] < attrs["period_start"]:
            raise serializers.ValidationError({"period_end": ["The period cannot end before it starts."]})
        return attrs


class EmissionLineFactorOutputSerializer(serializers.Serializer):
    """The factor a line used, from the line's snapshot; id, version, URL and licence from the row."""

    id = serializers.IntegerField(source="factor_id")
    version = serializers.IntegerField(source="factor.version")
    value = serializers.DecimalField(
        source="factor_value", max_digits=14, decimal_places=6, normalize_output=True, help_text="kg CO2e per unit."
    )
    unit = serializers.CharField(source="factor_unit")
    # Named like a Field attribute: DRF's metaclass moves declared fields out of the class body.
    source = serializers.CharField(source="factor_source")  # type: ignore[assignment]
    year = serializers.IntegerField(source="factor_year")
    region = serializers.CharField(source="factor_region")
    source_url = serializers.URLField(source="factor.source_url")
    licence = serializers.CharField(source="factor.licence")
    match = serializers.CharField(
        source="factor_match", help_text="region, country (sub-region fell back), default or grid_average."
    )
    # Named like a Field attribute: DRF's metaclass moves declared fields out of the class body.
    label = serializers.CharField(  # type: ignore[assignment]
        source="factor_label", help_text="Why this factor, and any caveat to show users."
    )
    fallback = serializers.BooleanField(
        source="factor_fallback", help_text="True when the factor is a stand-in, not the region's own."
    )


class EmissionLineOutputSerializer(serializers.ModelSerializer):
    activity = activity_field()
    quantity = serializers.DecimalField(max_digits=15, decimal_places=4, normalize_output=True)
    unit = serializers.CharField(help_text="The unit as given, in its canonical spelling (l -> litres).")
    scope = scope_field()
    conversion = serializers.CharField(help_text="Exact decimal multiplier from `unit` to the factor's unit.")
    emissions_kg = serializers.IntegerField(help_text="ROUND_HALF_UP of emissions_exact to whole kg CO2e.")
    emissions_exact = serializers.SerializerMethodField(
        help_text="kg CO2e before rounding: quantity x conversion x value."
    )
    factor = EmissionLineFactorOutputSerializer(source="*")

    class Meta:
        model = EmissionLine
        fields = [
            "activity",
            "quantity",
            "unit",
            "region",
            "scope",
            "conversion",
            "emissions_kg",
            "emissions_exact",
            "factor",
        ]

    @extend_schema_field({"type": "string", "format": "decimal", "pattern": r"^-?\d+(?:\.\d+)?$"})
    def get_emissions_exact(self, line: EmissionLine) -> str:
        return plain(line.emissions_exact)


class EmissionReportOutputSerializer(serializers.ModelSerializer):
    lines = EmissionLineOutputSerializer(many=True, read_only=True)

    class Meta:
        model = EmissionReport
        fields = [
            "id",
            "organization",
            "period_start",
            "period_end",
            "total_kg",
            "scope1_kg",
            "scope2_kg",
            "scope3_kg",
            "created_at",
            "lines",
        ]
        extra_kwargs = {
            "total_kg": {"help_text": "Integer kg CO2e = scope1_kg + scope2_kg + scope3_kg = the sum of the lines."},
            "scope1_kg": {"help_text": "Fuels burned on site and in own vehicles."},
            "scope2_kg": {"help_text": "Purchased electricity, location-based."},
            "scope3_kg": {"help_text": "Travel, waste and grid losses."},
        }


class EmissionReportCheckInputSerializer(serializers.Serializer):
    report = IdField(help_text="Id of one of your emission reports.")


class EmissionFindingOutputSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="duplicate_period, period_overlap, period_too_long, intensity_jump, electricity_unknown_grid, "
        "implausible_magnitude"
    )
    detail = serializers.CharField()


class EmissionCheckOutputSerializer(serializers.ModelSerializer):
    risk_score = serializers.DecimalField(max_digits=4, decimal_places=3, help_text="0..1")
    findings = EmissionFindingOutputSerializer(many=True)

    class Meta:
        model = EmissionCheck
        fields = ["id", "report", "status", "risk_score", "findings", "engine_version", "created_at"]


class EmissionFactorFilterInputSerializer(serializers.Serializer):
    activity = activity_field(required=False)
    region = serializers.CharField(
        required=False, max_length=16, help_text="A region code; also matches its sub-regions (US: US, US-CAMX, ...)."
    )
    include_history = serializers.BooleanField(
        required=False, default=False, help_text="Also list retired versions (default: current versions only)."
    )

    def validate_region(self, value: str) -> str:
        return value.strip().upper()


class EmissionFactorOutputSerializer(serializers.ModelSerializer):
    activity = activity_field()
    scope = serializers.SerializerMethodField()
    unit = serializers.CharField(help_text="The unit the value is per: kWh, m3, litre, kg, passenger_km, vehicle_km.")
    value = serializers.DecimalField(max_digits=14, decimal_places=6, normalize_output=True, help_text="kg CO2e/unit.")
    fallback = serializers.BooleanField(source="is_fallback")

    class Meta:
        model = EmissionFactor
        fields = [
            "id",
            "activity",
            "scope",
            "region",
            "region_name",
            "unit",
            "value",
            "year",
            "source",
            "source_url",
            "licence",
            "source_activity",
            "source_unit",
            "caveat",
            "fallback",
            "version",
            "is_current",
            "created_at",
        ]

    @extend_schema_field(scope_field())
    def get_scope(self, factor: EmissionFactor) -> int:
        return ACTIVITIES[factor.activity].scope
