from decimal import Decimal
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.fields import IdField
from core.references import reference_key
from core.units import kg_to_tonnes
from ledger.serializers import QuantityKgField
from ledger.services import MAX_QUANTITY_KG
from projects.credit_types import credit_type
from projects.models import Project
from projects.selectors import project_owned_by
from verification.engine.screening import SCREENING_LABEL
from verification.models import Audit, EvidenceItem, ReductionClaim

UNIT_ALIASES = {
    "kwh": "kWh",
    "mwh": "MWh",
    "l": "litre",
    "litre": "litre",
    "litres": "litre",
    "liter": "litre",
    "liters": "litre",
    "m3": "m3",
    "m³": "m3",
    "cubic_metre": "m3",
    "cubic_metres": "m3",
    "kg": "kg",
    "t": "t",
    "tonne": "t",
    "tonnes": "t",
}
EVIDENCE_UNITS = ("kWh", "MWh", "litre", "m3", "kg", "t")
PARAMETER_UNITS = ("kWh", "litre", "m3")
FUEL_UNITS = {
    "diesel": ("litre", "kWh"),
    "petrol": ("litre",),
    "lpg": ("litre", "kWh"),
    "natural_gas": ("kWh", "m3"),
    "heating_oil": ("litre",),
    "electricity": ("kWh",),
}
MAX_EVIDENCE_ITEMS = 400


