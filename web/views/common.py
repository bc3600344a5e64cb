"""What every page of the workspace does first: signed in, within the API's rates, and a not-found
from a selector (another organisation's object, or none) answered as the site's 404 page."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from accounts.models import Organization, User
from core.errors import NotFoundError
from web.calls import throttled, too_many


def app_page(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if (wait := throttled(request)) is not None:
            return too_many(request, wait)
        try:
            return view(request, *args, **kwargs)
        except NotFoundError as error:
            raise Http404(error.detail) from None

    return wrapper


def verifier_page(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Verifiers only: anyone else signed in gets the 403 page (accounts.permissions.IsVerifier's rule)."""

    @app_page
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not person(request).is_verifier:
            raise PermissionDenied("Only verifiers may do this.")
        return view(request, *args, **kwargs)

    return wrapper


def person(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # app_page signed them in
        raise PermissionDenied
    return user


def organization(request: HttpRequest) -> Organization:
    return person(request).organization


def page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 10**6 else 1
