from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import IsVerifier, request_user
from verification.models import ReductionClaim
from verification.selectors import claim_get_for, claim_list_for, verification_list
from verification.serializers import (
    ReductionClaimCreateInputSerializer,
    ReductionClaimOutputSerializer,
    ReviewDecisionInputSerializer,
    VerificationListOutputSerializer,
    claim_submission_parse,
)
from verification.services import claim_approve, claim_reject, claim_submit


@extend_schema(tags=["reduction claims"])
class ReductionClaimViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Reduction claims of the caller's organisation, each with its automated screening and issuance."""

    serializer_class = ReductionClaimOutputSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ReductionClaim.objects.none()
        return claim_list_for(user=request_user(self.request))

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
        user = request_user(request)
        submission = claim_submission_parse(request.data, organization_id=user.organization_id)
        claim = claim_submit(submitted_by=user, **submission)
        claim = claim_get_for(user=user, claim_id=claim.id)
        return Response(ReductionClaimOutputSerializer(claim).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["verifier review"])
class VerificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Every claim's screening, for verifiers. The id is the claim's id."""

    serializer_class = VerificationListOutputSerializer
    permission_classes = [IsVerifier]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ReductionClaim.objects.none()
        return verification_list(decision=self.request.query_params.get("decision") or None)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "decision",
                OpenApiTypes.STR,
                enum=[c for c, _ in ReductionClaim.Status.choices],
                description="The claim's current decision; `needs_review` is the review queue.",
            )
        ]
    )
    def list(self, request: Request, *args, **kwargs) -> Response:
        decision = request.query_params.get("decision")
        if decision and decision not in ReductionClaim.Status.values:
            from rest_framework.exceptions import ValidationError

            raise ValidationError({"decision": [f"One of {', '.join(ReductionClaim.Status.values)}."]})
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ReviewDecisionInputSerializer, responses={200: VerificationListOutputSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        """Approve a claim that needs review: its credits are issued in the same transaction, exactly once.
        A claim that is no longer pending (already approved or rejected, e.g. by a concurrent approval)
        is a 409 `claim_not_pending`; the verifier's own organisation's claim is a 403."""
        return self._decide(request, pk, claim_approve)

    @extend_schema(request=ReviewDecisionInputSerializer, responses={200: VerificationListOutputSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        """Reject a claim that needs review: nothing is issued, its period and evidence are freed."""
        return self._decide(request, pk, claim_reject)

    def _decide(self, request: Request, pk: str, service) -> Response:
        payload = ReviewDecisionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        if not pk.isdigit():
            from core.errors import NotFoundError

            raise NotFoundError("Claim not found.")
        claim = service(claim_id=int(pk), reviewer=request_user(request), **payload.validated_data)
        claim = verification_list().get(pk=claim.pk)
        return Response(VerificationListOutputSerializer(claim).data, status=status.HTTP_200_OK)
