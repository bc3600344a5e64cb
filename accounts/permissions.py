from rest_framework import exceptions
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from accounts.models import User


class IsVerifier(BasePermission):
    """Superusers and members of the `verifiers` group."""

    message = "Only verifiers may do this."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_verifier)


def request_user(request: Request) -> User:
    """The signed-in user of a request that passed ``IsAuthenticated`` (the default) or ``IsVerifier``.

    ``request.user`` is typed as any user or ``AnonymousUser``; behind those permissions it is always
    an ``accounts.User``. An anonymous request reaching here is refused as the permission would."""
    user = request.user
    if not isinstance(user, User):
        raise exceptions.NotAuthenticated()
    return user
