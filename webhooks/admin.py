from django.contrib import admin

from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "organization", "active", "created_at"]
    list_filter = ["active"]
    list_select_related = ["organization"]
    search_fields = ["url", "organization__name"]
    raw_id_fields = ["organization", "created_by"]
    exclude = ["secret"]


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["number", "trigger", "attempted_at", "duration_ms", "status_code", "error", "response_snippet"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "event", "endpoint", "status", "attempts", "next_attempt_at", "last_status_code"]
    list_filter = ["status"]
    list_select_related = ["event", "endpoint"]
    search_fields = ["endpoint__url", "event__type"]
    raw_id_fields = ["event", "endpoint"]
    readonly_fields = ["attempts", "last_attempt_at", "last_status_code", "last_error"]
    inlines = [WebhookAttemptInline]


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    list_display = ["id", "type", "organization", "created_at"]
    list_filter = ["type"]
    list_select_related = ["organization"]
    search_fields = ["type", "organization__name"]
    raw_id_fields = ["organization"]
    readonly_fields = ["type", "payload", "created_at"]


@admin.register(WebhookAttempt)
class WebhookAttemptAdmin(admin.ModelAdmin):
    list_display = ["delivery", "number", "trigger", "attempted_at", "status_code", "error"]
    list_filter = ["trigger", "status_code"]
    list_select_related = ["delivery"]
    search_fields = ["error", "delivery__endpoint__url"]
    raw_id_fields = ["delivery"]
