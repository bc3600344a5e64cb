from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import OrganizationApiMixin
from accounts.permissions import IsVerifier
from core.filters import query_filters
from verification.models import Audit, ReductionClaim
from verification.selectors import (
    audit_get,
    audit_list,
    audit_seeds,
    claim_get_for,
    claim_list_for,
    claim_review_get,
    claim_review_list,
)
from verification.serializers import (
    AuditConfirmInputSerializer,
    AuditListInputSerializer,
    AuditOutputSerializer,
    AuditSeedOutputSerializer,
    ClaimReviewListInputSerializer,
    ReductionClaimCreateInputSerializer,
    ReductionClaimOutputSerializer,
    ReversalInputSerializer,
    ReversalOutputSerializer,
    ReviewDecisionInputSerializer,
    VerificationListOutputSerializer,
    claim_submission_parse,
)
from verification.services import audit_confirm, claim_approve, claim_reject, claim_reverse, claim_submit


@extend_schema(tags=["reduction claims"])
class ReductionClaimViewSet(
    OrganizationApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Reduction claims of the caller's organisation, each with its automated screening and issuance."""

    error_statuses = {"POST": (404, 409)}  # the project is not yours; the issuance is already reversed (core.schema)
    serializer_class = ReductionClaimOutputSerializer
    queryset = ReductionClaim.objects.none()
    lookup_value_converter = "id"

    def scoped_queryset(self):
        return claim_list_for(user=self.user)

    @extend_schema(
        request=ReductionClaimCreateInputSerializer,
        responses={201: ReductionClaimOutputSerializer},
        description=(
            "Submit a claim. It is screened at once: `approved` issues credits in the same request and "
            "transaction (`issuance` is then set), `needs_review` waits for a verifier, `rejected` is stored "
            "with its reasons (still 201). Malformed input is a 400 and stores nothing (also `claim_too_small`: "
            "a reduction that leaves no kilogram for the owner after the buffer share); another "
            "organisation's project is a 404."
        ),
    )
    def create(self, request: Request) -> Response:
        submission = claim_submission_parse(request.data, organization_id=self.user.organization_id)
        claim = claim_submit(submitted_by=self.user, **submission)
        claim = claim_get_for(user=self.user, claim_id=claim.pk)
        return Response(ReductionClaimOutputSerializer(claim).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=["audits and reversals"],
        request=ReversalInputSerializer,
        responses={200: ReversalOutputSerializer},
        description=(
            "Verifiers: reverse the claim's issuance, in one transaction through the ledger. What the owner "
            "still holds of it (available or listed: its listings close) is cancelled (`cancel` entry); what was "
            "sold, transferred or retired is made up by cancelling as many of the buffer pool's credits "
            "(`buffer_cancel`). If the pool falls short, the shortfall is recorded and the owner's organisation "
            "suspended. Retirement certificates stay valid. 403 for non-verifiers and for the verifier's own "
            "organisation's claim (`conflict_of_interest`); 404 unknown claim; 409 `claim_not_issued`, "
            "`claim_already_reversed`."
        ),
    )
    @action(detail=True, methods=["post"], permission_classes=[IsVerifier])
    def reverse(self, request: Request, pk: int) -> Response:
        payload = ReversalInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        result = claim_reverse(claim_id=pk, reviewer=self.user, reason=payload.validated_data["reason"])
        return Response(ReversalOutputSerializer(result.reversal).data)


@extend_schema(tags=["verifier review"])
class ClaimReviewViewSet(
    OrganizationApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Every claim's screening, for verifiers (``/api/verifications/``). The id is the claim's id."""

    error_statuses = {"POST": (409,)}  # the claim does not need review (any more) (core.schema)
    serializer_class = VerificationListOutputSerializer
    permission_classes = [IsVerifier]
    queryset = ReductionClaim.objects.none()
    lookup_value_converter = "id"

    def scoped_queryset(self):
        return claim_review_list(**query_filters(ClaimReviewListInputSerializer, self.request))

    @extend_schema(parameters=[ClaimReviewListInputSerializer])
    def list(self, request: Request, *args, **kwargs) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ReviewDecisionInputSerializer, responses={200: VerificationListOutputSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: int) -> Response:
        """Approve a claim that needs review: its credits are issued in the same transaction, exactly once.
        A claim that is no longer pending (already approved or rejected, e.g. by a concurrent approval)
        is a 409 `claim_not_pending`; the verifier's own organisation's claim is a 403."""
        return self._decide(request, pk, claim_approve)

    @extend_schema(request=ReviewDecisionInputSerializer, responses={200: VerificationListOutputSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: int) -> Response:
        """Reject a claim that needs review: nothing is issued, its period and evidence are freed."""
        return self._decide(request, pk, claim_reject)

    def _decide(self, request: Request, pk: int, service) -> Response:
        payload = ReviewDecisionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        claim = service(claim_id=pk, reviewer=self.user, **payload.validated_data)
        return Response(VerificationListOutputSerializer(claim_review_get(claim_id=claim.pk)).data)


@extend_schema(tags=["audits and reversals"])
class AuditViewSet(OrganizationApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Verifiers: automatically approved issuances drawn for audit, oldest first (``?status=open``)."""

    error_statuses = {"POST": (409,)}  # the audit is already closed (core.schema)
    serializer_class = AuditOutputSerializer
    permission_classes = [IsVerifier]
    queryset = Audit.objects.none()
    lookup_value_converter = "id"

    def scoped_queryset(self):
        return audit_list(**query_filters(AuditListInputSerializer, self.request))

    @extend_schema(parameters=[AuditListInputSerializer])
    def list(self, request: Request, *args, **kwargs) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=AuditConfirmInputSerializer, responses={200: AuditOutputSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: int) -> Response:
        """The issuance was found sound: the audit closes as `confirmed`. 409 `audit_not_open` once decided;
        403 for the verifier's own organisation's claim. To reverse it, POST /api/reduction-data/{claim}/reverse/."""
        payload = AuditConfirmInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        audit = audit_confirm(audit_id=pk, reviewer=self.user, **payload.validated_data)
        return Response(AuditOutputSerializer(audit_get(audit_id=audit.pk)).data)


@extend_schema(tags=["audits and reversals"])
class AuditSeedsApi(APIView):
    """Public: each month's sampling salt commitment, and the salt once the month is over."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(operation_id="audit_seeds_list", responses={200: AuditSeedOutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        """Pin next month's `commitment` now; once the month is over, its `salt` must hash to it
        (SHA-256 of `CarbonCred/audit-commit/v1` NUL salt), and with it every draw of that month can be
        recomputed from the issue entries' memo (`claim`, `audit_period`, `audit_rate`): docs/VERIFICATION.md."""
        return Response(AuditSeedOutputSerializer(audit_seeds(), many=True).data)
