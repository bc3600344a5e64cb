import re

from django.conf import settings
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.serializers import PublicOrganizationOutputSerializer
from certificates.facts import BENEFICIARY_MAX_LENGTH, REASON_MAX_LENGTH, format_tonnes
from certificates.models import RetirementCertificate
from certificates.selectors import certificate_public_url
from core.fields import IdField
from ledger.serializers import QuantityKgField
from projects.serializers import ProjectSummarySerializer

_WHITESPACE = re.compile(r"\s+")


class OneLineTextField(serializers.CharField):
    """Text printed on one certificate line: runs of whitespace (newlines, tabs) become one space."""

    def to_internal_value(self, data):
        return _WHITESPACE.sub(" ", super().to_internal_value(data)).strip()


class RetirementCreateInputSerializer(serializers.Serializer):
    block = IdField(help_text="Id of one of your available credit blocks.")
    quantity_kg = QuantityKgField(help_text="Kilograms of CO2e to retire from the block.")
    beneficiary = OneLineTextField(
        max_length=BENEFICIARY_MAX_LENGTH, help_text="Who claims the reduction; printed on the certificate."
    )
    reason = OneLineTextField(max_length=REASON_MAX_LENGTH, help_text="Why the credits are retired.")


class CertificateLedgerEntryOutputSerializer(serializers.Serializer):
    seq = serializers.IntegerField(source="ledger_entry_id")
    hash = serializers.CharField(source="entry_hash", help_text="Hex SHA-256 of the retire entry.")


