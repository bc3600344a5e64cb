from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
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
from accounts.models import Organization
from accounts.permissions import IsVerifier
from accounts.selectors import namesakes_for, organization_review_get, organization_review_list
from accounts.serializers import (
    MeOutputSerializer,
    OrganizationDecisionInputSerializer,
    OrganizationReviewDetailOutputSerializer,
    OrganizationReviewListInputSerializer,
    OrganizationReviewOutputSerializer,
    OrganizationSuspendInputSerializer,
    OrganizationVerifyInputSerializer,
    RegisterInputSerializer,
    RegisterOutputSerializer,
    TokenBlacklistInputSerializer,
    TokenObtainInputSerializer,
    TokenPairOutputSerializer,
    TokenRefreshInputSerializer,
)
from accounts.services import organization_reject_request, organization_suspend, organization_verify, user_register
from core.filters import query_filters


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
    error_statuses = (401,)  # a wrong e-mail or password (core.schema)

    @extend_schema(
        summary="Obtain a token pair",
        request=TokenObtainInputSerializer,
        responses={200: TokenPairOutputSerializer},
        tags=["token"],
    )
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
    error_statuses = (401,)  # an invalid, expired or revoked refresh token (core.schema)

    @extend_schema(
        summary="Refresh a token pair",
        request=TokenRefreshInputSerializer,
        responses={200: TokenPairOutputSerializer},
        tags=["token"],
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        return super().post(request, *args, **kwargs)


class TokenBlacklistApi(TokenBlacklistView):
    """Log out: the given refresh token stops working."""

    serializer_class = TokenBlacklistInputSerializer
    # simplejwt's ``= ()`` is inferred as ``tuple[()]``; these are the usual APIView sequences.
    authentication_classes = [JWTAuthentication]  # type: ignore[assignment]
    permission_classes = [IsAuthenticated]  # type: ignore[assignment]

    @extend_schema(
        summary="Log out (revoke a refresh token)",
        request=TokenBlacklistInputSerializer,
        responses={200: OpenApiResponse(inline_serializer("LogoutOutput", {}), description="Logged out.")},
        tags=["token"],
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        return super().post(request, *args, **kwargs)


class MeApi(OrganizationApiMixin, APIView):
    @extend_schema(responses={200: MeOutputSerializer}, tags=["accounts"])
    def get(self, request: Request) -> Response:
        return Response(MeOutputSerializer(self.user).data)


@extend_schema(tags=["organisations"])
class OrganizationReviewViewSet(
    OrganizationApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Organisations for verifiers (``/api/organizations/``): who asked to be verified, namesake flags,
    and the verify / reject / suspend decisions."""

    error_statuses = {"POST": (409,)}  # the organisation is not in a status this decision applies to (core.schema)
    serializer_class = OrganizationReviewOutputSerializer
    permission_classes = [IsVerifier]
    queryset = Organization.objects.none()
    lookup_value_converter = "id"

    def scoped_queryset(self):
        return organization_review_list(**query_filters(OrganizationReviewListInputSerializer, self.request))

    @extend_schema(parameters=[OrganizationReviewListInputSerializer])
    def list(self, request: Request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.get_queryset()) or []
        context = {**self.get_serializer_context(), "namesakes": namesakes_for(page)}
        return self.get_paginated_response(OrganizationReviewOutputSerializer(page, many=True, context=context).data)

    @extend_schema(responses={200: OrganizationReviewDetailOutputSerializer})
    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        return self._detail(int(kwargs["pk"]))

    def _detail(self, organization_id: int) -> Response:
        organization = organization_review_get(organization_id=organization_id)
        context = {"namesakes": namesakes_for([organization])}
        return Response(OrganizationReviewDetailOutputSerializer(organization, context=context).data)

    @extend_schema(request=OrganizationVerifyInputSerializer, responses={200: OrganizationReviewDetailOutputSerializer})
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: int) -> Response:
        """Verify an organisation (usually one with a pending request; or reinstate a suspended one): it may
        then list and transfer credits, and its registration number becomes public. 409
        ``registration_number_taken`` when another verified organisation of the country has that number."""
        payload = OrganizationVerifyInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        organization_verify(organization_id=int(pk), reviewer=self.user, **payload.validated_data)
        return self._detail(int(pk))

    @extend_schema(
        request=OrganizationDecisionInputSerializer, responses={200: OrganizationReviewDetailOutputSerializer}
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: int) -> Response:
        """Turn a pending verification request down: the organisation is unverified again."""
        payload = OrganizationDecisionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        organization_reject_request(organization_id=int(pk), reviewer=self.user, **payload.validated_data)
        return self._detail(int(pk))

    @extend_schema(
        request=OrganizationSuspendInputSerializer, responses={200: OrganizationReviewDetailOutputSerializer}
    )
    @action(detail=True, methods=["post"])
    def suspend(self, request: Request, pk: int) -> Response:
        """Suspend an organisation: it can only read from now on, and its open listings are withdrawn
        (``delist`` ledger entries) in the same transaction."""
        payload = OrganizationSuspendInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        organization_suspend(organization_id=int(pk), reviewer=self.user, **payload.validated_data)
        return self._detail(int(pk))
