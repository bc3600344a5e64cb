"""One JSON error shape for every 4xx/5xx the API answers.

``{"detail": "<human sentence>", "code": "<machine code>", "errors": {"<field>": ["..."]}}`` —
``errors`` only for validation failures, naming each offending field (nested fields as
``evidence.0.quantity``). Services raise :class:`DomainError` subclasses and never import DRF.
"""

import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


class DomainError(Exception):
    """A request that conflicts with the rules of the domain. Carries its HTTP status and code."""

    status_code = 400
    code = "domain_error"
    default_detail = "The request breaks a rule of the registry."

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        self.detail = detail or self.default_detail
        self.extra = extra
        super().__init__(self.detail)


class NotFoundError(DomainError):
    """The object does not exist or belongs to another organisation."""

    status_code, code, default_detail = 404, "not_found", "Not found."


class ConflictError(DomainError):
    """The request is valid but the current state does not allow it."""

    status_code, code, default_detail = 409, "conflict", "The current state does not allow this."


def flatten_errors(data: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error structure as ``{"a.0.b": ["message", ...]}``."""
    if isinstance(data, dict):
        flat: dict[str, list[str]] = {}
        for key, value in data.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if key == "non_field_errors" and prefix:
                name = prefix
            flat.update(flatten_errors(value, name))
        return flat
    if isinstance(data, list):
        if all(not isinstance(item, dict | list) for item in data):
            return {prefix or "non_field_errors": [str(item) for item in data]}
        flat = {}
        for index, item in enumerate(data):
            if item:
                flat.update(flatten_errors(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    return {prefix or "non_field_errors": [str(data)]}


def _validation_body(errors: Any) -> dict[str, Any]:
    fields = flatten_errors(errors)
    parts = [
        messages[0] if name == "non_field_errors" else f"{name}: {messages[0]}"
        for name, messages in fields.items()
        if messages
    ]
    return {"detail": " ".join(parts) or "Invalid input.", "code": "invalid", "errors": fields}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF exception handler: DomainError, Django and DRF errors into the one shape."""
    if isinstance(exc, DomainError):
        headers = {"Retry-After": str(exc.extra["retry_after_seconds"])} if "retry_after_seconds" in exc.extra else None
        return Response({"detail": exc.detail, "code": exc.code, **exc.extra}, status=exc.status_code, headers=headers)
    if isinstance(exc, DjangoValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(_validation_body(errors), status=status.HTTP_400_BAD_REQUEST)
    # Http404 is a view's deliberate "not found" (DRF's get_object_or_404). An unexpected
    # DoesNotExist is not mapped: it is a bug, logged and answered as a 500.
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # unexpected: Django logs it and answers 500 through handler500
    if isinstance(exc, exceptions.ValidationError):
        response.data = _validation_body(exc.detail)
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail
        code = exc.get_codes() if not isinstance(detail, dict | list) else exc.default_code
        if isinstance(detail, dict | list):
            detail = _validation_body(detail)["detail"]
        response.data = {"detail": str(detail), "code": str(code)}
        # Throttled.__init__ sets ``wait`` (seconds or None); the stubs do not declare it.
        wait = exc.wait if isinstance(exc, exceptions.Throttled) else None  # type: ignore[attr-defined]
        if wait is not None:
            response.data["retry_after_seconds"] = int(wait)
    return response


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def json_error_view(status_code: int, detail: str, code: str):
    """A Django error handler (handler404/500/...) that answers JSON on /api/ paths."""
    from django.views import defaults

    html_views: dict[int, Callable[..., HttpResponse]] = {
        400: defaults.bad_request,
        403: defaults.permission_denied,
        404: defaults.page_not_found,
        500: defaults.server_error,
    }

    def view(request: HttpRequest, exception: Exception | None = None):
        if _is_api(request):
            return JsonResponse({"detail": detail, "code": code}, status=status_code)
        if status_code == 500:
            return html_views[500](request)
        return html_views[status_code](request, exception)

    return view


handler400 = json_error_view(400, "Bad request.", "bad_request")
handler403 = json_error_view(403, "You do not have permission to perform this action.", "permission_denied")
handler404 = json_error_view(404, "Not found.", "not_found")
handler500 = json_error_view(500, "Internal server error. The error has been logged.", "server_error")
