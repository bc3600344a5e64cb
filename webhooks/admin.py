from django.contrib import admin

from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "organization", "active", "created_at"]
    list_filter = ["active"]
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
    raw_id_fields = ["event", "endpoint"]
    readonly_fields = ["attempts", "last_attempt_at", "last_status_code", "last_error"]
    inlines = [WebhookAttemptInline]


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    list_display = ["id", "type", "organization", "created_at"]
    list_filter = ["type"]
    raw_id_fields = ["organization"]
    readonly_fields = ["type", "payload", "created_at"]
