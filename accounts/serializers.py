from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils import timezone
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
    ApiKey,
    ApiKeyScope,
    Invitation,
    Organization,
    OrganizationStatusChange,
    OrganizationVerificationRequest,
    User,
    VerificationStatus,
)
from accounts.roles import Ability, Role, abilities_of
from accounts.tokens import FamilyRefreshToken, InactiveUserError, refresh_token_logout, refresh_token_rotate
from core.fields import JSONCharField, JSONIntegerField

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


class OrganizationSummarySerializer(serializers.Serializer):
    """An organisation as others see it: its standing, and its registration number once verified, so
    a namesake is visibly not the company it is named after."""

    # A plain Serializer: a ModelSerializer introspects its model on every instance, and a buy's
    # response renders this while the ledger head lock is held.
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=200)
    country = serializers.CharField(source="country.code", read_only=True)
    verification_status = serializers.ChoiceField(choices=VerificationStatus.choices, read_only=True)
    registration_number = serializers.CharField(
        source="public_registration_number", read_only=True, allow_null=True, help_text=PUBLIC_REGISTRATION_HELP
    )


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
            "employees",
            "annual_revenue",
            "revenue_currency",
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


class TokenPairOutputSerializer(serializers.Serializer):
    access = serializers.CharField(
        help_text="Send as `Authorization: Bearer <access>`; short-lived (JWT_ACCESS_MINUTES)."
    )
    refresh = serializers.CharField(help_text="For POST /api/token/refresh/ (used once: rotation).")


ROLE_HELP = "owner | admin | member | viewer: what the person may do for the organisation (docs/API.md, Roles)."


class RegisterOutputSerializer(serializers.ModelSerializer):
    """The new user, signed in: ``tokens`` (also as top-level ``access`` and ``refresh``, the shape of
    ``/api/token/``), so a client needs no second request."""

    organization = OrganizationSummarySerializer(read_only=True)
    role = serializers.ChoiceField(choices=[r.value for r in Role], read_only=True, help_text=ROLE_HELP)
    tokens = serializers.SerializerMethodField()
    access = serializers.SerializerMethodField()
    refresh = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "organization", "role", "tokens", "access", "refresh"]

    @extend_schema_field(TokenPairOutputSerializer)
    def get_tokens(self, user: User) -> dict[str, str]:
        return self.context["tokens"]

    def get_access(self, user: User) -> str:
        return self.context["tokens"]["access"]

    def get_refresh(self, user: User) -> str:
        return self.context["tokens"]["refresh"]


class MeOutputSerializer(serializers.ModelSerializer):
    organization = OrganizationOutputSerializer(read_only=True)
    is_verifier = serializers.BooleanField(read_only=True)
    role = serializers.ChoiceField(choices=[r.value for r in Role], read_only=True, help_text=ROLE_HELP)
    abilities = serializers.SerializerMethodField(help_text="What the role allows (accounts.roles).")

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "organization", "is_verifier", "role", "abilities"]

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=[a.value for a in Ability])))
    def get_abilities(self, user: User) -> list[str]:
        return [ability.value for ability in abilities_of(user.role)]


class StrictInputSerializer(serializers.Serializer):
    """Refuses keys it does not take, naming each (a PATCH never drops a field silently); ``refused``
    explains the ones a client may expect to change."""

    refused: dict[str, str] = {}
    schema_closed = True  # core.schema: additionalProperties false

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            extra = [key for key in data if key not in self.fields]
            if extra:
                raise serializers.ValidationError(
                    {str(key): [self.refused.get(str(key), "This field cannot be changed here.")] for key in extra}
                )
        return super().to_internal_value(data)


class OrganizationSuspendInputSerializer(StrictInputSerializer):
    """Why a verifier suspends an organisation (any other key is refused, naming it)."""

    reason = JSONCharField(max_length=2000, help_text="Why: kept in the organisation's history.")


class OrganizationUpdateInputSerializer(StrictInputSerializer):
    """The organisation's details a PATCH may change (any other key is refused, saying why)."""

    refused = {
        "legal_name": "Set with POST /api/organization/verification/; a verifier confirms it.",
        "registration_number": "Set with POST /api/organization/verification/; a verifier confirms it.",
        "country": "An organisation's country cannot change: its sites, projects and credits are registered there.",
        "verification_status": "Only verifiers change an organisation's standing.",
    }

    name = serializers.CharField(max_length=200, required=False, help_text="The trading name, shown publicly.")
    sector = serializers.CharField(max_length=100, required=False, allow_blank=True)
    website = serializers.URLField(max_length=200, required=False, allow_blank=True)
    employees = JSONIntegerField(min_value=0, max_value=2_147_483_647, required=False, allow_null=True)
    annual_revenue = serializers.DecimalField(
        max_digits=18, decimal_places=2, min_value=0, required=False, allow_null=True, coerce_to_string=True
    )
    revenue_currency = serializers.RegexField(
        r"^[A-Za-z]{3}$", required=False, allow_blank=True, help_text="ISO 4217 code of annual_revenue."
    )


