from rest_framework.permissions import BasePermission


class IsVerifier(BasePermission):
    """Superusers and members of the `verifiers` group."""

    message = "Only verifiers may do this."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_verifier)