class UnitField(serializers.ChoiceField):
    """A unit, accepting common spellings (``litres``, ``kwh``, ``tonnes``) and storing the canonical one."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = UNIT_ALIASES.get(data.strip().lower(), data)
        return super().to_internal_value(data)


def _quantity(*, min_value: int | Decimal = 0, **kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=18, decimal_places=3, min_value=Decimal(min_value), **kwargs)


class SolarParametersInputSerializer(serializers.Serializer):
    capacity_kwp = _quantity(min_value=Decimal("0.001"), help_text="Installed DC capacity, kWp.")
    generation_kwh = _quantity(
        required=False,
        help_text="Metered generation over the period, kWh. Required unless `source` is `readings`; with readings "
        "it is checked against their sum (the lesser is credited).",
    )
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=["declared", "readings"],
        default="declared",
        help_text="`readings`: the generation is the sum of the site's stored meter readings for the period "
        "(POST /api/sites/{id}/readings/), the strongest evidence.",
    )
    tilt_deg = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal(0), max_value=Decimal(90), required=False,
        help_text="Module tilt from horizontal (degrees); the site's expected yield is computed for it. Default: "
        "the best tilt for the latitude.",
    )  # fmt: skip
    azimuth_deg = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal(0), max_value=Decimal(360), required=False,
        help_text="Module azimuth, degrees clockwise from north (180 = south). Default: facing the equator.",
    )  # fmt: skip

    def validate(self, attrs):
        if attrs.get("source", "declared") == "declared" and attrs.get("generation_kwh") is None:
            raise serializers.ValidationError({"generation_kwh": ["This field is required."]})
        return attrs


class EfficiencyParametersInputSerializer(serializers.Serializer):
    measure = serializers.ChoiceField(choices=["led", "hvac", "motor", "insulation", "other"])
    energy_carrier = serializers.ChoiceField(choices=["electricity", "natural_gas", "diesel"])
    baseline_kwh = _quantity(min_value=Decimal("0.001"), help_text="Consumption before, over a period of equal length.")
    post_kwh = _quantity(help_text="Consumption over the monitoring period, kWh.")


class RecyclingParametersInputSerializer(serializers.Serializer):
    material = serializers.ChoiceField(choices=["paper", "cardboard", "plastic", "metal", "glass", "organic", "mixed"])
    mass_kg = _quantity(min_value=Decimal("0.001"), help_text="Mass sent to recycling over the period, kg.")


class FuelSwitchParametersInputSerializer(serializers.Serializer):
    baseline_fuel = serializers.ChoiceField(choices=["diesel", "petrol", "lpg", "natural_gas", "heating_oil"])
    baseline_quantity = _quantity(min_value=Decimal("0.001"))
    new_fuel = serializers.ChoiceField(
        choices=["electricity", "solar", "diesel", "petrol", "lpg", "natural_gas", "heating_oil"]
    )
    new_quantity = _quantity(help_text="The new supply over the period (kWh for electricity and solar).")
    unit = UnitField(choices=PARAMETER_UNITS, help_text="Unit of baseline_quantity: kWh, litre or m3.")
    new_unit = UnitField(
        choices=PARAMETER_UNITS,
        required=False,
        help_text="Unit of new_quantity; kWh for electricity and solar, otherwise defaults to `unit`.",
    )

    def validate(self, attrs):
        errors = {}
        if attrs["new_fuel"] == attrs["baseline_fuel"]:
            errors["new_fuel"] = ["The new fuel must differ from the baseline fuel."]
        if attrs["unit"] not in FUEL_UNITS[attrs["baseline_fuel"]]:
            allowed = " or ".join(FUEL_UNITS[attrs["baseline_fuel"]])
            errors["unit"] = [f"{attrs['baseline_fuel']} is measured in {allowed}."]
        if attrs["new_fuel"] in ("electricity", "solar"):
            if attrs.get("new_unit", "kWh") != "kWh":
                errors["new_unit"] = [f"{attrs['new_fuel']} is measured in kWh."]
            attrs["new_unit"] = "kWh"
        else:
            attrs.setdefault("new_unit", attrs["unit"])
            if attrs["new_unit"] not in FUEL_UNITS[attrs["new_fuel"]]:
                allowed = " or ".join(FUEL_UNITS[attrs["new_fuel"]])
                errors["new_unit"] = [f"{attrs['new_fuel']} is measured in {allowed}."]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


PARAMETER_SERIALIZERS: dict[str, type[serializers.Serializer]] = {
    Project.Category.SOLAR: SolarParametersInputSerializer,
    Project.Category.ENERGY_EFFICIENCY: EfficiencyParametersInputSerializer,
    Project.Category.RECYCLING: RecyclingParametersInputSerializer,
    Project.Category.FUEL_SWITCH: FuelSwitchParametersInputSerializer,
}


class EvidenceItemInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EvidenceItem.Kind.choices)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    quantity = _quantity()
    unit = UnitField(choices=EVIDENCE_UNITS)
    reference = serializers.CharField(
        max_length=200,
        help_text="The document's number; each may back one live claim. Compared ignoring case, separators, "
        "zero padding and the kind it is labelled (INV-01 = inv 1 = INV-001).",
    )
    document = IdField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The uploaded file (POST /api/documents/) behind the item: its SHA-256 is recorded in the "
        "issuance's ledger entry. A file backs one live claim.",
    )

    def validate_reference(self, value: str) -> str:
        if not reference_key(value):
            raise serializers.ValidationError("A reference needs at least one letter or digit.")
        return value.strip()

    def validate(self, attrs):
        if attrs["period_end"] < attrs["period_start"]:
            raise serializers.ValidationError({"period_end": ["Must be on or after period_start."]})
        return attrs


class ClaimReviewListInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=ReductionClaim.Status.choices,
        required=False,
        help_text="The claim's current decision; `needs_review` is the review queue.",
    )


class ReductionClaimCreateInputSerializer(serializers.Serializer):
    """The claim's shape. ``parameters`` are parsed by the serializer of the project's category once the
    service has found the project (``project`` must be one of the caller's organisation: 404 otherwise)."""

    project = IdField(help_text="One of your organisation's projects.")
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    parameters = serializers.DictField(help_text="By category: see the API documentation.")
    # many=True hands max_length on to ListSerializer; the stubs' __init__ does not list it.
    evidence = EvidenceItemInputSerializer(  # type: ignore[call-arg]
        many=True, required=False, default=list, max_length=MAX_EVIDENCE_ITEMS
    )
    claimed_reduction_kg = QuantityKgField(
        min_value=1,
        max_value=MAX_QUANTITY_KG,
        required=False,
        allow_null=True,
        default=None,
        help_text="Optional, kg. When below the computed reduction, the smaller figure is issued.",
    )

    def validate(self, attrs):
        if attrs["period_end"] < attrs["period_start"]:
            raise serializers.ValidationError({"period_end": ["Must be on or after period_start."]})
        seen: dict[str, int] = {}
        files: dict[int, int] = {}
        duplicates: dict[str, dict[str, list[str]]] = {}
        for position, item in enumerate(attrs["evidence"]):
            key = reference_key(item["reference"])
            if key in seen:
                duplicates[str(position)] = {"reference": [f"Same document as evidence item {seen[key]}."]}
            seen.setdefault(key, position)
            document = item.get("document")
            if document is not None:
                if document in files:
                    duplicates.setdefault(str(position), {})["document"] = [
                        f"Same file as evidence item {files[document]}."
                    ]
                files.setdefault(document, position)
        if duplicates:
            raise serializers.ValidationError({"evidence": duplicates})
        return attrs


def claim_submission_parse(data: Any, *, organization_id: int) -> dict[str, Any]:
    """A claim body as ``claim_submit`` takes it: its shape checked, and its ``parameters`` parsed by
    the serializer of the project's category (the project looked up among the organisation's: 404
    otherwise; ``claim_submit`` checks ownership again as the rule it is). 400 naming the fields."""
    payload = ReductionClaimCreateInputSerializer(data=data)
    payload.is_valid(raise_exception=True)
    values = dict(payload.validated_data)
    project = project_owned_by(organization_id=organization_id, project_id=values.pop("project"))
    shape = PARAMETER_SERIALIZERS[project.category](data=values["parameters"])
    if not shape.is_valid():
        raise serializers.ValidationError({"parameters": shape.errors})
    return {"project_id": project.pk, **values, "parameters": dict(shape.validated_data)}


# --- Output ---------------------------------------------------------------------------------------


# What a screening reason does to the claim (named ReasonSeverityEnum in the OpenAPI schema).
REASON_SEVERITIES = ["reject", "review", "info"]


class ReasonOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    severity = serializers.ChoiceField(choices=REASON_SEVERITIES)


class FactorOutputSerializer(serializers.Serializer):
    ref = serializers.CharField()
    family = serializers.CharField()
    activity = serializers.CharField()
    unit = serializers.CharField()
    value = serializers.CharField(help_text="kg CO2e per unit, decimal string.")
    country = serializers.CharField()
    region = serializers.CharField(default="", help_text="Sub-national grid (e.g. US-CAMX); blank: national.")
    year = serializers.IntegerField(help_text="The year the figure describes; the claim's vintage picks it.")
    version = serializers.CharField()
    # Named like a Field attribute: DRF's metaclass moves declared fields out of the class body.
    source = serializers.CharField()  # type: ignore[assignment]
    source_url = serializers.CharField()
    licence = serializers.CharField()
    quality = serializers.CharField(help_text="SECONDARY / WEAK / UNCONFIRMED / DERIVED, when the source says so.")


VERIFIER_ROLE = "verifier"
VERIFIER_DISPLAY_NAME = "CarbonCred verifier"


class ReviewOutputSerializer(serializers.Serializer):
    """A verifier's decision as the claimant sees it: the verifier is named by the name they gave
    (or their role), never by their e-mail address."""

    decision = serializers.CharField(source="status")
    note = serializers.CharField(source="review_note")
    reviewer = serializers.SerializerMethodField(help_text="The verifier's name, or their role when they gave none.")
    reviewer_role = serializers.SerializerMethodField()
    reviewed_at = serializers.DateTimeField()

    def get_reviewer(self, claim) -> str:
        reviewer = claim.reviewed_by
        return (reviewer.full_name.strip() if reviewer else "") or VERIFIER_DISPLAY_NAME

    def get_reviewer_role(self, claim) -> str:
        return VERIFIER_ROLE


# The model reason's detail once named the features that drove the risk; claimants no longer see that.
_CONTRIBUTIONS_SUFFIX = " Largest contributions"


class ClaimantReasonOutputSerializer(ReasonOutputSerializer):
    """A reason as the claimant sees it: the model's per-feature contributions stay with verifiers."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if data["code"] in ("model_risk", "model_risk_high") and _CONTRIBUTIONS_SUFFIX in data["detail"]:
            data["detail"] = data["detail"].split(_CONTRIBUTIONS_SUFFIX, 1)[0]
        return data


class VerificationOutputSerializer(serializers.Serializer):
    """The screening of a claim as its claimant sees it. ``decision`` is the claim's current decision (a
    verifier's review overrides ``needs_review``); ``screening_decision`` is what automated screening
    decided. The model's per-feature contributions are not shown: they are on the verifiers' endpoints."""

    decision = serializers.CharField(source="claim.status")
    screening_decision = serializers.CharField(source="decision")
    decided_by = serializers.CharField(source="claim.decided_by")
    screening_label = serializers.SerializerMethodField()
    risk_score = serializers.DecimalField(
        max_digits=5,
        decimal_places=4,
        coerce_to_string=True,
        help_text="Calibrated probability (0..1) that the claim is faulty; a decimal string with 4 places.",
    )
    computed_reduction_kg = serializers.IntegerField()
    computed_reduction_t = serializers.SerializerMethodField()
    model_version = serializers.CharField()
    engine_version = serializers.CharField()
    reasons = ClaimantReasonOutputSerializer(many=True)
    calculation = serializers.JSONField()
    factors = FactorOutputSerializer(many=True)
    review = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    @extend_schema_field(OpenApiTypes.STR)
    def get_screening_label(self, assessment) -> str:
        return SCREENING_LABEL

    @extend_schema_field(OpenApiTypes.STR)
    def get_computed_reduction_t(self, assessment) -> str:
        return str(kg_to_tonnes(assessment.computed_reduction_kg))

    @extend_schema_field(ReviewOutputSerializer(allow_null=True))
    def get_review(self, assessment):
        claim = assessment.claim
        if claim.decided_by != ReductionClaim.DecidedBy.VERIFIER:
            return None
        return ReviewOutputSerializer(claim).data


class VerifierVerificationOutputSerializer(VerificationOutputSerializer):
    """The screening as verifiers see it: the model's contributions and inputs, and the trust facts."""

    # The reasons word for word (the claimant's copy drops per-feature detail from older model reasons).
    reasons = ReasonOutputSerializer(many=True)  # type: ignore[assignment]
    contributions = serializers.DictField(child=serializers.FloatField(), help_text="Log-odds per feature.")
    features = serializers.DictField(child=serializers.FloatField(), help_text="The model's inputs, by name.")
    model_risk = serializers.SerializerMethodField()
    screening_context = serializers.JSONField(
        source="context", help_text="History and trust facts at submission, thresholds used."
    )

    @extend_schema_field(OpenApiTypes.STR)
    def get_model_risk(self, assessment):
        """The model's risk before the repeated-rejections adjustment (null for older assessments)."""
        return assessment.context.get("model_risk")


class IssuanceLedgerEntryOutputSerializer(serializers.Serializer):
    seq = serializers.IntegerField(help_text="The `issue` entry's sequence number (GET /api/ledger/entries/{seq}/).")
    hash = serializers.CharField(source="hash_hex", help_text="The entry's SHA-256 chain hash, hex.")


class IssuanceOutputSerializer(serializers.Serializer):
    """Credits issued for a claim, as issued (blocks may since have been split, sold or retired)."""

    serial = serializers.CharField(help_text="Serial range of the owner's block as issued.")
    quantity_kg = serializers.IntegerField(help_text="Kilograms issued to the project owner (the owner's share).")
    buffer_kg = serializers.IntegerField(
        help_text="Kilograms issued to the registry's buffer pool: ceil(total x buffer share)."
    )
    total_kg = serializers.IntegerField(help_text="quantity_kg + buffer_kg: the claim's issued reduction.")
    block = serializers.IntegerField(source="owner_block_id", help_text="The owner's credit block id (holdings).")
    buffer_block = serializers.IntegerField(
        source="buffer_block_id", allow_null=True, help_text="The buffer pool's block id; null when buffer_kg is 0."
    )
    vintage = serializers.IntegerField(help_text="The year in which the monitoring period ends.")
    minting_fee = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        coerce_to_string=True,
        help_text="Owed by the owner: MINTING_FEE_PER_TONNE x quantity_kg / 1000 (the buffer share is not charged).",
    )
    currency = serializers.CharField(help_text="ISO 4217 currency of minting_fee.")
    ledger_entry = IssuanceLedgerEntryOutputSerializer(help_text="The ledger's `issue` entry.")
    issued_at = serializers.DateTimeField(source="created_at")


