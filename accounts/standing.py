"""The API's default permission. Kept apart from ``accounts.permissions``: DRF imports the default
permission classes while Django is still loading apps (``REST_FRAMEWORK`` settings), so this module
imports no model and no error class at import time."""

from rest_framework.permissions import SAFE_METHODS, IsAuthenticated


def suspended(request) -> bool:
    """Whether the request's user acts for a suspended organisation (loaded with the user: no query)."""
    organization = getattr(request.user, "organization", None)
    return getattr(organization, "verification_status", None) == "suspended"


class IsAuthenticatedInGoodStanding(IsAuthenticated):
    """A signed-in user, and only reads (GET, HEAD, OPTIONS) while the user's organisation is suspended
    (403 ``organization_suspended``). Services check the standing again where it matters."""

    schema_refuses_reads = False  # core.schema: a 403 only on writes

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        if request.method not in SAFE_METHODS and suspended(request):
            from accounts.errors import OrganizationSuspendedError

            raise OrganizationSuspendedError()
        return True
