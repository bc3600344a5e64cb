"""The API's default permission. Kept apart from ``accounts.permissions``: DRF imports the default
permission classes while Django is still loading apps (``REST_FRAMEWORK`` settings), so this module
imports no model and no error class at import time."""

from rest_framework.permissions import SAFE_METHODS, IsAuthenticated

from accounts.roles import Ability, role_require


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

    Services check the standing again where it matters."""

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        if request.method in SAFE_METHODS:
            return True
        if suspended(request):
            from accounts.errors import OrganizationSuspendedError

            raise OrganizationSuspendedError()
        role_require(role=getattr(request.user, "role", ""), ability=required_ability(view))
        return True
