"""What every page of the workspace does first: signed in, within the API's rates, and a not-found
from a selector (another organisation's object, or none) answered as the site's 404 page."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from rest_framework.permissions import SAFE_METHODS

from accounts.models import Organization, User
from accounts.roles import Ability, role_allows, role_require
from core.errors import DomainError, NotFoundError
from web.calls import throttled, too_many


def app_page(view: Callable[..., HttpResponseBase] | None = None, *, ability: Ability | None = Ability.OPERATE) -> Any:
    """A workspace page: signed in, within the API's rates, and its writes (any method but GET, HEAD,
    OPTIONS) refused with the 403 page unless the person's role has ``ability`` — the API's rule
    (accounts.roles, ``role_forbidden``), so a viewer's form is refused as their API call would be.
    ``@app_page`` is the SME's everyday work (``OPERATE``); ``@app_page(ability=...)`` names another."""

    def decorate(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if (wait := throttled(request)) is not None:
                return too_many(request, wait)
            if ability is not None and request.method not in SAFE_METHODS:
                role_check(request, ability)
            try:
                return view(request, *args, **kwargs)
            except NotFoundError as error:
                raise Http404(error.detail) from None

        return wrapper

    return decorate(view) if view is not None else decorate


def role_check(request: HttpRequest, ability: Ability) -> None:
    """The 403 page, saying why, unless the signed-in person's role has ``ability``."""
    try:
        role_require(role=person(request).role, ability=ability)
    except DomainError as error:
        raise PermissionDenied(error.detail) from None


def can(request: HttpRequest, ability: Ability) -> bool:
    """Whether the page should offer the signed-in person a form that needs ``ability``."""
    return role_allows(person(request).role, ability)


def verifier_page(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Verifiers only: anyone else signed in gets the 403 page (accounts.permissions.IsVerifier's rule)."""

    @app_page(ability=None)  # a verifier's decisions are the registry's, whatever their role at home
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
