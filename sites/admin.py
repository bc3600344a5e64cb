from django.contrib import admin, messages

from core.errors import DomainError
from sites.models import Meter, Site
from sites.services import site_approve, site_reject


class MeterInline(admin.TabularInline):
    model = Meter
    fields = ("meter_id", "key", "active", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    """Status changes through the actions only (the same services as the API)."""

    list_display = ("name", "owner", "country", "status", "capacity_kw", "latitude", "longitude", "created_at")
    list_filter = ("status", "country")
    search_fields = ("name", "address", "owner__name", "meters__meter_id")
    list_select_related = ("owner",)
    readonly_fields = ("status", "review_reasons", "reviewed_by", "reviewed_at", "review_note")
    inlines = [MeterInline]
    actions = ["approve_selected", "reject_selected"]

    def _each(self, request, queryset, service, done: str) -> None:
        count = 0
        for site in queryset:
            try:
                service(site_id=site.pk, reviewer=request.user, note=f"{done} in the admin by {request.user}")
            except DomainError as error:
                self.message_user(request, f"{site.name}: {error.detail}", level=messages.ERROR)
            else:
                count += 1
        if count:
            self.message_user(request, f"{count} site(s) {done}.", level=messages.SUCCESS)

    def has_review_permission(self, request) -> bool:
        return request.user.is_verifier

    @admin.action(description="Approve the selected sites under review", permissions=["review"])
    def approve_selected(self, request, queryset) -> None:
        self._each(request, queryset, site_approve, "approved")

    @admin.action(description="Reject the selected sites under review", permissions=["review"])
    def reject_selected(self, request, queryset) -> None:
        self._each(request, queryset, site_reject, "rejected")


@admin.register(Meter)
class MeterAdmin(admin.ModelAdmin):
    """Find every site a meter id is registered on (``key`` is the id compared)."""

    list_display = ("meter_id", "key", "site", "active", "created_at")
    list_filter = ("active",)
    search_fields = ("meter_id", "key", "site__name", "site__owner__name")
    list_select_related = ("site",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