ISSUANCE_HELP = "Null until credits are issued (when the claim is approved, in the same transaction)."


class ReversalLedgerEntryOutputSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    hash = serializers.CharField(source="hash_hex", help_text="The entry's SHA-256 chain hash, hex.")


class ReversalOutputSerializer(serializers.Serializer):
    """A claim's reversal: what was cancelled, what the buffer pool made up, the ledger entries."""

    claim = serializers.IntegerField(source="claim_id")
    reason = serializers.CharField(help_text="Public: recorded in the entries' memo.")
    reversed_at = serializers.DateTimeField(source="created_at")
    cancelled_kg = serializers.IntegerField(
        source="ledger_reversal.cancelled_kg", help_text="Still held by the owner (available or listed): cancelled."
    )
    buffer_cancelled_kg = serializers.IntegerField(
        source="ledger_reversal.buffer_cancelled_kg",
        help_text="Sold, transferred or retired (so in circulation): as much of the buffer pool's credits cancelled.",
    )
    buffer_share_cancelled_kg = serializers.IntegerField(
        source="ledger_reversal.buffer_share_cancelled_kg",
        help_text="The issuance's own buffer share, still in the pool: cancelled with it.",
    )
    compensation_kg = serializers.IntegerField(
        source="ledger_reversal.compensation_kg", help_text="What the buffer pool had to make up."
    )
    shortfall_kg = serializers.IntegerField(
        source="ledger_reversal.shortfall_kg",
        help_text="What the buffer pool could not make up (then the owner's organisation is suspended).",
    )
    ledger_entries = serializers.SerializerMethodField(help_text="The `cancel` and `buffer_cancel` entries.")

    @extend_schema_field(ReversalLedgerEntryOutputSerializer(many=True))
    def get_ledger_entries(self, reversal) -> Any:
        ledger = reversal.ledger_reversal
        entries = [entry for entry in (ledger.cancel_entry, ledger.buffer_cancel_entry) if entry is not None]
        return ReversalLedgerEntryOutputSerializer(entries, many=True).data


class ReversalInputSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=1000, help_text="Why the issuance is reversed. Public: it is recorded in the ledger entries' memo."
    )


REVERSAL_HELP = "Null unless the issuance was reversed after it was issued."


class ReductionClaimOutputSerializer(serializers.ModelSerializer):
    verification = VerificationOutputSerializer(source="assessment", read_only=True)
    issuance = IssuanceOutputSerializer(read_only=True, allow_null=True, help_text=ISSUANCE_HELP)
    reversal = ReversalOutputSerializer(read_only=True, allow_null=True, help_text=REVERSAL_HELP)
    category = serializers.CharField(source="project.category", read_only=True)
    computed_reduction_t = serializers.SerializerMethodField()
    credit_type = serializers.SerializerMethodField(
        help_text="`avoided_emissions` (recycling) or `emission_reduction`: no CarbonCred credit is a removal."
    )

    class Meta:
        model = ReductionClaim
        fields = [
            "id",
            "project",
            "site",
            "category",
            "credit_type",
            "status",
            "period_start",
            "period_end",
            "parameters",
            "claimed_reduction_kg",
            "computed_reduction_kg",
            "computed_reduction_t",
            "verification",
            "issuance",
            "reversal",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_computed_reduction_t(self, claim) -> str:
        return str(kg_to_tonnes(claim.computed_reduction_kg))

    @extend_schema_field(OpenApiTypes.STR)
    def get_credit_type(self, claim) -> str:
        return credit_type(str(claim.project.category))


class VerificationListOutputSerializer(serializers.ModelSerializer):
    """A claim as a verifier sees it. ``id`` is the claim's id (the one to approve or reject)."""

    claim = serializers.IntegerField(source="id", read_only=True)
    decision = serializers.CharField(source="status", read_only=True)
    owner = serializers.CharField(source="project.owner.name", read_only=True)
    owner_verification_status = serializers.CharField(source="project.owner.verification_status", read_only=True)
    category = serializers.CharField(source="project.category", read_only=True)
    country = serializers.CharField(source="project.country.code", read_only=True)
    site = serializers.IntegerField(source="site_id", read_only=True, allow_null=True)
    verification = VerifierVerificationOutputSerializer(source="assessment", read_only=True)
    issuance = IssuanceOutputSerializer(read_only=True, allow_null=True, help_text=ISSUANCE_HELP)
    reversal = ReversalOutputSerializer(read_only=True, allow_null=True, help_text=REVERSAL_HELP)

    class Meta:
        model = ReductionClaim
        fields = [
            "id",
            "claim",
            "project",
            "owner",
            "owner_verification_status",
            "site",
            "category",
            "country",
            "decision",
            "period_start",
            "period_end",
            "computed_reduction_kg",
            "verification",
            "issuance",
            "reversal",
            "created_at",
        ]
        read_only_fields = fields


class ReviewDecisionInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


# --- audits ---------------------------------------------------------------------------------


class AuditListInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Audit.Status.choices, required=False)


