from django_countries.serializer_fields import CountryField
from rest_framework import exceptions, serializers
from rest_framework_simplejwt.serializers import (
    TokenBlacklistSerializer,
    TokenObtainPairSerializer,
    TokenRefreshSerializer,
)
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.emails import email_normalize
from accounts.models import Organization, User
from accounts.tokens import FamilyRefreshToken, InactiveUserError, refresh_token_logout, refresh_token_rotate


class NormalizedEmailField(serializers.EmailField):
    """An e-mail address, normalised (accounts.emails) before it is validated and stored: the
    length limit and the format apply to the spelling that is kept."""

    def run_validation(self, data=serializers.empty):
        if isinstance(data, str):
            data = email_normalize(data)
        return super().run_validation(data)


class RegisterInputSerializer(serializers.Serializer):
    email = NormalizedEmailField(max_length=254)
    password = serializers.CharField(write_only=True, max_length=128, trim_whitespace=False)
    organization_name = serializers.CharField(max_length=200)
    country = CountryField(help_text="ISO 3166-1 alpha-2 code, e.g. IN, GB, DE.")
    sector = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    website = serializers.URLField(max_length=200, required=False, allow_blank=True, default="")

    def validate_country(self, value: str) -> str:
        return value.upper()


class OrganizationSummarySerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.code", read_only=True)

    class Meta:
        model = Organization
        fields = ["id", "name", "country"]


class OrganizationOutputSerializer(OrganizationSummarySerializer):
    class Meta(OrganizationSummarySerializer.Meta):
        fields = ["id", "name", "country", "sector", "website"]


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
