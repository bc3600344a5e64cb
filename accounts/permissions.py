from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from accounts.errors import ApiKeyNotAllowedError, OrganizationSuspendedError
from accounts.models import User
from accounts.standing import IsAuthenticatedInGoodStanding, is_api_key_request, suspended

__all__ = ["IsAuthenticatedInGoodStanding", "IsVerifier", "request_user"]


class IsVerifier(BasePermission):
    """Superusers and members of the `verifiers` group, signed in (verifier work is never done with an
    API key: 403 ``api_key_not_allowed``)."""

    message = "Only verifiers may do this."

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated and request.user.is_verifier):
            return False
        if is_api_key_request(request):
            raise ApiKeyNotAllowedError()
        if request.method not in SAFE_METHODS and suspended(request):
            raise OrganizationSuspendedError()
        return True


def request_user(request: Request) -> User:
    """The signed-in user of a request that passed ``IsAuthenticated`` (the default) or ``IsVerifier``.

    ``request.user`` is typed as any user or ``AnonymousUser``; behind those permissions it is always
    an ``accounts.User``. An anonymous request reaching here is refused as the permission would."""
    user = request.user
    if not isinstance(user, User):
        raise exceptions.NotAuthenticated()
    return user