class CertificateOutputSerializer(serializers.ModelSerializer):
    quantity_t = serializers.SerializerMethodField()
    project = ProjectSummarySerializer(source="block.project", read_only=True)
    vintage = serializers.IntegerField(source="block.vintage", read_only=True)
    ledger_entry = CertificateLedgerEntryOutputSerializer(source="*", read_only=True)
    pdf_url = serializers.SerializerMethodField()
    verify_url = serializers.SerializerMethodField()
    public_url = serializers.SerializerMethodField()

    class Meta:
        model = RetirementCertificate
        fields = [
            "id",
            "public_id",
            "serial",
            "serial_start",
            "serial_end",
            "quantity_kg",
            "quantity_t",
            "beneficiary",
            "reason",
            "retired_at",
            "block",
            "project",
            "vintage",
            "ledger_entry",
            "pdf_url",
            "verify_url",
            "public_url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DecimalField(max_digits=20, decimal_places=3))
    def get_quantity_t(self, certificate: RetirementCertificate) -> str:
        return format_tonnes(certificate.quantity_kg)

    @extend_schema_field(OpenApiTypes.URI)
    def get_pdf_url(self, certificate: RetirementCertificate) -> str:
        return settings.PUBLIC_BASE_URL + reverse("certificate-pdf", args=[certificate.pk])

    @extend_schema_field(OpenApiTypes.URI)
    def get_verify_url(self, certificate: RetirementCertificate) -> str:
        return settings.PUBLIC_BASE_URL + reverse("certificate-verify", args=[certificate.public_id])

    @extend_schema_field(OpenApiTypes.URI)
    def get_public_url(self, certificate: RetirementCertificate) -> str:
        return certificate_public_url(certificate.public_id)


class RetirementCreateOutputSerializer(serializers.Serializer):
    certificate = CertificateOutputSerializer(source="*")
    ledger_entry = CertificateLedgerEntryOutputSerializer(source="*")


class CertificateRetiredByOutputSerializer(PublicOrganizationOutputSerializer):
    """The retiring organisation: its standing, and its registration number once verified."""


class CertificateReversalOutputSerializer(serializers.Serializer):
    """The issuance these serials came from was reversed; the certificate stays valid."""

    reversed_at = serializers.DateTimeField()
    reason = serializers.CharField()
    compensated = serializers.BooleanField(help_text="Every credit of the issuance in circulation was made up.")
    in_circulation_kg = serializers.IntegerField(help_text="The issuance's credits sold, transferred or retired.")
    buffer_cancelled_kg = serializers.IntegerField(help_text="The buffer pool's credits cancelled in their place.")
    shortfall_kg = serializers.IntegerField(help_text="Not yet made up (the registry reviews the issuer).")
    cancel_entry = serializers.IntegerField(source="cancel_entry_seq", allow_null=True, help_text="Its seq.")
    buffer_cancel_entry = serializers.IntegerField(
        source="buffer_cancel_entry_seq", allow_null=True, help_text="Its seq."
    )
    headline = serializers.CharField(help_text="The public page's heading.")
    statement = serializers.CharField(help_text="The same words as the public page.")


class CertificatePublicOutputSerializer(serializers.Serializer):
    """What the certificate states, as anyone may read it."""

    public_id = serializers.CharField(source="facts.public_id")
    serial = serializers.CharField(source="facts.serial")
    serial_start = serializers.IntegerField(source="facts.serial_start")
    serial_end = serializers.IntegerField(source="facts.serial_end")
    quantity_kg = serializers.IntegerField(source="facts.quantity_kg")
    quantity_t = serializers.DecimalField(source="facts.quantity_t", max_digits=20, decimal_places=3)
    beneficiary = serializers.CharField(source="facts.beneficiary")
    reason = serializers.CharField(source="facts.reason")
    retired_at = serializers.DateTimeField(source="facts.retired_at")
    retired_by = CertificateRetiredByOutputSerializer(source="certificate.organization")
    project = ProjectSummarySerializer(source="certificate.block.project")
    vintage = serializers.IntegerField(source="facts.vintage")
    methodology = serializers.CharField(
        source="facts.methodology",
        allow_null=True,
        help_text="From the proven issue entry; null: not recorded, or that entry failed verification.",
    )
    screening_version = serializers.CharField(
        source="facts.screening_version",
        allow_null=True,
        help_text="From the proven issue entry; null: not recorded, or that entry failed verification.",
    )
    credit_type = serializers.CharField(
        source="facts.credit_type",
        help_text="`avoided_emissions` (recycling) or `emission_reduction`: never a removal.",
    )
    credit_type_label = serializers.CharField(source="facts.credit_type_label")
    public_url = serializers.URLField(source="facts.public_url")
    pdf_url = serializers.SerializerMethodField(help_text="The certificate's PDF, public like the certificate.")

    @extend_schema_field(OpenApiTypes.URI)
    def get_pdf_url(self, verification) -> str:
        return settings.PUBLIC_BASE_URL + reverse("certificate-public-pdf", args=[verification.facts.public_id])

    evidence_documents = serializers.ListField(
        source="facts.evidence_documents",
        child=serializers.CharField(),
        help_text="SHA-256 of every evidence document behind the issuance of these serials, from the proven "
        "issue entry; empty: none recorded, or that entry failed verification.",
    )
    issuance_reversal = CertificateReversalOutputSerializer(
        source="facts.issuance_reversal",
        allow_null=True,
        help_text="Null unless the issuance of these serials was reversed; the retirement stays valid either way.",
    )


class CertificateVerifiedEntryOutputSerializer(serializers.Serializer):
    seq = serializers.IntegerField(source="entry.seq")
    kind = serializers.CharField(source="entry.kind")
    hash = serializers.CharField(source="entry.hash_hex", help_text="The hash stored with the entry, hex.")
    recomputed_hash = serializers.CharField(help_text="The entry re-hashed now; equal to `hash` unless altered.")
    prev_hash = serializers.CharField(source="entry.prev_hash_hex")
    created_at = serializers.DateTimeField(source="entry.created_at")
    canonical = serializers.CharField(source="entry.canonical", help_text="The exact text that was hashed.")


class CertificateCheckpointOutputSerializer(serializers.Serializer):
    size = serializers.IntegerField(help_text="The checkpoint covers ledger entries 1..size.")
    # Named like a Field attribute: DRF's metaclass moves declared fields out of the class body.
    root = serializers.CharField(source="root_hex", help_text="Merkle root, hex.")  # type: ignore[assignment]
    created_at = serializers.DateTimeField()


class CertificateProofOutputSerializer(serializers.Serializer):
    checkpoint = CertificateCheckpointOutputSerializer()
    leaf_index = serializers.IntegerField(source="proof.leaf_index")
    leaf_hash = serializers.SerializerMethodField()
    audit_path = serializers.SerializerMethodField()
    verified = serializers.BooleanField(source="proof_ok", help_text="The audit path leads to the checkpoint root.")

    @extend_schema_field(OpenApiTypes.STR)
    def get_leaf_hash(self, verification) -> str:
        return verification.proof.leaf_hash.hex()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_audit_path(self, verification) -> list[str]:
        return [node.hex() for node in verification.proof.audit_path]


class CertificateCheckOutputSerializer(serializers.Serializer):
    name = serializers.CharField()
    ok = serializers.BooleanField()
    detail = serializers.CharField()


class CertificateHistoryEntryOutputSerializer(serializers.Serializer):
    """One entry the certificate's facts come from, as verification found it."""

    seq = serializers.IntegerField()
    kind = serializers.CharField()
    hash = serializers.CharField(help_text="The hash stored with the entry, hex.")
    recomputed_hash = serializers.CharField(help_text="The entry re-hashed now, hex.")
    hash_ok = serializers.BooleanField(help_text="The entry re-hashes to its stored hash.")
    included = serializers.BooleanField(
        allow_null=True,
        help_text="Its inclusion proof leads to the checkpoint's root; null when no checkpoint covers it yet.",
    )


class CertificateVerifyOutputSerializer(serializers.Serializer):
    valid = serializers.BooleanField(help_text="True only when every check passed.")
    certificate = CertificatePublicOutputSerializer(source="*")
    ledger_entry = CertificateVerifiedEntryOutputSerializer(source="*")
    proof = serializers.SerializerMethodField()
    checks = CertificateCheckOutputSerializer(source="verification.checks", many=True)
    history = CertificateHistoryEntryOutputSerializer(
        many=True,
        help_text="The issuance of the certificate's serials, every movement of them and the retirement, in seq "
        "order; each re-hashed and proven in `proof.checkpoint`.",
    )

    @extend_schema_field(CertificateProofOutputSerializer(allow_null=True))
    def get_proof(self, verification):
        """The inclusion proof; null when no checkpoint covers the entry (``checks`` says why)."""
        if verification.proof is None:
            return None
        return CertificateProofOutputSerializer(verification).data
