from django.urls import path
from rest_framework.routers import SimpleRouter

from certificates.views import CertificateVerifyApi, CertificateViewSet, RetirementCreateApi

# Path converters (not regexes): lookups use the `id` converter (core.converters).
router = SimpleRouter(use_regex_path=False)
router.register("certificates", CertificateViewSet, basename="certificate")

urlpatterns = [
    path("retire/", RetirementCreateApi.as_view(), name="retire"),
    # slug = the alphabet of secrets.token_urlsafe, so nothing else reaches the lookup.
    path("certificates/verify/<slug:public_id>/", CertificateVerifyApi.as_view(), name="certificate-verify"),
    *router.urls,
]
