from rest_framework_simplejwt.authentication import JWTAuthentication as BaseJWTAuthentication

from carboncred.logcontext import organization_id_var


class JWTAuthentication(BaseJWTAuthentication):
    """SimpleJWT bearer tokens; the authenticated organisation joins the request's log context."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            organization_id_var.set(result[0].organization_id)
        return result
