from django.contrib.auth import get_user_model
from rest_framework_simplejwt.authentication import JWTAuthentication as BaseJWTAuthentication

from core.logcontext import organization_id_var


class _UsersWithOrganization:
    """What ``BaseJWTAuthentication.get_user`` reads of ``self.user_model`` (``objects.get`` and
    ``DoesNotExist``), with the user's organisation joined into the same query."""

    def __init__(self, model) -> None:
        self.DoesNotExist = model.DoesNotExist
        self.objects = model._default_manager.select_related("organization")


class JWTAuthentication(BaseJWTAuthentication):
    """SimpleJWT bearer tokens; the authenticated organisation joins the request's log context.

    The user is loaded with its organisation in one query: nearly every endpoint acts for
    ``request.user.organization``, which would otherwise cost a second query per request. The
    library's checks after loading (active user, revoked tokens) stay the library's.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Duck-typed: the base class reads only ``objects.get`` and ``DoesNotExist`` of it.
        self.user_model = _UsersWithOrganization(get_user_model())  # type: ignore[assignment]

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            organization_id_var.set(result[0].organization_id)
        return result
