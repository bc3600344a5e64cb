from django_countries.serializer_fields import CountryField
from rest_framework import serializers

from accounts.serializers import OrganizationSummarySerializer
from core.fields import IdField
from projects.models import Project


class ProjectCreateInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    category = serializers.ChoiceField(choices=Project.Category.choices)
    country = CountryField(help_text="ISO 3166-1 alpha-2 code of the project's site.")
    start_date = serializers.DateField()
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False, allow_null=True, default=None
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-180, max_value=180, required=False, allow_null=True, default=None
    )
    site = IdField(
        required=False,
        allow_null=True,
        default=None,
        help_text="One of your sites (POST /api/sites/), in the project's country. Claims of a project without "
        "a site are never approved automatically.",
    )

    def validate_country(self, value: str) -> str:
        return value.upper()

    def validate(self, attrs):
        if (attrs["latitude"] is None) != (attrs["longitude"] is None):
            raise serializers.ValidationError({"longitude": ["Give both latitude and longitude, or neither."]})
        return attrs


class ProjectSummarySerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.code", read_only=True)

    class Meta:
        model = Project
        fields = ["id", "title", "category", "country"]


class ProjectOutputSerializer(serializers.ModelSerializer):
    owner = OrganizationSummarySerializer(read_only=True)
    country = serializers.CharField(source="country.code", read_only=True)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, coerce_to_string=False, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, coerce_to_string=False, allow_null=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "title",
            "description",
            "category",
            "country",
            "latitude",
            "longitude",
            "start_date",
            "status",
            "site",
            "owner",
            "created_at",
        ]
        read_only_fields = fields
