from rest_framework.routers import SimpleRouter

from webhooks.views import WebhookEndpointViewSet

# Path converters (not regexes): lookups use the `id` converter (core.converters).
router = SimpleRouter(use_regex_path=False)
router.register("webhooks", WebhookEndpointViewSet, basename="webhook")

urlpatterns = router.urls
