from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey as LibraryApiKey

from accounts.emails import email_normalize
from accounts.models import (
    ApiKey,
    Invitation,
    Organization,
    OrganizationStatusChange,
    OrganizationVerificationRequest,
    RefreshTokenFamily,
    User,
)
from accounts.services import organization_suspend, organization_verify
from core.errors import DomainError


class NormalizedEmailFormField(forms.EmailField):
    """The address as it will be stored (accounts.emails), so the form's uniqueness check sees the
    same spelling as the database."""

    def to_python(self, value):
        value = super().to_python(value)
        return email_normalize(value) if value else value


class UserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "organization", "role")
        field_classes = {"email": NormalizedEmailFormField}


class UserAdminChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes = {"email": NormalizedEmailFormField}


class UserInline(admin.TabularInline):
    model = User
    fields = ("email", "full_name", "role", "is_active", "is_staff")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class StatusChangeInline(admin.TabularInline):
    model = OrganizationStatusChange
    fields = ("created_at", "from_status", "to_status", "changed_by", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class VerificationRequestInline(admin.TabularInline):
    model = OrganizationVerificationRequest
    fk_name = "organization"
    fields = ("created_at", "status", "legal_name", "registration_number", "website", "document_ids", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    """Standing changes only through the actions (the services: history, listings withdrawn)."""

    list_display = (
        "name",
        "country",
        "verification_status",
        "registration_number",
        "namesake_of",
        "kind",
        "created_at",
    )
    list_filter = ("verification_status", "kind", "country")
    list_select_related = ("namesake_of",)
    search_fields = ("name", "legal_name", "registration_number", "sector", "website")
    readonly_fields = ("verification_status", "verified_at", "namesake_of", "registration_key", "name_key")
    inlines = [VerificationRequestInline, StatusChangeInline, UserInline]
    actions = ["verify_selected", "suspend_selected"]

    def _each(self, request, queryset, service, done: str, **kwargs) -> None:
        count = 0
        for organization in queryset:
            try:
                service(organization_id=organization.pk, reviewer=request.user, **kwargs)
            except DomainError as error:
                self.message_user(request, f"{organization.name}: {error.detail}", level=messages.ERROR)
            else:
                count += 1
        if count:
            self.message_user(request, f"{count} organisation(s) {done}.", level=messages.SUCCESS)

    def has_review_permission(self, request) -> bool:
        return request.user.is_verifier

    @admin.action(
        description="Verify the selected organisations (pending, or suspended to reinstate)", permissions=["review"]
    )
    def verify_selected(self, request, queryset) -> None:
        self._each(request, queryset, organization_verify, "verified", note=f"verified in the admin by {request.user}")

    @admin.action(
        description="Suspend the selected organisations (read-only; open listings withdrawn)", permissions=["review"]
    )
    def suspend_selected(self, request, queryset) -> None:
        self._each(
            request, queryset, organization_suspend, "suspended", reason=f"suspended in the admin by {request.user}"
        )


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserAdminChangeForm
    add_form = UserCreationForm
    list_display = ("email", "organization", "role", "is_verifier_display", "is_staff", "is_active", "date_joined")
    list_filter = ("role", "is_staff", "is_superuser", "is_active", "groups")
    list_select_related = ("organization",)
    search_fields = ("email", "full_name", "organization__name")
    ordering = ("email",)
    autocomplete_fields = ("organization",)
    fieldsets = (
        # The role here is the registry operator's override (the members API keeps an owner; this does not check).
        (None, {"fields": ("email", "password", "organization", "role", "full_name")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "organization", "role", "password1", "password2")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(boolean=True, description="verifier")
    def is_verifier_display(self, obj: User) -> bool:
        return obj.is_verifier


@admin.register(RefreshTokenFamily)
class RefreshTokenFamilyAdmin(admin.ModelAdmin):
    """Sign-ins and their refresh-token rotations; read-only (revoking is the API's logout, or
    blacklisting the current token under "Outstanding tokens")."""

    list_display = ("user", "created_at", "rotations", "rotated_at", "expires_at", "revoked_at", "revoked_reason")
    list_filter = ("revoked_reason",)
    list_select_related = ("user",)
    search_fields = ("user__email", "current_jti")
    readonly_fields = [field.name for field in RefreshTokenFamily._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyRecordAdmin(admin.ModelAdmin):
    """Written by the standing services only, never edited."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OrganizationStatusChange)
class OrganizationStatusChangeAdmin(ReadOnlyRecordAdmin):
    list_display = ("organization", "from_status", "to_status", "changed_by", "created_at")
    list_filter = ("to_status",)
    search_fields = ("organization__name", "note")
    list_select_related = ("organization", "changed_by")


@admin.register(OrganizationVerificationRequest)
class OrganizationVerificationRequestAdmin(ReadOnlyRecordAdmin):
    list_display = ("organization", "legal_name", "registration_number", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("organization__name", "legal_name", "registration_number")
    list_select_related = ("organization",)


# The library's own APIKey model is installed only for its abstract base; ours carries the organisation.
admin.site.unregister(LibraryApiKey)


@admin.register(ApiKey)
class ApiKeyAdmin(APIKeyModelAdmin):
    """The library's admin (an added key is shown once in a message), with the organisation and scopes."""

    list_display = ("name", "prefix", "organization", "created_by", "scopes", "created", "last_used_at", "revoked")  # type: ignore[assignment]
    list_filter = ("revoked",)
    list_select_related = ("organization", "created_by")
    search_fields = ("name", "prefix", "organization__name")  # type: ignore[assignment]
    raw_id_fields = ("organization", "created_by", "revoked_by")

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "last_used_at", "revoked_at", "revoked_by")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations as their organisations made them (only the token's hash is kept); deleting one
    withdraws it, as ``DELETE /api/organization/invitations/{id}/`` does."""

    list_display = ("email", "organization", "role", "invited_by", "created_at", "expires_at", "accepted_at")
    list_filter = ("role",)
    search_fields = ("email", "organization__name")
    list_select_related = ("organization", "invited_by")
    readonly_fields = [field.name for field in Invitation._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
