from django.contrib import admin, messages

from core.errors import DomainError
from verification.models import Assessment, ClaimIssuance, ClaimSlot, CreditingFactor, EvidenceItem, ReductionClaim
from verification.services import claim_approve, claim_reject


@admin.register(CreditingFactor)
class CreditingFactorAdmin(admin.ModelAdmin):
    list_display = ("family", "activity", "country", "value", "unit", "version", "year", "quality", "active")
    list_filter = ("family", "active", "version", "country")
    search_fields = ("activity", "source", "note")

    def has_change_permission(self, request, obj=None) -> bool:
        # Factors are versioned: publish a new row (a data migration) rather than edit a used one.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class EvidenceInline(admin.TabularInline):
    model = EvidenceItem
    extra = 0
    can_delete = False
    fields = ("position", "kind", "period_start", "period_end", "quantity", "unit", "reference", "document", "active")
    readonly_fields = fields


class AssessmentInline(admin.StackedInline):
    model = Assessment
    can_delete = False
    readonly_fields = (
        "decision",
        "risk_score",
        "computed_reduction_kg",
        "engine_version",
        "model_version",
        "reasons",
        "factors",
        "calculation",
        "features",
        "contributions",
        "context",
    )
    fields = readonly_fields


ISSUANCE_FIELDS = (
    "claim",
    "serial",
    "quantity_kg",
    "buffer_kg",
    "vintage",
    "minting_fee",
    "currency",
    "owner_block",
    "buffer_block",
    "ledger_entry",
    "created_at",
)


class IssuanceInline(admin.StackedInline):
    model = ClaimIssuance
    can_delete = False
    fields = ISSUANCE_FIELDS[1:]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ClaimIssuance)
class ClaimIssuanceAdmin(admin.ModelAdmin):
    """Read-only: an issuance is written by the approval that issued it, with its ledger entry."""

    list_display = ("claim", "serial", "quantity_kg", "buffer_kg", "vintage", "minting_fee", "currency", "created_at")
    list_filter = ("vintage", "currency")
    search_fields = ("serial", "claim__project__title", "claim__project__owner__name")
    list_select_related = ("claim",)
    fields = ISSUANCE_FIELDS
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def _review(modeladmin, request, queryset, service, verb: str) -> None:
    done = 0
    for claim in queryset.order_by("pk"):
        try:
            service(claim_id=claim.pk, reviewer=request.user, note=f"{verb} in the admin by {request.user.email}")
            done += 1
        except DomainError as error:
            modeladmin.message_user(request, f"Claim {claim.pk}: {error.detail}", level=messages.WARNING)
    if done:
        modeladmin.message_user(request, f"{verb} {done} claim(s).", level=messages.SUCCESS)


# Only verifiers see and run these (allowed_permissions -> ReductionClaimAdmin.has_review_permission):
# viewing claims in the admin is not the right to issue credits.
@admin.action(description="Approve selected claims that need review (issues credits)", permissions=["review"])
def approve_claims(modeladmin, request, queryset):
    _review(modeladmin, request, queryset, claim_approve, "Approved")


@admin.action(description="Reject selected claims that need review", permissions=["review"])
def reject_claims(modeladmin, request, queryset):
    _review(modeladmin, request, queryset, claim_reject, "Rejected")


class ScreeningRecordAdmin(admin.ModelAdmin):
    """Written with the claim by the screening and never edited: the record a decision is explained by."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(EvidenceItem)
class EvidenceItemAdmin(ScreeningRecordAdmin):
    """Find every claim a document number backs (``reference_key`` is the normalised number)."""

    list_display = ("reference", "kind", "claim", "organization", "period_start", "period_end", "quantity", "unit")
    list_filter = ("kind", "active")
    search_fields = ("reference", "reference_key", "organization__name", "=claim__id")
    list_select_related = ("claim", "organization")


@admin.register(ClaimSlot)
class ClaimSlotAdmin(ScreeningRecordAdmin):
    """Which live claim holds a site or meter for which period (``key`` is ``site:<id>:...`` or ``meter:...``)."""

    list_display = ("key", "period_start", "period_end", "claim", "active")
    list_filter = ("active",)
    search_fields = ("key", "=claim__id")
    list_select_related = ("claim",)


@admin.register(Assessment)
class AssessmentAdmin(ScreeningRecordAdmin):
    list_display = ("claim", "owner", "decision", "risk_score", "computed_reduction_kg", "model_version", "created_at")
    list_filter = ("decision", "engine_version", "model_version")
    search_fields = ("claim__project__title", "claim__project__owner__name", "=claim__id")
    list_select_related = ("claim__project__owner",)

    @admin.display(description="organisation", ordering="claim__project__owner__name")
    def owner(self, obj: Assessment) -> str:
        return obj.claim.project.owner.name


@admin.register(ReductionClaim)
class ReductionClaimAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "project",
        "site",
        "owner",
        "status",
        "risk_score",
        "computed_reduction_kg",
        "period_start",
        "period_end",
        "decided_by",
    )
    list_filter = ("status", "decided_by", "project__category", "project__country")
    search_fields = ("project__title", "project__owner__name", "=id")
    list_select_related = ("project__owner", "assessment", "site")
    actions = [approve_claims, reject_claims]
    inlines = [AssessmentInline, IssuanceInline, EvidenceInline]
    readonly_fields = [f.name for f in ReductionClaim._meta.fields]

    @admin.display(description="organisation", ordering="project__owner__name")
    def owner(self, obj: ReductionClaim) -> str:
        return obj.project.owner.name

    @admin.display(description="risk", ordering="assessment__risk_score")
    def risk_score(self, obj: ReductionClaim):
        assessment = getattr(obj, "assessment", None)  # every screened claim has one; never 500 on one without
        return assessment.risk_score if assessment else None

    def has_add_permission(self, request) -> bool:
        return False

    def has_review_permission(self, request) -> bool:
        return request.user.is_verifier

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
