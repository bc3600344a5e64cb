"""The API's default permission. Kept apart from ``accounts.permissions``: DRF imports the default
permission classes while Django is still loading apps (``REST_FRAMEWORK`` settings), so this module
imports no model and no error class at import time."""

from rest_framework.permissions import SAFE_METHODS, IsAuthenticated

from accounts.roles import Ability, role_require


def is_api_key_request(request) -> bool:
    """Whether the request was authenticated with an API key (``request.auth`` is an ``ApiKey``)."""
    return getattr(request.auth, "is_api_key", False) is True


def api_key_required_scope(request, view) -> str | None:
    """The scope an API key needs for this request: ``read`` for every safe method, else what the view
    declares for its action or method in ``api_key_scopes`` (``{"create": "trade"}``, ``{"post":
    "retire"}``). ``None``: no key may make this request (docs/API.md, "API keys")."""
    if getattr(view, "api_key_refused", False):
        return None
    if request.method in SAFE_METHODS:
        return "read"
    scopes = getattr(view, "api_key_scopes", {})
    action = getattr(view, "action", None)
    return scopes.get(action) if action in scopes else scopes.get(request.method.lower())


def api_key_check(request, view) -> None:
    """Refuse (403) a key-authenticated request the key's scopes do not cover; nothing for other requests."""
    if not is_api_key_request(request):
        return
    from accounts.errors import ApiKeyNotAllowedError, ApiKeyScopeError

    scope = api_key_required_scope(request, view)
    if scope is None:
        raise ApiKeyNotAllowedError()
    if not request.auth.has_scope(scope):
        raise ApiKeyScopeError(
            f"This API key lacks the {scope!r} scope this operation needs.",
            required_scope=scope,
            scopes=list(request.auth.scopes),
        )


def suspended(request) -> bool:
    """Whether the request's user acts for a suspended organisation (loaded with the user: no query)."""
    organization = getattr(request.user, "organization", None)
    return getattr(organization, "verification_status", None) == "suspended"


def required_ability(view) -> Ability:
    """The ability a view's writes need: its ``required_ability`` (an ``@action(required_ability=...)``
    sets it per action), else :attr:`Ability.OPERATE`, the SME's everyday work (accounts.roles)."""
    return getattr(view, "required_ability", Ability.OPERATE)


class IsAuthenticatedInGoodStanding(IsAuthenticated):
    """A signed-in user; reads (GET, HEAD, OPTIONS) for everyone, and writes only

    - while the user's organisation is not suspended (403 ``organization_suspended``), and
    - when the user's role allows the view's ability (403 ``role_forbidden``; accounts.roles).

    A request with an API key also needs the scope the operation asks for (:func:`api_key_check`).
    Services check the standing again where it matters."""

    schema_refuses_reads = False  # core.schema: a 403 only on writes

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        api_key_check(request, view)
        if request.method in SAFE_METHODS:
            return True
        if suspended(request):
            from accounts.errors import OrganizationSuspendedError

            raise OrganizationSuspendedError()
        role_require(role=getattr(request.user, "role", ""), ability=required_ability(view))
        return True
