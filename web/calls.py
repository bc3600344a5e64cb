"""How a page calls the same code as the API: the API's input serializer checks the shape, the app's
service applies the rules, and whatever either refuses comes back as errors on the page's form.

Nothing here knows a rule of the registry: it only moves messages from one place to another. The
throttles are DRF's own classes with the API's rates and cache keys, so a person clicking and a
script calling the API draw on one budget.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from rest_framework import serializers
from rest_framework.exceptions import ValidationError as DrfValidationError
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle, UserRateThrottle

from core.errors import DomainError, flatten_errors


class PageError(Exception):
    """The call was refused; ``errors`` maps form fields (or ``None``) to messages."""

    def __init__(self, errors: dict[str | None, list[str]], *, status: int = 400) -> None:
        self.errors, self.status = errors, status
        super().__init__(errors)


def _as_errors(exc: Exception) -> tuple[dict[str | None, list[str]], int]:
    if isinstance(exc, DrfValidationError):
        flat = flatten_errors(exc.detail)
        status = 400
    elif isinstance(exc, DjangoValidationError):
        flat = flatten_errors(exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages})
        status = 400
    elif isinstance(exc, DomainError):
        field = exc.extra.get("field")
        flat = {str(field) if field else "non_field_errors": [exc.detail]}
        fields = exc.extra.get("errors")
        if isinstance(fields, dict):  # the fields the refusal names, beside its sentence
            flat.update({str(name): [str(m) for m in found] for name, found in fields.items()})
        status = exc.status_code
    else:  # pragma: no cover - callers pass only the three kinds above
        raise exc
    return {None if name == "non_field_errors" else name: messages for name, messages in flat.items()}, status


def call(service: Callable[..., Any], /, **kwargs: Any) -> Any:
    """``service(**kwargs)``, with a refusal (a DomainError or a ValidationError) raised as PageError."""
    try:
        return service(**kwargs)
    except (DomainError, DjangoValidationError, DrfValidationError) as exc:
        errors, status = _as_errors(exc)
        raise PageError(errors, status=status) from exc


def parse(serializer_class: type[serializers.Serializer], data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """The API's input serializer over the form's data: its validated data, or PageError naming the fields."""
    payload = serializer_class(data=data, **kwargs)
    if not payload.is_valid():
        errors, status = _as_errors(DrfValidationError(payload.errors))
        raise PageError(errors, status=status)
    return dict(payload.validated_data)


def form_errors(form: forms.Form, error: PageError, *, prefix: str = "") -> None:
    """Put the refused call's messages on the form: on a field when the form has it, else on the form
    (naming the field, so nothing is lost). ``prefix`` strips a nesting the form flattens."""
    form.is_valid()  # the form's own fields check nothing; this makes room for the errors
    for name, messages in error.errors.items():
        key = name.removeprefix(prefix) if name and prefix else name
        for message in messages:
            if key is not None and key in form.fields:
                form.add_error(key, message)
            else:
                form.add_error(None, f"{label_of(key)}: {message}" if key else message)


def label_of(name: str) -> str:
    return name.replace("_", " ").replace(".", " ").capitalize()


def htmx_target(request: HttpRequest) -> str | None:
    """The element an htmx request will swap (``HX-Target``); ``None`` for a full page request."""
    htmx = getattr(request, "htmx", None)
    return (htmx.target or "") if htmx else None


# --- throttles -------------------------------------------------------------------------------


class _ScopeHolder:
    def __init__(self, scope: str) -> None:
        self.throttle_scope = scope


def throttled(request: HttpRequest, *, scope: str | None = None) -> int | None:
    """Seconds to wait when the request is over the API's rate (its scope's, or per user / per
    address), else ``None``. Counts the request when it is allowed."""
    user = getattr(request, "user", None)
    throttles: list[Any] = []
    if scope is not None:
        throttles.append((ScopedRateThrottle(), _ScopeHolder(scope)))
    throttles.append((UserRateThrottle() if user is not None and user.is_authenticated else AnonRateThrottle(), None))
    for throttle, view in throttles:
        if not throttle.allow_request(request, view):
            return int(throttle.wait() or 1)
    return None


def too_many(request: HttpRequest, wait: int) -> HttpResponse:
    response = render(
        request,
        "web/error.html",
        {"status": 429, "title": "Too many requests", "message": f"Please wait {wait} seconds and try again."},
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response


def is_debug() -> bool:
    return bool(settings.DEBUG)
