from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenBlacklistView, TokenObtainPairView, TokenRefreshView

from accounts.api import OrganizationApiMixin
from accounts.authentication import JWTAuthentication
from accounts.errors import LockedOutError
from accounts.lockout import cooloff_seconds, lockout_message
from accounts.serializers import (
    MeOutputSerializer,
    RegisterInputSerializer,
    RegisterOutputSerializer,
    TokenBlacklistInputSerializer,
    TokenObtainInputSerializer,
    TokenRefreshInputSerializer,
)
from accounts.services import user_register


class RegisterApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "register"

    @extend_schema(request=RegisterInputSerializer, responses={201: RegisterOutputSerializer}, tags=["accounts"])
    def post(self, request: Request) -> Response:
        payload = RegisterInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        user = user_register(**payload.validated_data)
        return Response(RegisterOutputSerializer(user).data, status=status.HTTP_201_CREATED)


class TokenObtainApi(TokenObtainPairView):
    """Sign in with e-mail and password. Repeated failures lock the e-mail/address pair out (429)."""

    serializer_class = TokenObtainInputSerializer
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    def post(self, request: Request, *args, **kwargs) -> Response:
        try:
            return super().post(request, *args, **kwargs)
        except exceptions.AuthenticationFailed:
            # django-axes flags the request it was given (this DRF request) when it refuses a
            # locked-out pair; answer that honestly instead of "wrong password".
            if getattr(request, "axes_locked_out", False):
                raise LockedOutError(lockout_message(), retry_after_seconds=cooloff_seconds()) from None
            raise


class TokenRefreshApi(TokenRefreshView):
    """Exchange a refresh token for a new access token and a new refresh token (rotation).

    Exactly one of several concurrent uses of one refresh token succeeds; a refresh token used a
    second time revokes every refresh token of its sign-in (accounts.tokens)."""

    serializer_class = TokenRefreshInputSerializer
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"


class TokenBlacklistApi(TokenBlacklistView):
    """Log out: the given refresh token stops working."""

    serializer_class = TokenBlacklistInputSerializer
    # simplejwt's ``= ()`` is inferred as ``tuple[()]``; these are the usual APIView sequences.
    authentication_classes = [JWTAuthentication]  # type: ignore[assignment]
    permission_classes = [IsAuthenticated]  # type: ignore[assignment]


class MeApi(OrganizationApiMixin, APIView):
    @extend_schema(responses={200: MeOutputSerializer}, tags=["accounts"])
    def get(self, request: Request) -> Response:
        return Response(MeOutputSerializer(self.user).data)
