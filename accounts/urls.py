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
    *router.urls,
]
