from django.contrib import admin

from certificates.models import RetirementCertificate


@admin.register(RetirementCertificate)
class RetirementCertificateAdmin(admin.ModelAdmin):
    """Read-only: a certificate states what the ledger recorded and is never edited."""

    list_display = ("public_id", "serial", "quantity_kg", "beneficiary", "organization", "retired_at")
    list_filter = ("retired_at", "block__project__category", "block__vintage")
    search_fields = ("public_id", "serial", "beneficiary", "reason", "organization__name")
    list_select_related = ("organization",)
    date_hierarchy = "retired_at"
    readonly_fields = [field.name for field in RetirementCertificate._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
