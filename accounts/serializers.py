from typing import Any

from django.conf import settings
from django_countries.serializer_fields import CountryField
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework_simplejwt.serializers import (
    TokenBlacklistSerializer,
    TokenObtainPairSerializer,
    TokenRefreshSerializer,
)
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.emails import email_normalize
from accounts.models import (
    Organization,
    OrganizationStatusChange,
    OrganizationVerificationRequest,
    User,
    VerificationStatus,
)
from accounts.tokens import FamilyRefreshToken, InactiveUserError, refresh_token_logout, refresh_token_rotate
from core.fields import JSONCharField

PUBLIC_REGISTRATION_HELP = "The company/tax registry number; null until a verifier has verified the organisation."


class StrictCountryField(CountryField):
    """django-countries' field, but only a string is a country code: ``{}``, ``[]`` or ``0`` are
    refused, not read as "no country"."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid_choice", input=data)
        return super().to_internal_value(data)


@extend_schema_field({"type": "string", "pattern": r"^[^\x00]*[^\W_][^\x00]*$"})
class RegistrationNumberField(serializers.CharField):
    """A company or tax registry number: it needs a letter or a digit (accounts.names.registration_key)."""


# Blank allowed: the schema's oneOf gives "" its own branch; blanks alone are read as "".
@extend_schema_field({"type": "string", "pattern": r"^(?:\s+|[^\x00]*[^\W_][^\x00]*)$"})
class OptionalRegistrationNumberField(serializers.CharField):
    """A registration number that may be left blank; given, it needs a letter or a digit."""


def password_min_length() -> int:
    """The shortest password AUTH_PASSWORD_VALIDATORS accept (MinimumLengthValidator's option)."""
    validators: list[dict[str, Any]] = list(getattr(settings, "AUTH_PASSWORD_VALIDATORS", []))
    for validator in validators:
        if validator["NAME"].endswith(".MinimumLengthValidator"):
            return int(validator.get("OPTIONS", {}).get("min_length", 8))
    return 1


@extend_schema_field(
    {
        "type": "string",
        "maxLength": 128,
        # Not digits alone (NumericPasswordValidator), no null character.
        "pattern": r"^[^\x00]*[^\x00\d][^\x00]*$",
        "description": "At least that many characters, not all digits, not too common, not like the e-mail.",
    }
)
class PasswordField(serializers.CharField):
    """A new password, checked by AUTH_PASSWORD_VALIDATORS (the schema states what it can of them)."""

    @property
    def schema_min_length(self) -> int:  # core.schema
        return password_min_length()

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("write_only", True)
        kwargs.setdefault("max_length", 128)
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)


class NormalizedEmailField(serializers.EmailField):
    """An e-mail address, normalised (accounts.emails) before it is validated and stored: the
    length limit and the format apply to the spelling that is kept."""

    def run_validation(self, data=serializers.empty):
        if isinstance(data, str):
            data = email_normalize(data)
        return super().run_validation(data)


class RegisterInputSerializer(serializers.Serializer):
    email = NormalizedEmailField(max_length=254)
    password = PasswordField()
    organization_name = serializers.CharField(max_length=200)
    country = StrictCountryField(help_text="ISO 3166-1 alpha-2 code, e.g. IN, GB, DE.")
    sector = JSONCharField(max_length=100, required=False, allow_blank=True, default="")
    website = serializers.URLField(max_length=200, required=False, allow_blank=True, default="")

    def validate_country(self, value: str) -> str:
        return value.upper()


class OrganizationSummarySerializer(serializers.ModelSerializer):
    """An organisation as others see it: its standing, and its registration number once verified, so
    a namesake is visibly not the company it is named after."""

    country = serializers.CharField(source="country.code", read_only=True)
    verification_status = serializers.ChoiceField(choices=VerificationStatus.choices, read_only=True)
    registration_number = serializers.CharField(
        source="public_registration_number", read_only=True, allow_null=True, help_text=PUBLIC_REGISTRATION_HELP
    )

    class Meta:
        model = Organization
        fields = ["id", "name", "country", "verification_status", "registration_number"]


class OrganizationOutputSerializer(serializers.ModelSerializer):
    """The caller's own organisation: its registration details as given, verified or not."""

    country = serializers.CharField(source="country.code", read_only=True)

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "country",
            "sector",
            "website",
            "legal_name",
            "registration_number",
            "verification_status",
            "verified_at",
        ]
        read_only_fields = fields


class PublicOrganizationOutputSerializer(serializers.Serializer):
    """A seller or a retiring organisation on public objects (marketplace, certificates)."""

    name = serializers.CharField()
    country = serializers.CharField(source="country.code")
    verification_status = serializers.ChoiceField(choices=VerificationStatus.choices)
    registration_number = serializers.CharField(
        source="public_registration_number", allow_null=True, help_text=PUBLIC_REGISTRATION_HELP
    )


# --- verifiers ------------------------------------------------------------------------------


class OrganizationReviewListInputSerializer(serializers.Serializer):
    verification_status = serializers.ChoiceField(choices=VerificationStatus.choices, required=False)
    flagged = serializers.BooleanField(
        required=False, default=None, allow_null=True, help_text="true: only organisations flagged as namesakes."
    )


class OrganizationDecisionInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class OrganizationVerifyInputSerializer(OrganizationDecisionInputSerializer):
    registration_number = OptionalRegistrationNumberField(
        max_length=64,
        required=False,
        allow_blank=True,
        default="",
        help_text="Record the number checked when the organisation gave none (or correct it).",
    )
    legal_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class OrganizationSuspendInputSerializer(serializers.Serializer):
    reason = JSONCharField(max_length=2000, help_text="Why: kept in the organisation's history.")


class NamesakeOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    legal_name = serializers.CharField()
    verification_status = serializers.CharField()
    registration_number = serializers.CharField()
    created_at = serializers.DateTimeField()


class VerificationRequestOutputSerializer(serializers.ModelSerializer):
    documents = serializers.ListField(
        source="document_ids", child=serializers.IntegerField(), help_text="Document ids (GET /api/documents/{id}/)."
    )

    class Meta:
        model = OrganizationVerificationRequest
        fields = ["id", "status", "legal_name", "registration_number", "website", "documents", "created_at"]
        read_only_fields = fields


class StatusChangeOutputSerializer(serializers.ModelSerializer):
    changed_by = serializers.EmailField(source="changed_by.email", allow_null=True, default=None)

    class Meta:
        model = OrganizationStatusChange
        fields = ["from_status", "to_status", "note", "changed_by", "created_at"]
        read_only_fields = fields


class OrganizationReviewOutputSerializer(serializers.ModelSerializer):
    """An organisation as verifiers see it: identity as declared, flags, the latest request."""

    country = serializers.CharField(source="country.code", read_only=True)
    namesake_of = NamesakeOutputSerializer(
        read_only=True, allow_null=True, help_text="Flagged at registration: an earlier organisation named alike."
    )
    namesakes = serializers.SerializerMethodField()
    verification_request = serializers.SerializerMethodField()

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "legal_name",
            "country",
            "sector",
            "website",
            "registration_number",
            "verification_status",
            "verified_at",
            "namesake_of",
            "namesakes",
            "verification_request",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(NamesakeOutputSerializer(many=True))
    def get_namesakes(self, organization: Organization) -> list:
        """Every organisation of the same country whose name compares equal (case, punctuation, legal form)."""
        others = self.context.get("namesakes", {}).get(organization.pk, [])
        return list(NamesakeOutputSerializer(others, many=True).data)

    @extend_schema_field(VerificationRequestOutputSerializer(allow_null=True))
    def get_verification_request(self, organization: Organization):
        """The latest request (prefetched newest first), or null."""
        requests = list(organization.verification_requests.all())
        return VerificationRequestOutputSerializer(requests[0]).data if requests else None


class OrganizationReviewDetailOutputSerializer(OrganizationReviewOutputSerializer):
    history = StatusChangeOutputSerializer(source="status_changes", many=True, read_only=True)

    class Meta(OrganizationReviewOutputSerializer.Meta):
        fields = [*OrganizationReviewOutputSerializer.Meta.fields, "history"]
        read_only_fields = fields


class RegisterOutputSerializer(serializers.ModelSerializer):
    organization = OrganizationSummarySerializer(read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "organization"]


class MeOutputSerializer(serializers.ModelSerializer):
    organization = OrganizationOutputSerializer(read_only=True)
    is_verifier = serializers.BooleanField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "organization", "is_verifier"]


class TokenPairOutputSerializer(serializers.Serializer):
    access = serializers.CharField(help_text="Send as `Authorization: Bearer <access>`; short-lived.")
    refresh = serializers.CharField(help_text="For POST /api/token/refresh/ (used once: rotation).")


class TokenObtainInputSerializer(TokenObtainPairSerializer):
    """E-mail and password for an access/refresh pair; the address is normalised (accounts.emails)
    before the lookup and the lockout see it. The refresh token starts a family (accounts.tokens)."""

    token_class = FamilyRefreshToken

    def validate(self, attrs):
        attrs[self.username_field] = email_normalize(attrs[self.username_field])
        return super().validate(attrs)


class TokenRefreshInputSerializer(TokenRefreshSerializer):
    """A refresh token for a new access token and a new refresh token; the one sent stops working,
    and sending it again revokes every refresh token of its sign-in (accounts.tokens)."""

    refresh = serializers.CharField()
    access = serializers.CharField(read_only=True)

    def validate(self, attrs):
        try:
            rotated = refresh_token_rotate(raw=attrs["refresh"])
        except InactiveUserError:
            raise exceptions.AuthenticationFailed(
                self.error_messages["no_active_account"], "no_active_account"
            ) from None
        return {"access": rotated.access, "refresh": rotated.refresh}


class TokenBlacklistInputSerializer(TokenBlacklistSerializer):
    """Log out: the refresh token must be the caller's own; its whole sign-in ends."""

    def validate(self, attrs):
        token = RefreshToken(attrs["refresh"])
        user = self.context["request"].user
        if str(token.get("user_id")) != str(user.pk):
            raise serializers.ValidationError({"refresh": ["This refresh token belongs to another user."]})
        refresh_token_logout(token=token)
        return {}
