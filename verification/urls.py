from django.urls import path
from rest_framework.routers import SimpleRouter

from verification.views import AuditSeedsApi, AuditViewSet, ClaimReviewViewSet, ReductionClaimViewSet

# Path converters (not regexes): lookups use the `id` converter (core.converters).
router = SimpleRouter(use_regex_path=False)
router.register("reduction-data", ReductionClaimViewSet, basename="reduction-claim")
router.register("verifications", ClaimReviewViewSet, basename="verification")
router.register("audits", AuditViewSet, basename="audit")

urlpatterns = [*router.urls, path("audit-seeds/", AuditSeedsApi.as_view(), name="audit-seeds")]
