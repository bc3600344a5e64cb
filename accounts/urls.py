from django.urls import path
from rest_framework.routers import SimpleRouter

from accounts import views

# Path converters (not regexes): lookups use the `id` converter (core.converters).
router = SimpleRouter(use_regex_path=False)
router.register("api-keys", views.ApiKeyViewSet, basename="api-key")
router.register("organizations", views.OrganizationReviewViewSet, basename="organization-review")

urlpatterns = [
    path("auth/register/", views.RegisterApi.as_view(), name="register"),
    path("token/", views.TokenObtainApi.as_view(), name="token-obtain"),
    path("token/refresh/", views.TokenRefreshApi.as_view(), name="token-refresh"),
    path("token/blacklist/", views.TokenBlacklistApi.as_view(), name="token-blacklist"),
    path("me/", views.MeApi.as_view(), name="me"),
    path("auth/password/change/", views.PasswordChangeApi.as_view(), name="password-change"),
    path("auth/password/reset/", views.PasswordResetApi.as_view(), name="password-reset"),
    path("auth/password/reset/confirm/", views.PasswordResetConfirmApi.as_view(), name="password-reset-confirm"),
    path("auth/invitations/accept/", views.InvitationAcceptApi.as_view(), name="invitation-accept"),
    path("organization/members/", views.MemberListApi.as_view(), name="member-list"),
    path("organization/members/<id:member_id>/", views.MemberDetailApi.as_view(), name="member-detail"),
    path("organization/invitations/", views.InvitationListApi.as_view(), name="invitation-list"),
    path("organization/invitations/<id:invitation_id>/", views.InvitationDetailApi.as_view(), name="invitation-detail"),
    *router.urls,
]
