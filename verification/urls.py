from rest_framework.routers import SimpleRouter

from verification.views import ClaimReviewViewSet, ReductionClaimViewSet

router = SimpleRouter()
router.register("reduction-data", ReductionClaimViewSet, basename="reduction-claim")
router.register("verifications", ClaimReviewViewSet, basename="verification")

urlpatterns = router.urls
