"""OpenAPI extensions, imported once the app registry is ready."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class CarbonCredJWTScheme(SimpleJWTScheme):
    """Our JWT authentication is SimpleJWT's with a log-context hook: the same bearer scheme."""

    target_class = "accounts.authentication.JWTAuthentication"


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """``Authorization: Api-Key <key>`` (accounts.authentication.ApiKeyAuthentication)."""

    target_class = "accounts.authentication.ApiKeyAuthentication"
    name = "apiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <key>`: an organisation's API key, limited to its scopes (docs/API.md).",
        }
