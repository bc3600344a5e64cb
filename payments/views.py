"""The payments API: balance, statement, top-ups, bank account, payouts, the card provider's webhook."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny, IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import OrganizationApiMixin
from accounts.roles import Ability
from accounts.standing import IsAuthenticatedInGoodStanding
from core.csv import CsvExportMixin
from core.filters import query_filters
from core.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from payments.models import Payout, Posting, TopUp
from payments.selectors import (
    balances_for,
    bank_account_get_for,
    payout_get_for,
    payout_list_for,
    statement_for,
    top_up_get_for,
    top_up_list_for,
)
from payments.serializers import (
    STATEMENT_CSV_COLUMNS,
    BalanceOutputSerializer,
    BankAccountInputSerializer,
    BankAccountOutputSerializer,
    PayoutCreateInputSerializer,
    PayoutMarkPaidInputSerializer,
    PayoutOutputSerializer,
    PayoutRejectInputSerializer,
    StatementEntryOutputSerializer,
    StatementListInputSerializer,
    TopUpCreateInputSerializer,
    TopUpOutputSerializer,
    WebhookOutputSerializer,
)
from payments.services import (
    bank_account_set,
    payout_mark_paid,
    payout_reject,
    payout_request,
    stripe_webhook_handle,
    top_up_cancel,
    top_up_confirm,
    top_up_request,
)

STAFF_ONLY = [IsAuthenticatedInGoodStanding, IsAdminUser]


@extend_schema(tags=["money"])
class BalanceApi(OrganizationApiMixin, APIView):
    @extend_schema(responses={200: BalanceOutputSerializer})
    def get(self, request: Request) -> Response:
        """Your organisation's money per currency: available, pending top-ups, fees owed, payouts pending."""
        return Response({"balances": balances_for(organization=self.organization)})


@extend_schema(tags=["money"])
class StatementApi(CsvExportMixin, OrganizationApiMixin, ListAPIView):
    """Every movement of your organisation's money, newest first: one row per posting to your account,
    with the balance after it. `?format=csv` (or `Accept: text/csv`) streams the whole statement as CSV."""

    serializer_class = StatementEntryOutputSerializer
    queryset = Posting.objects.none()
    csv_columns = STATEMENT_CSV_COLUMNS
    csv_filename = "carboncred-statement"

    def scoped_queryset(self):
        return statement_for(
            organization=self.organization, **query_filters(StatementListInputSerializer, self.request)
        )

    @extend_schema(parameters=[StatementListInputSerializer])
    def get(self, request: Request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["money"])
