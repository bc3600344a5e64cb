import logging
import time

from django.http import HttpRequest, HttpResponse

from carboncred.logcontext import organization_id_var, request_id_from, request_id_var

logger = logging.getLogger("carboncred.request")


class RequestIdMiddleware:
    """Gives every request an id (the client's ``X-Request-ID`` when it is sane), returns it in the
    response header, and writes one structured access-log line per request."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get("X-Request-ID"))
        request.request_id = request_id
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
