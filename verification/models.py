"""Reduction claims, their automated screening (assessments) and the record of credits issued for them.

No scikit-learn here: models, views and urls are imported at start-up and must stay cheap.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Organization
from documents.models import Document
from ledger.models import CreditBlock, LedgerEntry
from projects.models import Project
from sites.models import Site


class CreditingFactor(models.Model):
    """One sourced, versioned factor used to compute reductions (never an inventory factor).

    Families: grid combined margins for solar and for efficiency savings, the grid operating margin
    (charged as project emissions when a fuel switch consumes grid electricity), fuel combustion
    factors and avoided-landfill factors for recycled materials. Rows are loaded from
    ``verification/data/crediting_factors.csv`` by a data migration and never edited in place: a new
    publication is a new row with a new ``version``; ``active`` retires an old one.
    """

    class Family(models.TextChoices):
        GRID_CM_SOLAR = "grid_cm_solar", "Grid combined margin for solar/wind crediting"
        GRID_CM_EFFICIENCY = "grid_cm_efficiency", "Grid combined margin for efficiency savings"
        GRID_OM = "grid_om", "Grid operating margin (project emissions of grid electricity)"
        FUEL_COMBUSTION = "fuel_combustion", "Fuel combustion"
        RECYCLING_AVOIDED = "recycling_avoided", "Avoided landfill emissions of recycled material"

    family = models.CharField(max_length=32, choices=Family)
    activity = models.CharField(max_length=64, help_text="grid_electricity, a fuel or a material.")
    unit = models.CharField(max_length=16, help_text="The unit one factor value applies to (kWh, litre, m3, kg).")
    value = models.DecimalField(max_digits=14, decimal_places=6, help_text="kg CO2e per unit.")
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2; blank applies anywhere.")
    region = models.CharField(
        max_length=32,
        blank=True,
        default="",
        help_text="A sub-national grid (e.g. US-CAMX, an eGRID subregion); blank for the whole country.",
    )
    year = models.PositiveSmallIntegerField(help_text="The year the figure describes (its vintage).")
    version = models.CharField(max_length=64)
    source = models.TextField()
    source_url = models.URLField(max_length=500)
    licence = models.CharField(max_length=200)
    quality = models.CharField(
        max_length=64, blank=True, help_text="SECONDARY / WEAK / UNCONFIRMED / DERIVED labels, shown to users."
    )
    note = models.TextField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["family", "country", "activity", "unit", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["family", "activity", "unit", "country", "region", "version"],
                name="crediting_factor_unique_region_version",
            ),
        ]
        indexes = [models.Index(fields=["family", "activity", "country"], name="crediting_factor_lookup")]

    def __str__(self) -> str:
        where = self.country or "any"
        return f"{self.family} {self.activity} {where} {self.value} kg/{self.unit} ({self.version})"

    @property
    def ref(self) -> str:
        """The stable name of this row, stored with every assessment that used it."""
        where = f"{self.country or '*'}/{self.region}" if self.region else (self.country or "*")
        return f"{self.family}:{self.activity}:{self.unit}:{where}:{self.version}"


class ReductionClaim(models.Model):
    """A claimed reduction of one project over one monitoring period (ex post, at most 12 months).

    Claims that are not rejected hold their period and evidence references: on PostgreSQL an exclusion
    constraint (migration 0002) forbids two such claims of one project with overlapping periods, and
    :class:`EvidenceItem` forbids reusing a reference.
    """

    class Status(models.TextChoices):
        APPROVED = "approved", "Approved (credits issued)"
        NEEDS_REVIEW = "needs_review", "Needs review by a verifier"
        REJECTED = "rejected", "Rejected"
        # Issued, then reversed by a verifier: the credits still held were cancelled, the rest made up
        # from the buffer pool. The period and evidence stay taken (nothing can be claimed again on them).
        REVERSED = "reversed", "Reversed (credits cancelled after issuance)"

    class DecidedBy(models.TextChoices):
        SCREENING = "screening", "Automated screening"
        VERIFIER = "verifier", "Verifier"

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="reduction_claims")
    site = models.ForeignKey(
        Site,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reduction_claims",
        help_text="The project's site when the claim was submitted (null: the project had none).",
    )
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField()
    period_end = models.DateField()
    parameters = models.JSONField(help_text="Category parameters as submitted (validated).")
    claimed_reduction_kg = models.BigIntegerField(null=True, blank=True)
    computed_reduction_kg = models.BigIntegerField(help_text="From the versioned formula, rounded down to whole kg.")
    status = models.CharField(max_length=20, choices=Status)
    decided_by = models.CharField(max_length=20, choices=DecidedBy, default=DecidedBy.SCREENING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_note = models.TextField(blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["project", "period_start"], name="claim_project_period"),
            models.Index(fields=["status", "-created_at"], name="claim_status_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="claim_period_order"
            ),
            models.CheckConstraint(
                condition=models.Q(computed_reduction_kg__gte=0), name="claim_reduction_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"Claim {self.pk} of project {self.project_id} {self.period_start}..{self.period_end} ({self.status})"


class EvidenceItem(models.Model):
    """One document behind a claim. A normalised reference is used by at most one live claim of an
    organisation, whatever kind it is labelled: ``(organization, reference_key)`` is unique among items
    whose claim is not rejected (``active``), so the same bill cannot back two claims even when they
    race; an uploaded ``document`` backs at most one live claim too."""

    class Kind(models.TextChoices):
        METER_READING = "meter_reading", "Meter reading"
        UTILITY_BILL = "utility_bill", "Utility bill"
        INVOICE = "invoice", "Invoice"
        WEIGHBRIDGE_TICKET = "weighbridge_ticket", "Weighbridge ticket"

    claim = models.ForeignKey(ReductionClaim, on_delete=models.CASCADE, related_name="evidence")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=32, choices=Kind)
    period_start = models.DateField()
    period_end = models.DateField()
    quantity = models.DecimalField(max_digits=18, decimal_places=3)
    unit = models.CharField(max_length=16)
    reference = models.CharField(max_length=200)
    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.PROTECT, related_name="evidence_items",
        help_text="The uploaded file behind the item; its SHA-256 goes into the issuance's ledger entry.",
    )  # fmt: skip
    # Denormalised so that a partial unique constraint can express "not reused by a live claim".
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    reference_key = models.CharField(
        max_length=200, help_text="core.references.reference_key: case, separators and zero padding ignored."
    )
    reference_compact = models.CharField(
        max_length=200, default="", help_text="core.references.compact_key: letters and digits, zeros kept."
    )
    active = models.BooleanField(default=True, help_text="False once the claim is rejected: the reference is free.")

    class Meta:
        ordering = ["claim", "position"]
        indexes = [models.Index(fields=["reference_compact"], name="evidence_reference_compact")]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "reference_key"],
                condition=models.Q(active=True),
                name="evidence_reference_once_per_live_claim",
            ),
            models.UniqueConstraint(
                fields=["document"],
                condition=models.Q(active=True, document__isnull=False),
                name="evidence_document_once_per_live_claim",
            ),
            models.UniqueConstraint(fields=["claim", "position"], name="evidence_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference}"


class ClaimSlot(models.Model):
    """What a live claim holds: its period on its site (``site:<id>:energy`` for solar, efficiency and
    fuel-switch claims, ``site:<id>:materials`` for recycling) and on each meter of the site
    (``meter:<country>:<key>``, energy claims). On PostgreSQL an exclusion constraint (migration 0006)
    forbids two active slots of one key with overlapping periods, so two claims racing for one site or
    meter cannot both hold it, whichever organisations or categories they are. Written in the claim's
    transaction; released (``active`` False) when the claim is rejected."""

    claim = models.ForeignKey(ReductionClaim, on_delete=models.CASCADE, related_name="slots")
    key = models.CharField(max_length=120)
    period_start = models.DateField()
    period_end = models.DateField()
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["claim", "key"]
        indexes = [models.Index(fields=["key", "period_start"], name="claimslot_key_period")]
        constraints = [
            models.UniqueConstraint(fields=["claim", "key"], name="claimslot_once_per_claim"),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="claimslot_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.period_start}..{self.period_end} (claim {self.claim_id})"


class Assessment(models.Model):
    """The automated screening of a claim, stored with everything needed to explain and replay it:
    engine and model versions, the factor rows used, the features and the history facts seen."""

    claim = models.OneToOneField(ReductionClaim, on_delete=models.CASCADE, related_name="assessment")
    decision = models.CharField(max_length=20, choices=ReductionClaim.Status)
    risk_score = models.DecimalField(max_digits=5, decimal_places=4, help_text="Calibrated probability of a fault.")
    computed_reduction_kg = models.BigIntegerField()
    engine_version = models.CharField(max_length=32)
    model_version = models.CharField(max_length=64)
    factors = models.JSONField(help_text="The crediting factor rows used: ref, value, unit, source, year, quality.")
    calculation = models.JSONField(help_text="The formula, its inputs and intermediate values (decimal strings).")
    features = models.JSONField(help_text="The model's input features, by name.")
    contributions = models.JSONField(help_text="Per-feature contributions to the risk score (log-odds).")
    reasons = models.JSONField(help_text="[{code, detail, severity}] from rules and model.")
    context = models.JSONField(help_text="History facts at submission: overlapping claims, reused references.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Assessment of claim {self.claim_id}: {self.decision} (risk {self.risk_score})"


class ClaimIssuance(models.Model):
    """The credits issued for one approved claim, written in the same transaction as the ledger's
    ``issue`` entry that created its blocks. One per claim (``claim`` is unique), so neither a
    retried transaction nor a second approval can issue twice; one per owner block and per entry.

    Quantities, serial and fee are as issued: the owner's block keeps its id but may later shrink
    when part of it is listed, sold, transferred or retired.
    """

    claim = models.OneToOneField(ReductionClaim, on_delete=models.PROTECT, related_name="issuance")
    owner_block = models.OneToOneField(
        CreditBlock, on_delete=models.PROTECT, related_name="+", help_text="Issued to the project owner."
    )
    buffer_block = models.OneToOneField(
        CreditBlock,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Issued to the buffer pool; empty when the buffer share was zero.",
    )
    ledger_entry = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, related_name="+")
    serial = models.CharField(max_length=80, help_text="The owner block's serial range as issued.")
    quantity_kg = models.BigIntegerField(help_text="Kilograms issued to the project owner.")
    buffer_kg = models.BigIntegerField(help_text="Kilograms issued to the buffer pool.")
    vintage = models.PositiveSmallIntegerField(help_text="The year in which the monitoring period ends.")
    minting_fee = models.DecimalField(
        max_digits=14, decimal_places=2, help_text="Owed by the project owner, on the owner's kilograms only."
    )
    currency = models.CharField(max_length=3, help_text="ISO 4217.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity_kg__gte=1), name="claimissuance_quantity_positive"),
            models.CheckConstraint(condition=models.Q(minting_fee__gte=0), name="claimissuance_fee_non_negative"),
            # A buffer block exactly when a buffer share was issued.
            models.CheckConstraint(
                condition=models.Q(buffer_block__isnull=True, buffer_kg=0)
                | models.Q(buffer_block__isnull=False, buffer_kg__gt=0),
                name="claimissuance_buffer_block_iff_buffer",
            ),
        ]

    def __str__(self) -> str:
        return f"Issuance {self.serial} for claim {self.claim_id}"

    @property
    def total_kg(self) -> int:
        return self.quantity_kg + self.buffer_kg


class Audit(models.Model):
    """An automatically approved issuance drawn for a post-issuance audit (docs/VERIFICATION.md,
    "Audits and reversals"). Written in the issuance's transaction, before the ledger's head lock, when the claim's
    draw falls below its sampling rate; a verifier then confirms the issuance or reverses it.

    ``rate`` is the probability the claim's risk gave (``verification.sampling.sampling_rate``) and
    ``draw`` the 64-bit value drawn from the month's salt and the claim (``sampling.draw``, hex): anyone
    holding the salt, published once the month ends, can recompute both. One audit per claim.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CONFIRMED = "confirmed", "Confirmed"
        REVERSED = "reversed", "Reversed"

    claim = models.OneToOneField(ReductionClaim, on_delete=models.PROTECT, related_name="audit")
    risk_score = models.DecimalField(max_digits=5, decimal_places=4, help_text="The assessment's risk when issued.")
    rate = models.DecimalField(max_digits=7, decimal_places=6, help_text="The sampling probability it gave.")
    period = models.CharField(max_length=7, help_text="YYYY-MM (UTC): whose salt drew it.")
    draw = models.CharField(max_length=16, help_text="The 64-bit draw, hex; sampled because draw / 2^64 < rate.")
    sampled_at = models.DateTimeField(default=timezone.now, editable=False)
    status = models.CharField(max_length=10, choices=Status, default=Status.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True, help_text="The verifier's finding (a reversal's reason).")

    class Meta:
        ordering = ["sampled_at", "id"]
        indexes = [models.Index(fields=["status", "sampled_at"], name="audit_status_sampled")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["open", "confirmed", "reversed"]), name="audit_status_valid"
            ),
            # Decided exactly when no longer open.
            models.CheckConstraint(
                condition=models.Q(status="open", decided_at__isnull=True)
                | (~models.Q(status="open") & models.Q(decided_at__isnull=False)),
                name="audit_decided_iff_closed",
            ),
            models.CheckConstraint(condition=models.Q(rate__gte=0, rate__lte=1), name="audit_rate_is_a_probability"),
        ]

    def __str__(self) -> str:
        return f"Audit of claim {self.claim_id} ({self.status})"


