from django.contrib import admin

from core.models import IdempotencyRecord


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    list_display = ("key", "user", "method", "path", "status_code", "created_at")
    list_filter = ("method", "status_code")
    search_fields = ("key", "user__email", "path")
    list_select_related = ("user",)
    readonly_fields = [field.name for field in IdempotencyRecord._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
