from django.contrib import admin, messages

from carboncred.errors import DomainError
from verification.models import Assessment, ClaimIssuance, CreditingFactor, EvidenceItem, ReductionClaim
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
    fields = ("position", "kind", "period_start", "period_end", "quantity", "unit", "reference", "active")
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


@admin.register(ReductionClaim)
class ReductionClaimAdmin(admin.ModelAdmin):
    list_display = ("id", "project", "status", "decided_by", "period_start", "period_end", "computed_reduction_kg")
    list_filter = ("status", "decided_by", "project__category")
    search_fields = ("project__title", "project__owner__name")
    list_select_related = ("project",)
    actions = [approve_claims, reject_claims]
    inlines = [AssessmentInline, IssuanceInline, EvidenceInline]
    readonly_fields = [f.name for f in ReductionClaim._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_review_permission(self, request) -> bool:
        return request.user.is_verifier

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