class ClaimReversal(models.Model):
    """Who reversed a claim's issuance, when and why (the credits' side is the ledger's
    :class:`ledger.models.Reversal` of the claim's ``issue`` entry, written in the same transaction).
    One per claim: a second reversal is refused (409), and the database refuses it too."""

    claim = models.OneToOneField(ReductionClaim, on_delete=models.PROTECT, related_name="reversal")
    audit = models.OneToOneField(
        Audit, null=True, blank=True, on_delete=models.PROTECT, related_name="reversal", help_text="When sampled."
    )
    reversed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(help_text="Recorded in the ledger entries' memo too: public.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Reversal of claim {self.claim_id}"

    @property
    def ledger_reversal(self):
        """The ledger's record of the same reversal (``ledger.models.Reversal``): quantities and entries."""
        return self.claim.issuance.ledger_entry.reversal


class BufferShortfall(models.Model):
    """Credits of a reversed issuance in circulation that the buffer pool could not make up: the
    registry owes that backing. Recorded with the reversal, which also suspends the owner's
    organisation pending review (docs/VERIFICATION.md, "Reversals")."""

    reversal = models.OneToOneField(ClaimReversal, on_delete=models.PROTECT, related_name="shortfall")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    quantity_kg = models.BigIntegerField(help_text="Kilograms in circulation without backing.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity_kg__gte=1), name="buffershortfall_quantity_positive")
        ]

    def __str__(self) -> str:
        return f"Shortfall of {self.quantity_kg} kg ({self.organization_id})"
