"""Evidence documents, stored once per content: the SHA-256 of the bytes is unique registry-wide."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Organization
from documents import sniffing


class Document(models.Model):
    """A file an organisation uploaded as evidence. ``sha256`` is unique across the registry (a file
    already here, uploaded by anyone, is refused as reused; the constraint decides a race); the bytes
    live in the ``documents`` storage under a name derived from the hash alone (``storage_name``).

    ``submitted_at`` is set once the document backs a claim or a verification request: from then on
    verifiers may read it, and it cannot back a second live claim (``verification.EvidenceItem``)."""

    class Kind(models.TextChoices):
        REGISTRATION_EXTRACT = "registration_extract", "Company register extract"
        METER_READING = "meter_reading", "Meter reading"
        UTILITY_BILL = "utility_bill", "Utility bill"
        INVOICE = "invoice", "Invoice"
        WEIGHBRIDGE_TICKET = "weighbridge_ticket", "Weighbridge ticket"
        PHOTO = "photo", "Photo"
        OTHER = "other", "Other"

    owner = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="documents")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=32, choices=Kind)
    sha256 = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the content, lowercase hex.")
    size_bytes = models.PositiveBigIntegerField()
    content_type = models.CharField(
        max_length=40, choices=[(t, t) for t in sniffing.ACCEPTED], help_text="Sniffed from the content."
    )
    original_name = models.CharField(max_length=255, blank=True, help_text="As uploaded; shown, never trusted.")
    storage_name = models.CharField(max_length=200, help_text="The file's name in the documents storage.")
    submitted_at = models.DateTimeField(
        null=True, blank=True, help_text="When it first backed a claim or a verification request."
    )
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["owner", "-uploaded_at"], name="document_owner_recent")]
        constraints = [
            models.CheckConstraint(condition=models.Q(size_bytes__gte=1), name="document_not_empty"),
            models.CheckConstraint(condition=models.Q(sha256__regex=r"^[0-9a-f]{64}$"), name="document_sha256_hex"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.sha256[:12]} ({self.content_type}, {self.size_bytes} bytes)"