class TopUpListCreateApi(OrganizationApiMixin, ListAPIView):
    """Your organisation's top-ups (GET), or a new one (POST)."""

    serializer_class = TopUpOutputSerializer
    queryset = TopUp.objects.none()

    def scoped_queryset(self):
        return top_up_list_for(organization=self.organization)

    @extend_schema(
        request=TopUpCreateInputSerializer,
        responses={201: TopUpOutputSerializer},
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        """Add money to your balance. `bank_transfer`: the instructions carry the platform's bank account and
        a unique reference; staff credit the balance when the transfer arrives. `card` (when enabled): the
        instructions carry the payment's client secret; the provider's webhook credits the balance."""
        payload = TopUpCreateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        top_up = top_up_request(organization=self.organization, user=self.user, **payload.validated_data)
        return Response(TopUpOutputSerializer(top_up).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["money"])
class TopUpDetailApi(OrganizationApiMixin, APIView):
    @extend_schema(responses={200: TopUpOutputSerializer})
    def get(self, request: Request, top_up_id: int) -> Response:
        """One of your top-ups (anyone else's is 404)."""
        return Response(TopUpOutputSerializer(top_up_get_for(organization=self.organization, top_up_id=top_up_id)).data)


@extend_schema(tags=["money"])
class TopUpConfirmApi(OrganizationApiMixin, APIView):
    error_statuses = {"POST": (409,)}  # the top-up is no longer pending (core.schema)
    permission_classes = STAFF_ONLY

    @extend_schema(request=None, responses={200: TopUpOutputSerializer})
    def post(self, request: Request, top_up_id: int) -> Response:
        """Staff: the bank transfer arrived; credit the balance (once: a top-up no longer pending is 409)."""
        return Response(TopUpOutputSerializer(top_up_confirm(top_up_id=top_up_id, confirmed_by=self.user)).data)


@extend_schema(tags=["money"])
class TopUpCancelApi(OrganizationApiMixin, APIView):
    error_statuses = {"POST": (409,)}  # the top-up is no longer pending (core.schema)
    permission_classes = STAFF_ONLY

    @extend_schema(request=None, responses={200: TopUpOutputSerializer})
    def post(self, request: Request, top_up_id: int) -> Response:
        """Staff: cancel a pending top-up whose money will never arrive."""
        return Response(TopUpOutputSerializer(top_up_cancel(top_up_id=top_up_id)).data)


@extend_schema(tags=["money"])
class BankAccountApi(OrganizationApiMixin, APIView):
    required_ability = Ability.PAYOUTS  # where money leaving the organisation goes: admins and owners

    @extend_schema(responses={200: BankAccountOutputSerializer})
    def get(self, request: Request) -> Response:
        """Where your payouts go (the account number masked); 404 before one is set."""
        return Response(BankAccountOutputSerializer(bank_account_get_for(organization=self.organization)).data)

    @extend_schema(request=BankAccountInputSerializer, responses={200: BankAccountOutputSerializer})
    def put(self, request: Request) -> Response:
        """Set where your payouts go (replaces the previous account)."""
        payload = BankAccountInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        account = bank_account_set(organization=self.organization, **payload.validated_data)
        return Response(BankAccountOutputSerializer(account).data)


@extend_schema(tags=["money"])
class PayoutListCreateApi(OrganizationApiMixin, ListAPIView):
    """Your organisation's payouts (GET), or a new one (POST)."""

    error_statuses = {"POST": (409,)}  # more than is available; no bank account yet (core.schema)

    required_ability = Ability.PAYOUTS  # money leaving the organisation: admins and owners
    serializer_class = PayoutOutputSerializer
    queryset = Payout.objects.none()

    def scoped_queryset(self):
        return payout_list_for(organization=self.organization)

    @extend_schema(
        request=PayoutCreateInputSerializer,
        responses={201: PayoutOutputSerializer},
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        """Pay out part of your available balance to your bank account: the amount leaves `available` at once;
        staff send the transfer. More than the available balance is 409 `insufficient_funds`; without a bank
        account, 409 `bank_account_missing`."""
        payload = PayoutCreateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        payout = payout_request(organization=self.organization, user=self.user, **payload.validated_data)
        return Response(PayoutOutputSerializer(payout).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["money"])
class PayoutDetailApi(OrganizationApiMixin, APIView):
    @extend_schema(responses={200: PayoutOutputSerializer})
    def get(self, request: Request, payout_id: int) -> Response:
        """One of your payouts (anyone else's is 404)."""
        return Response(
            PayoutOutputSerializer(payout_get_for(organization=self.organization, payout_id=payout_id)).data
        )


@extend_schema(tags=["money"])
class PayoutMarkPaidApi(OrganizationApiMixin, APIView):
    error_statuses = {"POST": (409,)}  # the payout is no longer requested (core.schema)
    permission_classes = STAFF_ONLY

    @extend_schema(request=PayoutMarkPaidInputSerializer, responses={200: PayoutOutputSerializer})
    def post(self, request: Request, payout_id: int) -> Response:
        """Staff: the payout's bank transfer went out (409 unless it is `requested`)."""
        payload = PayoutMarkPaidInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        payout = payout_mark_paid(payout_id=payout_id, decided_by=self.user, **payload.validated_data)
        return Response(PayoutOutputSerializer(payout).data)


@extend_schema(tags=["money"])
class PayoutRejectApi(OrganizationApiMixin, APIView):
    error_statuses = {"POST": (409,)}  # the payout is no longer requested (core.schema)
    permission_classes = STAFF_ONLY

    @extend_schema(request=PayoutRejectInputSerializer, responses={200: PayoutOutputSerializer})
    def post(self, request: Request, payout_id: int) -> Response:
        """Staff: refuse the payout; the amount returns to the organisation's available balance."""
        payload = PayoutRejectInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        payout = payout_reject(payout_id=payout_id, decided_by=self.user, **payload.validated_data)
        return Response(PayoutOutputSerializer(payout).data)


@extend_schema(tags=["money"])
class StripeWebhookApi(APIView):
    """Public: Stripe's webhook deliveries. The `Stripe-Signature` header is verified against
    `STRIPE_WEBHOOK_SECRET` (400 `invalid_signature` otherwise, nothing written); each event is
    applied once, by its id. No session, so no CSRF; no token: the signature is the authentication."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []

    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: WebhookOutputSerializer})
    def post(self, request: Request) -> HttpResponse | Response:
        outcome = stripe_webhook_handle(payload=request.body, signature=request.META.get("HTTP_STRIPE_SIGNATURE"))
        return Response({"received": True, "outcome": outcome})
