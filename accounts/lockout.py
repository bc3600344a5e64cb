"""How django-axes sees a sign-in: whose address it is, and what a locked-out client is told.

Both sign-ins — ``/api/token/`` (field ``email``) and the admin (field ``username``) — count their
failures under the same key, the normalised e-mail address (accounts.emails) and the client's
address (core.clientip), so five wrong guesses on either lock both. Once locked out, every attempt
is refused before the password is checked, and the answer is the same for a right and a wrong
password: a 429 with ``Retry-After``, JSON on ``/api/``, a page elsewhere.
"""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from accounts.emails import email_normalize

# Where each sign-in puts the address: the API's body, Django's authenticate() for the admin form.
USERNAME_KEYS = ("email", "username")


def lockout_username(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str | None:
    """AXES_USERNAME_CALLABLE: the normalised address from the credentials (or the posted form)."""
    for source in (credentials or {}, _posted(request)):
        for key in USERNAME_KEYS:
            value = source.get(key)
            if isinstance(value, str):
                return email_normalize(value)
    return None


def _posted(request: HttpRequest | None) -> Any:
    if request is None:
        return {}
    data = getattr(request, "data", None)  # a DRF request's parsed body
    if data is not None and hasattr(data, "get"):
        return data
    return request.POST if request.method == "POST" else {}


def cooloff_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def lockout_message() -> str:
    return f"Too many failed sign-in attempts. Try again in {cooloff_seconds() // 60} minutes."


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the one answer to every attempt while locked out (nothing in it
    depends on the password that was tried)."""
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"detail": lockout_message(), "code": "locked_out", "retry_after_seconds": cooloff_seconds()},
            status=429,
        )
    else:
        page = render_to_string("accounts/locked_out.html", {"message": lockout_message()})
        response = HttpResponse(page, status=429)
    response["Retry-After"] = str(cooloff_seconds())
    return response
