from typing import cast

from django.contrib.auth import get_user_model
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication as BaseJWTAuthentication
from rest_framework_simplejwt.tokens import Token

from accounts.models import ApiKey, User
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

    # SimpleJWT annotates the return with a TypeVar that no argument binds, which no override can
    # match; this one says what it returns.
    def authenticate(self, request: Request) -> tuple[User, Token] | None:  # type: ignore[override]
        result = super().authenticate(request)
        if result is None:
            return None
        # ``get_user`` loads through ``self.user_model`` above, so this is an ``accounts.User``; the
        # library types it as any ``AbstractBaseUser`` (or its ``TokenUser``, which this class never returns).
        user, token = cast(User, result[0]), result[1]
        organization_id_var.set(user.organization_id)
        return user, token


class ApiKeyAuthentication(BaseAuthentication):
    """``Authorization: Api-Key <key>``: the request acts as the key's creator for the key's organisation
    (``request.user``), and ``request.auth`` is the :class:`accounts.models.ApiKey`, whose scopes
    ``accounts.standing`` enforces. An unknown, revoked or expired key is 401."""

    keyword = "api-key"

    def authenticate(self, request: Request) -> tuple[User, ApiKey] | None:
        scheme, _, key = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() != self.keyword:
            return None
        key = key.strip()
        if not key or " " in key:
            raise exceptions.AuthenticationFailed("Send the key as 'Authorization: Api-Key <key>'.", "api_key_invalid")
        # Not at import time: DRF imports this module while core.errors is still loading.
        from accounts.api_keys import ApiKeyInvalid, api_key_authenticate

        try:
            api_key = api_key_authenticate(key=key)
        except ApiKeyInvalid as error:
            raise exceptions.AuthenticationFailed(error.message, error.code) from error
        organization_id_var.set(api_key.organization_id)
        return api_key.created_by, api_key

    def authenticate_header(self, request: Request) -> str:
        return "Api-Key"
