"""OpenAPI extensions, imported once the app registry is ready."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class CarbonCredJWTScheme(SimpleJWTScheme):
    """Our JWT authentication is SimpleJWT's with a log-context hook: the same bearer scheme."""

    target_class = "accounts.authentication.JWTAuthentication"
