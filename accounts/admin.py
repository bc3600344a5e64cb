from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm

from accounts.emails import email_normalize
from accounts.models import Organization, RefreshTokenFamily, User


class NormalizedEmailFormField(forms.EmailField):
    """The address as it will be stored (accounts.emails), so the form's uniqueness check sees the
    same spelling as the database."""

    def to_python(self, value):
        value = super().to_python(value)
        return email_normalize(value) if value else value


class UserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "organization")
        field_classes = {"email": NormalizedEmailFormField}


class UserAdminChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes = {"email": NormalizedEmailFormField}


class UserInline(admin.TabularInline):
    model = User
    fields = ("email", "full_name", "is_active", "is_staff")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "country", "sector", "kind", "created_at")
    list_filter = ("kind", "country")
    search_fields = ("name", "sector", "website")
    inlines = [UserInline]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserAdminChangeForm
    add_form = UserCreationForm
    list_display = ("email", "organization", "is_verifier_display", "is_staff", "is_active", "date_joined")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    list_select_related = ("organization",)
    search_fields = ("email", "full_name", "organization__name")
    ordering = ("email",)
    autocomplete_fields = ("organization",)
    fieldsets = (
        (None, {"fields": ("email", "password", "organization", "full_name")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "organization", "password1", "password2")}),)

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
