from django.contrib import admin, messages

from emissions.models import EmissionCheck, EmissionFactor, EmissionLine, EmissionReport
from emissions.services import IDENTITY_FIELDS, REVISABLE_FIELDS, emission_factor_revise

HISTORY_FIELDS = ("version", "is_current", "previous", "created_at")


@admin.register(EmissionFactor)
class EmissionFactorAdmin(admin.ModelAdmin):
    """Saving a change publishes a new version and retires the old one; nothing is edited in place."""

    list_display = ("activity", "region", "unit", "value", "year", "version", "is_current", "is_fallback")
    list_filter = ("is_current", "activity", "is_fallback", "year")
    search_fields = ("region", "region_name", "source", "source_activity")
    fields = (
        "activity",
        "region",
        "unit",
        "value",
        "year",
        "source",
        "source_url",
        "licence",
        "region_name",
        "source_activity",
        "source_unit",
        "caveat",
        "is_fallback",
        "note",
        *HISTORY_FIELDS,
    )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return HISTORY_FIELDS
        if not obj.is_current:
            return self.fields  # a retired version is history
        return (*sorted(IDENTITY_FIELDS), *HISTORY_FIELDS)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # report lines point at factor rows; retire by revising instead

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            return
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in REVISABLE_FIELDS}
        if not changes:
            messages.info(request, "Nothing changed, so no new version was made.")
            return
        revision = emission_factor_revise(factor_id=obj.pk, changes=changes, note=form.cleaned_data.get("note", ""))
        # The admin goes on to log and redirect using `obj`: make it the new version.
        for field in EmissionFactor._meta.concrete_fields:
            setattr(obj, field.attname, getattr(revision, field.attname))
        messages.info(request, f"Published version {revision.version}; version {revision.version - 1} is retired.")


class EmissionLineInline(admin.TabularInline):
    model = EmissionLine
    fields = ("position", "activity", "quantity", "unit", "region", "scope", "emissions_kg", "factor", "factor_label")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class EmissionCheckInline(admin.TabularInline):
    model = EmissionCheck
    fields = ("created_at", "status", "risk_score", "findings", "engine_version")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(EmissionReport)
class EmissionReportAdmin(admin.ModelAdmin):
    """Reports are computed by the API; the admin reads them (and may delete a mistaken one)."""

    list_display = ("id", "organization", "period_start", "period_end", "total_kg", "created_at")
    list_filter = ("period_start",)
    list_select_related = ("organization",)
    search_fields = ("organization__name",)
    date_hierarchy = "period_start"
    fields = (
        "organization",
        "period_start",
        "period_end",
        "total_kg",
        "scope1_kg",
        "scope2_kg",
        "scope3_kg",
        "created_at",
    )
    readonly_fields = fields
    inlines = [EmissionLineInline, EmissionCheckInline]

    def has_add_permission(self, request) -> bool:
        return False


class ComputedRowAdmin(admin.ModelAdmin):
    """Rows the report service computed: to look up and cross-check, never to edit by hand."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # delete the report instead; its lines and checks go with it


@admin.register(EmissionLine)
class EmissionLineAdmin(ComputedRowAdmin):
    """Which reports used a factor, and how each line was matched to one."""

    list_display = (
        "report",
        "organization",
        "activity",
        "quantity",
        "unit",
        "region",
        "scope",
        "emissions_kg",
        "factor",
    )
    list_filter = ("scope", "activity", "factor_match", "factor_fallback")
    search_fields = ("report__organization__name", "region", "factor_source", "=report__id")
    list_select_related = ("report__organization", "factor")

    @admin.display(description="organisation", ordering="report__organization__name")
    def organization(self, obj: EmissionLine) -> str:
        return obj.report.organization.name


@admin.register(EmissionCheck)
class EmissionCheckAdmin(ComputedRowAdmin):
    list_display = ("report", "organization", "status", "risk_score", "engine_version", "created_at")
    list_filter = ("status", "engine_version")
    search_fields = ("report__organization__name", "=report__id")
    list_select_related = ("report__organization",)

    @admin.display(description="organisation", ordering="report__organization__name")
    def organization(self, obj: EmissionCheck) -> str:
        return obj.report.organization.name
