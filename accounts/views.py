from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenBlacklistView, TokenObtainPairView, TokenRefreshView

from accounts.api import OrganizationApiMixin
from accounts.api_keys import api_key_create, api_key_get_for, api_key_list_for, api_key_revoke
from accounts.authentication import JWTAuthentication
from accounts.errors import LockedOutError
from accounts.lockout import cooloff_seconds, lockout_message
from accounts.members import (
    invitation_accept,
    invitation_create,
    invitation_withdraw,
    member_remove,
    member_role_change,
)
from accounts.models import ApiKey, Invitation, Organization, User
from accounts.passwords import password_change, password_reset_confirm, password_reset_request
from accounts.permissions import IsVerifier, request_user
from accounts.roles import Ability
from accounts.selectors import (
    invitation_get_for,
    invitation_list_for,
    member_get_for,
    member_list_for,
    namesakes_for,
    organization_review_get,
    organization_review_list,
)
from accounts.serializers import (
    ApiKeyCreateInputSerializer,
    ApiKeyCreateOutputSerializer,
    ApiKeyOutputSerializer,
    DetailOutputSerializer,
    InvitationAcceptInputSerializer,
    InvitationCreateInputSerializer,
    InvitationOutputSerializer,
    MemberOutputSerializer,
    MemberUpdateInputSerializer,
    MeOutputSerializer,
    MeUpdateInputSerializer,
    OrganizationDecisionInputSerializer,
    OrganizationReviewDetailOutputSerializer,
    OrganizationReviewListInputSerializer,
    OrganizationReviewOutputSerializer,
    OrganizationSuspendInputSerializer,
    OrganizationVerifyInputSerializer,
    PasswordChangeInputSerializer,
    PasswordChangeOutputSerializer,
    PasswordResetConfirmInputSerializer,
    PasswordResetInputSerializer,
    RegisterInputSerializer,
    RegisterOutputSerializer,
    TokenBlacklistInputSerializer,
    TokenObtainInputSerializer,
    TokenPairOutputSerializer,
    TokenRefreshInputSerializer,
)
from accounts.services import (
    organization_reject_request,
    organization_suspend,
    organization_verify,
    profile_update,
    user_register,
)
from accounts.tokens import token_pair_for
from core.filters import query_filters


class AnonymousFormApi(APIView):
    """A public form of the accounts API (sign up, password reset, invitation): no token read, anyone
    may call it, throttled per client address as registration is (``THROTTLE_RATES`` scope ``register``)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "register"


class RegisterApi(AnonymousFormApi):
    @extend_schema(
        request=RegisterInputSerializer,
        responses={201: RegisterOutputSerializer},
        tags=["accounts"],
        description="Create an organisation and its first user, its owner, signed in at once (`tokens`).",
    )
    def post(self, request: Request) -> Response:
        payload = RegisterInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        user = user_register(**payload.validated_data)
        context = {"tokens": token_pair_for(user)}
        return Response(RegisterOutputSerializer(user, context=context).data, status=status.HTTP_201_CREATED)


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
    # Anyone may edit their own profile; the organisation's fields need more (accounts.services.profile_update).
    required_ability = Ability.PROFILE

    @extend_schema(responses={200: MeOutputSerializer}, tags=["accounts"])
    def get(self, request: Request) -> Response:
        return Response(MeOutputSerializer(self.user).data)

    @extend_schema(
        request=MeUpdateInputSerializer,
        responses={200: MeOutputSerializer},
        tags=["accounts"],
        description="Change your `full_name` (anyone) and the organisation's details in `organization` (owners and "
        "admins; 403 `role_forbidden` otherwise). Fields that cannot change here (e-mail, role, country, legal name, "
        "registration number, standing) are refused with a 400 naming them, never ignored.",
    )
    def patch(self, request: Request) -> Response:
        payload = MeUpdateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        user = profile_update(user=self.user, **payload.validated_data)
        return Response(MeOutputSerializer(user).data)


class PasswordChangeApi(APIView):
    """Change your password. Open to every role and standing: a suspended organisation's people can
    still secure their accounts."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(
        request=PasswordChangeInputSerializer,
        responses={200: PasswordChangeOutputSerializer},
        tags=["accounts"],
        description="400 `old_password` when it is wrong; the new one must pass the password rules. Every refresh "
        "token issued before stops working (other devices must sign in again); the answer carries a new pair.",
    )
    def post(self, request: Request) -> Response:
        payload = PasswordChangeInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        user = request_user(request)
        password_change(user=user, **payload.validated_data)
        body = {"detail": "Your password was changed; every other sign-in has ended.", "tokens": token_pair_for(user)}
        return Response(PasswordChangeOutputSerializer(body).data)


