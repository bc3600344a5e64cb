from django.contrib import admin

from documents.models import Document


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    """Read-only: a document's bytes and hash never change (a new file is a new upload)."""

    list_display = ("sha256", "kind", "content_type", "size_bytes", "owner", "uploaded_at", "submitted_at")
    list_filter = ("kind", "content_type")
    search_fields = ("sha256", "original_name", "owner__name")
    list_select_related = ("owner",)
    readonly_fields = [field.name for field in Document._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
