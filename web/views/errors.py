"""``GET /api/``: where the API's documentation and schema are, instead of a 404."""

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_safe


@require_safe
def api_index(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {
            "name": "CarbonCred API",
            "docs": request.build_absolute_uri(reverse("swagger-ui")),
            "redoc": request.build_absolute_uri(reverse("redoc")),
            "schema": request.build_absolute_uri(reverse("schema")),
            "health": request.build_absolute_uri(reverse("healthz")),
            "auth": "POST /api/token/ {email, password} -> {access, refresh}; then Authorization: Bearer <access>",
        }
    )
