from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse

from core.errors import DomainError
from verification.models import (
    Assessment,
    Audit,
    BufferShortfall,
    ClaimIssuance,
    ClaimReversal,
    ClaimSlot,
    CreditingFactor,
    EvidenceItem,
    ReductionClaim,
)
from verification.services import audit_confirm, claim_approve, claim_reject, claim_reverse


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


class ReversalForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        max_length=1000,
        label="Reason",
        help_text="Why the issuance is reversed. Public: it is recorded in the ledger entries' memo.",
    )


def _reverse(modeladmin, request, queryset, *, claim_ids: list[int]):
    """Ask for the reason on an intermediate page, then reverse each claim's issuance (one transaction each)."""
    form = ReversalForm(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        done = 0
        for claim_id in claim_ids:
            try:
                claim_reverse(claim_id=claim_id, reviewer=request.user, reason=form.cleaned_data["reason"])
                done += 1
            except DomainError as error:
                modeladmin.message_user(request, f"Claim {claim_id}: {error.detail}", level=messages.WARNING)
        if done:
            modeladmin.message_user(request, f"Reversed {done} issuance(s).", level=messages.SUCCESS)
        return None
    return TemplateResponse(
        request,
        "admin/verification/reverse.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": "Reverse issuances",
            "opts": modeladmin.model._meta,
            "form": form,
            "queryset": queryset,
            "claim_ids": claim_ids,
            "action": request.POST.get("action"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        },
    )


@admin.action(description="Reverse the selected claims' issuances (asks for the reason)", permissions=["review"])
def reverse_claims(modeladmin, request, queryset):
    return _reverse(modeladmin, request, queryset, claim_ids=list(queryset.order_by("pk").values_list("pk", flat=True)))


@admin.action(description="Confirm the selected audits (the issuance is sound)", permissions=["review"])
def confirm_audits(modeladmin, request, queryset):
    done = 0
    for audit in queryset.order_by("pk"):
        try:
            audit_confirm(
                audit_id=audit.pk, reviewer=request.user, note=f"Confirmed in the admin by {request.user.email}"
            )
            done += 1
        except DomainError as error:
            modeladmin.message_user(request, f"Audit {audit.pk}: {error.detail}", level=messages.WARNING)
    if done:
        modeladmin.message_user(request, f"Confirmed {done} audit(s).", level=messages.SUCCESS)


@admin.action(description="Reverse the selected audits' issuances (asks for the reason)", permissions=["review"])
def reverse_audits(modeladmin, request, queryset):
    claim_ids = list(queryset.order_by("pk").values_list("claim_id", flat=True))
    return _reverse(modeladmin, request, queryset, claim_ids=claim_ids)


@admin.register(Audit)
class AuditAdmin(admin.ModelAdmin):
    """The audit queue: confirm or reverse, through the same services as the API; nothing is edited by hand."""

    list_display = ("id", "claim", "owner", "status", "risk_score", "rate", "period", "sampled_at", "decided_by")
    list_filter = ("status", "period")
    search_fields = ("=claim__id", "claim__project__owner__name", "claim__project__title")
    list_select_related = ("claim__project__owner", "decided_by")
    actions = [confirm_audits, reverse_audits]
    readonly_fields = [f.name for f in Audit._meta.fields]

    @admin.display(description="organisation", ordering="claim__project__owner__name")
    def owner(self, obj: Audit) -> str:
        return obj.claim.project.owner.name

    def has_review_permission(self, request) -> bool:
        return request.user.is_verifier  # viewing the queue is not the right to decide it

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


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


@admin.register(ClaimReversal)
class ClaimReversalAdmin(ScreeningRecordAdmin):
    """Written by the reversal with the ledger's `cancel` and `buffer_cancel` entries; never edited."""

    list_display = ("claim", "reversed_by", "audit", "created_at")
    list_filter = ("created_at",)
    search_fields = ("=claim__id", "claim__project__owner__name", "reason")
    list_select_related = ("claim", "reversed_by", "audit")


@admin.register(BufferShortfall)
class BufferShortfallAdmin(ScreeningRecordAdmin):
    """What the buffer pool could not make up: the registry's open backing debts."""

    list_display = ("reversal", "organization", "quantity_kg", "created_at")
    list_filter = ("created_at",)
    search_fields = ("organization__name", "=reversal__claim__id")
    list_select_related = ("reversal", "organization")


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
    actions = [approve_claims, reject_claims, reverse_claims]
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
