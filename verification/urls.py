from rest_framework.routers import SimpleRouter

from verification.views import ReductionClaimViewSet, VerificationViewSet

router = SimpleRouter()
router.register("reduction-data", ReductionClaimViewSet, basename="reduction-claim")
router.register("verifications", VerificationViewSet, basename="verification")

urlpatterns = router.urls
