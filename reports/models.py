import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Organization

TOKEN_BYTES = 16  # 128 random bits: a verification address cannot be guessed or enumerated


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


class IssuedReport(models.Model):
    """A document the registry issued to an organisation: the SHA-256 of its exact bytes, recorded
    when it was first downloaded. The same data renders the same bytes, so downloading again finds
    the same row; changed data is a new document and a new row. Nobody can check a document against
    the registry until its organisation makes it ``public`` (opt-in, per document)."""

    class Kind(models.TextChoices):
        GHG_STATEMENT = "ghg_statement", "GHG statement (PDF)"

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="issued_reports")
    kind = models.CharField(max_length=30, choices=Kind, default=Kind.GHG_STATEMENT)
    year = models.PositiveSmallIntegerField()
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the document's bytes, lowercase hex.")
    size_bytes = models.PositiveIntegerField()
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the statement's data (canonical JSON).")
    layout_version = models.PositiveSmallIntegerField()
    data_as_of = models.DateTimeField(null=True, blank=True, help_text="The newest record behind the figures.")
    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    public = models.BooleanField(default=False, help_text="Anyone holding the document may check it here.")
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "sha256"], name="issued_report_one_per_document"),
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="issued_report_sha256_hex"),
            models.CheckConstraint(
                condition=Q(public=False) | Q(published_at__isnull=False), name="issued_report_public_has_date"
            ),
        ]
        indexes = [
            models.Index(fields=["sha256"], name="issued_report_sha256"),
            models.Index(fields=["organization", "year"], name="issued_report_org_year"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year} of {self.organization_id}: {self.sha256[:12]}"
