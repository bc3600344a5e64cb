from django.contrib import admin

from projects.models import Project


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("title", "owner", "category", "country", "status", "start_date", "created_at")
    list_filter = ("category", "status", "country")
    search_fields = ("title", "description", "owner__name")
    list_select_related = ("owner",)
    autocomplete_fields = ("owner",)
    date_hierarchy = "created_at"
