from rest_framework.routers import SimpleRouter

from sites.views import SiteReviewViewSet, SiteViewSet

router = SimpleRouter()
router.register("sites", SiteViewSet, basename="site")
router.register("site-reviews", SiteReviewViewSet, basename="site-review")

urlpatterns = router.urls