class AuditOutputSerializer(serializers.ModelSerializer):
    """An issuance drawn for audit. ``draw`` / 2^64 fell below ``rate``: recompute both with the
    period's salt once it is published (GET /api/audit-seeds/)."""

    owner = serializers.CharField(source="claim.project.owner.name", read_only=True)
    issuance = IssuanceOutputSerializer(source="claim.issuance", read_only=True)
    decided_by = serializers.EmailField(source="decided_by.email", read_only=True, allow_null=True)
    risk_score = serializers.DecimalField(max_digits=5, decimal_places=4, coerce_to_string=True, read_only=True)
    rate = serializers.DecimalField(max_digits=7, decimal_places=6, coerce_to_string=True, read_only=True)

    class Meta:
        model = Audit
        fields = [
            "id",
            "claim",
            "owner",
            "sampled_at",
            "risk_score",
            "rate",
            "period",
            "draw",
            "status",
            "decided_by",
            "decided_at",
            "note",
            "issuance",
        ]
        read_only_fields = fields


class AuditConfirmInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class AuditSeedOutputSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="YYYY-MM (UTC): the issuances of that month are drawn with this salt.")
    commitment = serializers.CharField(help_text="SHA-256 of the salt (hex), published before the month starts.")
    salt = serializers.CharField(allow_null=True, help_text="The salt (hex), published once the month is over.")
