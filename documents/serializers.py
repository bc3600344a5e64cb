from rest_framework import serializers

from accounts.models import VerificationStatus
from accounts.serializers import RegistrationNumberField, VerificationRequestOutputSerializer
from core.fields import IdField
from documents.models import Document

MAX_VERIFICATION_DOCUMENTS = 20


class DocumentUploadInputSerializer(serializers.Serializer):
    file = serializers.FileField(
        allow_empty_file=True,  # an empty file is the service's 400 document_empty, with its own code
        use_url=False,
        help_text="PDF, PNG, JPEG or CSV, recognised from its content; at most DOCUMENT_MAX_BYTES (10 MiB).",
    )
    kind = serializers.ChoiceField(choices=Document.Kind.choices)


class DocumentOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Document
        fields = ["id", "sha256", "size_bytes", "content_type", "kind", "original_name", "uploaded_at", "submitted_at"]
        read_only_fields = fields


class VerificationRequestInputSerializer(serializers.Serializer):
    legal_name = serializers.CharField(max_length=200)
    registration_number = RegistrationNumberField(max_length=64, help_text="Company or tax registry number.")
    website = serializers.URLField(max_length=200, required=False, allow_blank=True, default="")
    documents = serializers.ListField(
        child=IdField(),
        required=False,
        default=list,
        max_length=MAX_VERIFICATION_DOCUMENTS,
        help_text="Ids of your uploaded documents (POST /api/documents/), e.g. a register extract: what the "
        "verifier checks your identity against.",
    )

    def validate_documents(self, value: list[int]) -> list[int]:
        if len(set(value)) != len(value):
            raise serializers.ValidationError("A document is named twice.")
        return value


class VerificationStatusOutputSerializer(serializers.Serializer):
    verification_status = serializers.ChoiceField(choices=VerificationStatus.choices)
    request = VerificationRequestOutputSerializer(allow_null=True)