class PasswordResetApi(AnonymousFormApi):
    """Ask for a password reset e-mail."""

    @extend_schema(
        request=PasswordResetInputSerializer,
        responses={202: DetailOutputSerializer},
        tags=["accounts"],
        description="Always 202, whether or not an account has the address (nothing tells who has an account). "
        "The e-mail holds a one-time link whose last two parts are the `uid` and `token` of "
        "POST /api/auth/password/reset/confirm/.",
    )
    def post(self, request: Request) -> Response:
        payload = PasswordResetInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        password_reset_request(email=payload.validated_data["email"])
        detail = "If an account has this address, an e-mail with a link to choose a new password is on its way."
        return Response({"detail": detail}, status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmApi(AnonymousFormApi):
    """Set a new password with the ``uid`` and ``token`` of a reset e-mail."""

    @extend_schema(
        request=PasswordResetConfirmInputSerializer,
        responses={200: DetailOutputSerializer},
        tags=["accounts"],
        description="400 `reset_link_invalid` for a wrong, used or expired link (a link works once); the new "
        "password must pass the password rules. Every sign-in of the account ends.",
    )
    def post(self, request: Request) -> Response:
        payload = PasswordResetConfirmInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        password_reset_confirm(**payload.validated_data)
        return Response({"detail": "Your password was changed. Sign in with the new one."})


class InvitationAcceptApi(AnonymousFormApi):
    """Accept an invitation: the account is created in the inviting organisation, signed in at once."""

    error_statuses = {"POST": (409,)}  # the address has an account already (core.schema)

    @extend_schema(
        request=InvitationAcceptInputSerializer,
        responses={201: RegisterOutputSerializer},
        tags=["members"],
        description="The `token` of the invitation e-mail, a password and optionally your name → 201, the new "
        "user with its role and `tokens` (as registration). 400 `invitation_invalid` for a wrong, expired, "
        "withdrawn or used token; 409 `email_registered` when the address has an account already.",
    )
    def post(self, request: Request) -> Response:
        payload = InvitationAcceptInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        user = invitation_accept(**payload.validated_data)
        context = {"tokens": token_pair_for(user)}
        return Response(RegisterOutputSerializer(user, context=context).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["members"])
class MemberListApi(OrganizationApiMixin, generics.ListAPIView):
    """Your organisation's people and their roles (GET, anyone); invite someone by e-mail (POST,
    owners and admins; an owner invitation needs an owner)."""

    error_statuses = {"POST": (409,)}  # the address has an account already (core.schema)

    serializer_class = MemberOutputSerializer
    queryset = User.objects.none()
    required_ability = Ability.MEMBERS

    def scoped_queryset(self):
        return member_list_for(organization=self.organization)

    @extend_schema(
        request=InvitationCreateInputSerializer,
        responses={201: InvitationOutputSerializer},
        description="E-mails an invitation with a one-time token (valid INVITATION_TTL_DAYS) to join with `role` "
        "(default member). Inviting the same address again replaces its pending invitation. 409 "
        "`email_registered` when the address has an account; 403 `role_forbidden` below admin, or for an owner "
        "invitation below owner.",
    )
    def post(self, request: Request) -> Response:
        payload = InvitationCreateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        invitation, _token = invitation_create(actor=self.user, **payload.validated_data)
        return Response(InvitationOutputSerializer(invitation).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["members"])
class MemberDetailApi(OrganizationApiMixin, APIView):
    error_statuses = {"PATCH": (409,), "DELETE": (409,)}  # the last owner (core.schema)
    required_ability = Ability.MEMBERS

    @extend_schema(responses={200: MemberOutputSerializer})
    def get(self, request: Request, member_id: int) -> Response:
        return Response(
            MemberOutputSerializer(member_get_for(organization=self.organization, member_id=member_id)).data
        )

    @extend_schema(
        request=MemberUpdateInputSerializer,
        responses={200: MemberOutputSerializer},
        description="Change a member's role. Owners and admins; to or from `owner` only owners. 403 "
        "`own_role_change` for your own role; 409 `last_owner` when no owner would be left.",
    )
    def patch(self, request: Request, member_id: int) -> Response:
        payload = MemberUpdateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        member = member_role_change(actor=self.user, member_id=member_id, role=payload.validated_data["role"])
        return Response(MemberOutputSerializer(member).data)

    @extend_schema(
        responses={204: None},
        description="Remove a person: their account is deactivated (their history stays) and every sign-in of "
        "it ends; they can be invited back. Owners and admins; an owner only by an owner; you may remove "
        "yourself (leave) unless you are the last owner (409 `last_owner`).",
    )
    def delete(self, request: Request, member_id: int) -> Response:
        member_remove(actor=self.user, member_id=member_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["members"])
class InvitationListApi(OrganizationApiMixin, generics.ListAPIView):
    """Invitations not accepted yet, newest first (expired ones marked)."""

    serializer_class = InvitationOutputSerializer
    queryset = Invitation.objects.none()

    def scoped_queryset(self):
        return invitation_list_for(organization=self.organization)


@extend_schema(tags=["members"])
class InvitationDetailApi(OrganizationApiMixin, APIView):
    required_ability = Ability.MEMBERS

    @extend_schema(responses={200: InvitationOutputSerializer})
    def get(self, request: Request, invitation_id: int) -> Response:
        invitation = invitation_get_for(organization=self.organization, invitation_id=invitation_id)
        return Response(InvitationOutputSerializer(invitation).data)

    @extend_schema(responses={204: None}, description="Withdraw the invitation: its link stops working.")
    def delete(self, request: Request, invitation_id: int) -> Response:
        invitation_withdraw(actor=self.user, invitation_id=invitation_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


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


@extend_schema(tags=["api keys"])
class ApiKeyViewSet(OrganizationApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your organisation's API keys (``Authorization: Api-Key <key>``). Managed only by signed-in users:
    a key cannot list, create or revoke keys (403 ``api_key_not_allowed``). Creating and revoking need
    the organisation's admin role (``Ability.INTEGRATIONS``)."""

    serializer_class = ApiKeyOutputSerializer
    queryset = ApiKey.objects.none()
    lookup_value_converter = "id"
    http_method_names = ["get", "post", "delete", "head", "options"]
    api_key_refused = True
    required_ability = Ability.INTEGRATIONS

    def scoped_queryset(self):
        return api_key_list_for(organization=self.organization)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        api_key = api_key_get_for(organization=self.organization, api_key_id=int(kwargs["pk"]))
        return Response(ApiKeyOutputSerializer(api_key).data)

    @extend_schema(
        request=ApiKeyCreateInputSerializer,
        responses={201: ApiKeyCreateOutputSerializer},
        description=(
            "Create a key with `scopes` (read, trade, retire, readings). The answer's `key` is shown this once "
            "and never stored (only its SHA-512): keep it. The key acts as you, for your organisation, within "
            "its scopes."
        ),
    )
    def create(self, request: Request) -> Response:
        payload = ApiKeyCreateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        created = api_key_create(organization=self.organization, created_by=self.user, **payload.validated_data)
        # The key's fields as everywhere, and the key itself this once (ApiKeyCreateOutputSerializer's shape).
        body = {**ApiKeyOutputSerializer(created.api_key).data, "key": created.key}
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None}, description="Revoke the key for good: requests with it get 401.")
    def destroy(self, request: Request, pk: int) -> Response:
        api_key_revoke(organization=self.organization, api_key_id=int(pk), revoked_by=self.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
