from django.urls import path
from rest_framework.routers import SimpleRouter

from documents.views import DocumentViewSet, OrganizationVerificationApi

router = SimpleRouter()
router.register("documents", DocumentViewSet, basename="document")

urlpatterns = [
    path("organization/verification/", OrganizationVerificationApi.as_view(), name="organization-verification"),
    *router.urls,
]
