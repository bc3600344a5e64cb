import logging
import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from core.logcontext import organization_id_var, request_id_from, request_id_var

logger = logging.getLogger("carboncred.request")


class RequestIdMiddleware:
    """Gives every request an id (the client's ``X-Request-ID`` when it is sane), returns it in the
    response header, and writes one structured access-log line per request."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get("X-Request-ID"))
        request.request_id = request_id  # type: ignore[attr-defined]  # our own attribute on the request
        id_token = request_id_var.set(request_id)
        org_token = organization_id_var.set(None)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            return response
        finally:
            request_id_var.reset(id_token)
            organization_id_var.reset(org_token)


def body_limit(method: str, path: str) -> int | None:
    """The most bytes a request body may have: ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (``MAX_BODY_BYTES``),
    or ``UPLOAD_MAX_BODY_BYTES`` for a file upload (a POST to one of ``UPLOAD_PATHS``). ``None``: no limit."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if method == "POST" and path in getattr(settings, "UPLOAD_PATHS", ()):
        limit = max(limit or 0, settings.UPLOAD_MAX_BODY_BYTES)
    return limit


class BodySizeLimitMiddleware:
    """Refuses a request whose declared body is larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` with a
    413 before anything reads it (Django alone would answer a vague 400 once a parser got there).
    File uploads to ``UPLOAD_PATHS`` may be up to ``UPLOAD_MAX_BODY_BYTES`` instead (their own view
    checks the file's size exactly)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = body_limit(request.method or "", request.path)
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if limit is not None and declared > limit:
            return JsonResponse(
                {"detail": f"The request body is larger than {limit} bytes.", "code": "request_too_large"},
                status=413,
            )
        return self.get_response(request)
