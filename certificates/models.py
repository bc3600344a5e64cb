import secrets

from django.db import models
from django.db.models import F, Q

from accounts.models import Organization
from certificates.facts import BENEFICIARY_MAX_LENGTH, REASON_MAX_LENGTH
from ledger.models import CreditBlock, LedgerEntry

PUBLIC_ID_BYTES = 16  # 128 random bits: not enumerable, not guessable


def new_public_id() -> str:
    return secrets.token_urlsafe(PUBLIC_ID_BYTES)


class RetirementCertificate(models.Model):
    """Proof of one retirement: which serials, for whom and why, and the ledger entry that retired them.

    Created in the same transaction as that entry and never changed afterwards. It keeps what it
    states (serial, quantity, entry hash) as issued, so verification can compare it with the ledger:
    a later rewrite of either shows. One certificate per retired block and per retire entry.
    """

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="retirement_certificates")
    block = models.OneToOneField(CreditBlock, on_delete=models.PROTECT, related_name="retirement_certificate")
    ledger_entry = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, related_name="retirement_certificate")
    entry_hash = models.CharField(max_length=64, help_text="The retire entry's SHA-256, hex, as issued.")
    serial = models.CharField(max_length=80)
    serial_start = models.BigIntegerField()
    serial_end = models.BigIntegerField()
    quantity_kg = models.BigIntegerField()
    beneficiary = models.CharField(max_length=BENEFICIARY_MAX_LENGTH, help_text="Who the reduction is claimed for.")
    reason = models.CharField(max_length=REASON_MAX_LENGTH, help_text="Why the credits were retired.")
    retired_at = models.DateTimeField(help_text="The retire entry's timestamp.")

    class Meta:
        ordering = ["-retired_at", "-id"]
        indexes = [models.Index(fields=["organization", "-retired_at"], name="certificate_org_recent")]
        constraints = [
            models.CheckConstraint(condition=Q(quantity_kg__gte=1), name="certificate_quantity_positive"),
            models.CheckConstraint(
                condition=Q(quantity_kg=F("serial_end") - F("serial_start") + 1),
                name="certificate_quantity_matches_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.serial} for {self.beneficiary}"
