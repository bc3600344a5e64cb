"""Read-only admin: the ledger is changed by ledger.services alone, never by hand."""

from django.contrib import admin

from ledger.models import Checkpoint, CreditBlock, LedgerEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CreditBlock)
class CreditBlockAdmin(ReadOnlyAdmin):
    list_display = ("id", "serial", "quantity_kg", "owner", "status", "vintage", "parent", "created_at")
    list_filter = ("status", "vintage")
    search_fields = ("owner__name", "project__title")
    list_select_related = ("project", "owner")
    raw_id_fields = ("project", "owner", "parent")


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("seq", "kind", "created_at", "hash_hex")
    list_filter = ("kind",)
    fields = ("seq", "kind", "created_at", "prev_hash_hex", "hash_hex", "canonical")
    readonly_fields = fields
    show_full_result_count = False  # no COUNT(*) over the whole chain on every page


@admin.register(Checkpoint)
class CheckpointAdmin(ReadOnlyAdmin):
    list_display = ("size", "root_hex", "created_at")
    fields = ("size", "root_hex", "created_at")
    readonly_fields = fields
