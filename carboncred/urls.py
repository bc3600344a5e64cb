from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from carboncred.dashboard import DashboardApi
from certificates.views import certificate_public_page, certificate_public_pdf
from core import health
from reports.views import report_verify_page
from web.views.errors import api_index

api_patterns: list[URLPattern | URLResolver] = [
    path("", include("accounts.urls")),
    path("", include("documents.urls")),
    path("", include("sites.urls")),
    path("", include("projects.urls")),
    path("", include("emissions.urls")),
    path("", include("ledger.urls")),
    path("", include("webhooks.urls")),
    path("", include("payments.urls")),
    path("", include("verification.urls")),
    path("", include("certificates.urls")),
    path("", include("marketplace.urls")),
    path("", include("reports.urls")),
    path("dashboard/", DashboardApi.as_view(), name="dashboard"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("", api_index, name="api-index"),
]

urlpatterns = [
    path("api/", include(api_patterns)),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # Any segment: an id that is no certificate's gets the branded "not a valid certificate" page.
    path("certificates/<str:public_id>/", certificate_public_page, name="certificate-public-page"),
    path("certificates/<str:public_id>/pdf/", certificate_public_pdf, name="certificate-public-pdf"),
    path("reports/verify/", report_verify_page, name="report-verify-page"),
    # slug = the alphabet of secrets.token_urlsafe, so nothing else reaches the lookup.
    path("reports/verify/<slug:token>/", report_verify_page, name="report-verify-token-page"),
    path("admin/", admin.site.urls),
    # The pages for people (web/): the public market and registry, the SME's workspace, the review queue.
    path("", include("web.urls")),
]

handler400 = "core.errors.handler400"
handler403 = "core.errors.handler403"
handler404 = "core.errors.handler404"
handler500 = "core.errors.handler500"
