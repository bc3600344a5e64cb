"""Money in the admin: read-only journal and accounts; staff confirm top-ups and pay payouts through
actions that call the same services as the staff endpoints (never by editing rows)."""

from django.contrib import admin, messages

from core.errors import DomainError
from payments.models import Account, BankAccount, JournalEntry, Payout, Posting, ProviderEvent, TopUp
from payments.services import payout_mark_paid, top_up_cancel, top_up_confirm


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows change through the services alone (the actions below call them)."""

    show_full_result_count = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class PostingInline(admin.TabularInline):
    model = Posting
    fields = ("account", "amount", "balance_after")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdmin):
    list_display = ("id", "created_at", "kind", "currency", "reference")
    list_filter = ("kind", "currency")
    search_fields = ("=id", "reference", "=order_id")
    inlines = [PostingInline]
    show_full_result_count = False


@admin.register(Posting)
class PostingAdmin(ReadOnlyAdmin):
    list_display = ("id", "entry", "account", "amount", "balance_after")
    list_filter = ("entry__kind", "account__kind", "account__currency")
    search_fields = ("=entry__id", "account__organization__name")
    list_select_related = ("entry", "account__organization")


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ("id", "organization", "kind", "currency", "balance")
    list_filter = ("kind", "currency")
    search_fields = ("organization__name",)
    list_select_related = ("organization",)


def _each(modeladmin, request, queryset, action, done_message: str) -> None:
    done = 0
    for row in queryset.order_by("pk"):
        try:
            action(row)
            done += 1
        except DomainError as error:  # decided meanwhile: report it, go on with the rest
            modeladmin.message_user(request, f"{row}: {error.detail}", messages.WARNING)
    modeladmin.message_user(request, done_message.format(done=done))


@admin.register(TopUp)
class TopUpAdmin(ReadOnlyAdmin):
    list_display = ("reference", "organization", "amount", "currency", "method", "status", "created_at", "completed_at")
    list_filter = ("status", "method", "currency")
    search_fields = ("reference", "organization__name", "provider_reference")
    list_select_related = ("organization",)
    actions = ["confirm", "cancel"]

    @admin.action(
        description="Confirm the selected bank transfers arrived (credit the balances)", permissions=["confirm"]
    )
    def confirm(self, request, queryset) -> None:
        _each(
            self,
            request,
            queryset.filter(status=TopUp.Status.PENDING),
            lambda top_up: top_up_confirm(top_up_id=top_up.pk, confirmed_by=request.user),
            "Credited {done} top-up(s).",
        )

    @admin.action(description="Cancel the selected pending top-ups", permissions=["confirm"])
    def cancel(self, request, queryset) -> None:
        _each(
            self,
            request,
            queryset.filter(status=TopUp.Status.PENDING),
            lambda top_up: top_up_cancel(top_up_id=top_up.pk),
            "Cancelled {done} top-up(s).",
        )

    def has_confirm_permission(self, request) -> bool:
        return request.user.is_staff and request.user.has_perm("payments.change_topup")


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = ("id", "organization", "amount", "currency", "status", "holder_name", "account_number", "created_at")
    list_filter = ("status", "currency")
    search_fields = ("=id", "organization__name")
    list_select_related = ("organization",)
    actions = ["mark_paid"]

    @admin.action(description="Mark the selected payouts paid (the bank transfer went out)", permissions=["pay"])
    def mark_paid(self, request, queryset) -> None:
        _each(
            self,
            request,
            queryset.filter(status=Payout.Status.REQUESTED),
            lambda payout: payout_mark_paid(payout_id=payout.pk, decided_by=request.user),
            "Marked {done} payout(s) paid.",
        )

    def has_pay_permission(self, request) -> bool:
        return request.user.is_staff and request.user.has_perm("payments.change_payout")


@admin.register(BankAccount)
class BankAccountAdmin(ReadOnlyAdmin):
    list_display = ("organization", "holder_name", "masked_number", "bank_code", "updated_at")
    list_filter = ("updated_at",)
    search_fields = ("organization__name", "holder_name")
    list_select_related = ("organization",)


@admin.register(ProviderEvent)
class ProviderEventAdmin(ReadOnlyAdmin):
    list_display = ("event_id", "provider", "type", "outcome", "top_up", "received_at")
    list_filter = ("provider", "type", "outcome")
    search_fields = ("event_id",)