class MeUpdateInputSerializer(StrictInputSerializer):
    """Your name, and for owners and admins the organisation's details (any other key is refused)."""

    refused = {
        "email": "The sign-in address cannot be changed.",
        "role": "Roles are changed by an owner or admin: PATCH /api/organization/members/{id}/.",
        "is_verifier": "Verifiers are appointed by the registry.",
        "id": "Ids never change.",
    }

    full_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    organization = OrganizationUpdateInputSerializer(
        required=False, help_text="The organisation's details: owners and admins only (403 role_forbidden)."
    )


class PasswordChangeInputSerializer(serializers.Serializer):
    old_password = serializers.CharField(write_only=True, max_length=128, trim_whitespace=False)
    new_password = PasswordField()


class PasswordChangeOutputSerializer(serializers.Serializer):
    detail = serializers.CharField()
    tokens = TokenPairOutputSerializer(help_text="A new sign-in: every refresh token issued before stopped working.")


class PasswordResetInputSerializer(serializers.Serializer):
    # Any text: the answer is 202 whatever it is (the contract's "always"); an address no active
    # account has, well-formed or not, simply gets no e-mail.
    email = serializers.CharField(max_length=254, allow_blank=True, help_text="The account's e-mail address.")


class PasswordResetConfirmInputSerializer(serializers.Serializer):
    uid = serializers.CharField(
        max_length=64, help_text="From the reset e-mail: the first of its link's last two parts."
    )
    token = serializers.CharField(max_length=128, help_text="From the reset e-mail's link: its last part.")
    new_password = PasswordField()


class DetailOutputSerializer(serializers.Serializer):
    detail = serializers.CharField()


# --- members and invitations ------------------------------------------------------------------


class MemberOutputSerializer(serializers.ModelSerializer):
    role = serializers.ChoiceField(choices=[r.value for r in Role], read_only=True, help_text=ROLE_HELP)

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "role", "date_joined"]
        read_only_fields = fields


class MemberUpdateInputSerializer(StrictInputSerializer):
    """A member's new role (any other key is refused)."""

    role = serializers.ChoiceField(choices=[r.value for r in Role], help_text=ROLE_HELP)


class InvitationCreateInputSerializer(serializers.Serializer):
    email = NormalizedEmailField(max_length=254)
    role = serializers.ChoiceField(choices=[r.value for r in Role], default=Role.MEMBER.value, help_text=ROLE_HELP)


class InvitationOutputSerializer(serializers.ModelSerializer):
    role = serializers.ChoiceField(choices=[r.value for r in Role], read_only=True)
    invited_by = serializers.EmailField(source="invited_by.email", read_only=True)
    expired = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "invited_by", "created_at", "expires_at", "expired"]
        read_only_fields = fields

    def get_expired(self, invitation: Invitation) -> bool:
        return invitation.expires_at <= timezone.now()


class InvitationAcceptInputSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=128, help_text="From the invitation e-mail.")
    password = PasswordField()
    full_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


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


# --- API keys -------------------------------------------------------------------------------


class ApiKeyCreateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50, help_text="What the key is for (free text, need not be unique).")
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=ApiKeyScope.choices),
        allow_empty=False,
        max_length=len(ApiKeyScope),
        help_text="read: every GET; trade: list, withdraw, buy, transfer; retire: retire; readings: send readings.",
    )


class ApiKeyOutputSerializer(serializers.ModelSerializer):
    created_at = serializers.DateTimeField(source="created", read_only=True)
    created_by = serializers.EmailField(source="created_by.email", read_only=True)
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=ApiKeyScope.choices), read_only=True)

    class Meta:
        model = ApiKey
        fields = ["id", "name", "prefix", "scopes", "created_at", "created_by", "last_used_at", "revoked", "revoked_at"]
        read_only_fields = fields


class ApiKeyCreateOutputSerializer(ApiKeyOutputSerializer):
    key = serializers.CharField(read_only=True, help_text="The key, shown this once: only its hash is kept.")

    class Meta(ApiKeyOutputSerializer.Meta):
        fields = [*ApiKeyOutputSerializer.Meta.fields, "key"]
        read_only_fields = fields
