from datetime import date

from django.db.models import Prefetch, QuerySet

from accounts.models import User
from projects.models import Project
from verification.engine.rules import normalise_reference
from verification.engine.types import HistoryContext
from verification.errors import ClaimNotFoundError
from verification.models import ClaimIssuance, EvidenceItem, ReductionClaim

# Everything the claim serializers show, in one query: the issuance and its ledger entry are a
# reverse one-to-one and a forward one, so they join (LEFT OUTER) like the rest.
CLAIM_RELATED = ("project", "project__owner", "assessment", "issuance", "issuance__ledger_entry")


def claim_list_for(*, user: User) -> QuerySet[ReductionClaim]:
    """The claims of the user's organisation, newest first, with what the list shows joined."""
    return ReductionClaim.objects.filter(project__owner=user.organization_id).select_related(*CLAIM_RELATED)


def claim_get_for(*, user: User, claim_id: int) -> ReductionClaim:
    """One claim of the user's organisation; another organisation's claim does not exist for them (404)."""
    claim = claim_list_for(user=user).filter(pk=claim_id).first()
    if claim is None:
        raise ClaimNotFoundError()
    return claim


def claim_review_list(*, decision: str | None = None) -> QuerySet[ReductionClaim]:
    """Every claim with its assessment, for verifiers; ``decision`` filters on the current status."""
    claims = ReductionClaim.objects.select_related(*CLAIM_RELATED)
    if decision:
        claims = claims.filter(status=decision)
    return claims


def claim_review_get(*, claim_id: int) -> ReductionClaim:
    """Any claim with its assessment, for verifiers (404 when there is none)."""
    claim = claim_review_list().filter(pk=claim_id).first()
    if claim is None:
        raise ClaimNotFoundError()
    return claim


def claim_history(
    *, project: Project, period_start: date, period_end: date, references: list[tuple[int, str, str]]
) -> HistoryContext:
    """Facts about other live (not rejected) claims: overlapping periods of the same project, and
    evidence references already used by the organisation or seen in another organisation's claims.
    ``references`` are ``(position, kind, reference)`` of the new claim's evidence."""
    live = ReductionClaim.objects.exclude(status=ReductionClaim.Status.REJECTED)
    overlapping = live.filter(project=project, period_start__lte=period_end, period_end__gte=period_start)
    keys = {normalise_reference(ref): (position, kind, ref) for position, kind, ref in references}
    reused, foreign = [], []
    if keys:
        used = EvidenceItem.objects.filter(active=True, reference_key__in=list(keys)).values_list(
            "organization_id", "kind", "reference_key", "claim_id"
        )
        for organization_id, kind, key, claim_id in used:
            position, new_kind, reference = keys[key]
            if organization_id == project.owner_id and kind == new_kind:
                reused.append(f"{position}:{reference}:{claim_id}")
            elif organization_id != project.owner_id:
                foreign.append(f"{position}:{reference}:{claim_id}")
    return HistoryContext(
        overlapping_claim_ids=tuple(sorted(overlapping.values_list("id", flat=True))),
        reused_references=tuple(sorted(set(reused))),
        foreign_references=tuple(sorted(set(foreign))),
    )


def issuances_for_project(*, project_id: int) -> QuerySet[ClaimIssuance]:
    """The issuances of one project with their claims' screening and evidence, newest first (two
    queries): the public registry and the market show what stands behind the credits."""
    return (
        ClaimIssuance.objects.filter(claim__project_id=project_id)
        .select_related("claim", "claim__assessment")
        .prefetch_related(Prefetch("claim__evidence", queryset=EvidenceItem.objects.order_by("position")))
        .order_by("-created_at", "-id")
    )
