from rest_framework.routers import SimpleRouter

from sites.views import SiteReviewViewSet, SiteViewSet

# Path converters (not regexes): lookups use the `id` converter (core.converters).
router = SimpleRouter(use_regex_path=False)
router.register("sites", SiteViewSet, basename="site")
router.register("site-reviews", SiteReviewViewSet, basename="site-review")

urlpatterns = router.urls
