from rest_framework.routers import SimpleRouter

from projects.views import ProjectViewSet

# Path converters (not regexes): lookups use the `id` converter (core.converters).
router = SimpleRouter(use_regex_path=False)
router.register("projects", ProjectViewSet, basename="project")

urlpatterns = router.urls
