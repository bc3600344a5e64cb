from django.urls import path
from rest_framework.routers import SimpleRouter

from documents.views import DocumentViewSet, OrganizationVerificationApi

# Path converters (not regexes): lookups use the `id` converter (core.converters).
router = SimpleRouter(use_regex_path=False)
router.register("documents", DocumentViewSet, basename="document")

urlpatterns = [
    path("organization/verification/", OrganizationVerificationApi.as_view(), name="organization-verification"),
    *router.urls,
]
