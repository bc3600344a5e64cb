from django_countries.serializer_fields import CountryField
from rest_framework import serializers
from rest_framework_simplejwt.serializers import TokenBlacklistSerializer, TokenObtainPairSerializer
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.emails import email_normalize
from accounts.models import Organization, User


class RegisterInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
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
    """E-mail and password for an access/refresh pair; the address is matched without case."""

    def validate(self, attrs):
        attrs[self.username_field] = email_normalize(attrs[self.username_field])
        return super().validate(attrs)


class TokenBlacklistInputSerializer(TokenBlacklistSerializer):
    """Log out: the refresh token must be the caller's own."""

    def validate(self, attrs):
        token = RefreshToken(attrs["refresh"])
        user = self.context["request"].user
        if str(token.get("user_id")) != str(user.pk):
            raise serializers.ValidationError({"refresh": ["This refresh token belongs to another user."]})
        return super().validate(attrs)
