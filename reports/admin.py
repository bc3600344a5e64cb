from django.contrib import admin

from reports.models import IssuedReport


@admin.register(IssuedReport)
class IssuedReportAdmin(admin.ModelAdmin):
    """Read-only: a row records what the registry issued; the organisation publishes it through the API."""

    list_display = ("organization", "kind", "year", "sha256", "public", "created_at")
    list_filter = ("kind", "public", "year")
    search_fields = ("sha256", "organization__name")
    list_select_related = ("organization",)
    readonly_fields = [field.name for field in IssuedReport._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
