"""Read-only admin: the ledger is changed by ledger.services alone, never by hand.

``LedgerEntryParty`` and ``MerkleNode`` have composite primary keys, which Django's admin cannot
register: an entry's page lists its parties instead, and Merkle nodes are a cache of checkpoint
subtrees that proofs recompute (nothing to inspect by hand).
"""

from django.contrib import admin
from django.utils.html import format_html_join

from accounts.models import Organization
from ledger.models import (
    Checkpoint,
    CreditBlock,
    LedgerEntry,
    LedgerEntryParty,
    LedgerEntryRange,
    LedgerHead,
    Reversal,
)


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
    # The parent column prints the parent's serial, which needs the parent's project too.
    list_select_related = ("project", "owner", "parent__project")
    raw_id_fields = ("project", "owner", "parent")


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("seq", "kind", "created_at", "hash_hex")
    list_filter = ("kind",)
    search_fields = ("=seq",)
    fields = ("seq", "kind", "created_at", "parties", "prev_hash_hex", "hash_hex", "canonical")
    readonly_fields = fields
    show_full_result_count = False  # no COUNT(*) over the whole chain on every page

    @admin.display(description="concerns")
    def parties(self, obj: LedgerEntry) -> str:
        ids = LedgerEntryParty.objects.filter(entry=obj).values_list("organization_id", flat=True)
        organizations = Organization.objects.filter(pk__in=list(ids)).order_by("name")
        return format_html_join(", ", "{} (#{})", ((org.name, org.pk) for org in organizations)) or "-"


@admin.register(LedgerEntryRange)
class LedgerEntryRangeAdmin(ReadOnlyAdmin):
    """The serial-range index behind the public ``?serial=`` filter: which entries moved which serials."""

    list_display = ("entry", "project", "vintage", "serial_start", "serial_end", "block")
    list_filter = ("vintage",)
    search_fields = ("=entry__seq", "=block__id", "=project__id", "project__title")
    list_select_related = ("entry", "project", "block__project")


@admin.register(LedgerHead)
class LedgerHeadAdmin(ReadOnlyAdmin):
    """The one row every append locks: the last entry's seq and hash."""

    list_display = ("seq", "hash_hex", "created_at")
    fields = list_display
    readonly_fields = fields

    @admin.display(description="hash")
    def hash_hex(self, obj: LedgerHead) -> str:
        return bytes(obj.hash).hex()


@admin.register(Checkpoint)
class CheckpointAdmin(ReadOnlyAdmin):
    list_display = ("size", "root_hex", "signed", "created_at")
    list_filter = ("created_at",)
    search_fields = ("=size",)
    fields = ("size", "root_hex", "created_at", "note")
    readonly_fields = fields

    @admin.display(boolean=True, description="signed")
    def signed(self, obj: Checkpoint) -> bool:
        return obj.note is not None


@admin.register(Reversal)
class ReversalAdmin(ReadOnlyAdmin):
    """Reversed issuances: what was cancelled, what the buffer pool made up, and the shortfall."""

    list_display = (
        "issue_entry",
        "project",
        "vintage",
        "owner",
        "cancelled_kg",
        "buffer_share_cancelled_kg",
        "buffer_cancelled_kg",
        "shortfall_kg",
        "created_at",
    )
    list_filter = ("vintage", "created_at")
    search_fields = ("=issue_entry__seq", "owner__name", "project__title")
    list_select_related = ("issue_entry", "project", "owner")
