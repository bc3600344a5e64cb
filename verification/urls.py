from rest_framework.routers import SimpleRouter

from verification.views import ClaimReviewViewSet, ReductionClaimViewSet

# Path converters (not regexes): lookups use the `id` converter (core.converters).
router = SimpleRouter(use_regex_path=False)
router.register("reduction-data", ReductionClaimViewSet, basename="reduction-claim")
router.register("verifications", ClaimReviewViewSet, basename="verification")

urlpatterns = router.urls
