"""Writes: submit a claim (screen, then persist and maybe issue), review it, replay an assessment.

Lock order: the project owner's organisation row (serialises an organisation's submissions, so the
overlap and evidence-reuse checks cannot race), then a claim row, then whatever the ledger locks
(credit blocks, the ledger head) inside ``credits_issue``. Screening — the model above all — runs
before the transaction, never under a lock.
"""

from dataclasses import replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Organization, User
from carboncred.db import atomic_with_retry
from carboncred.errors import ConflictError, DomainError, NotFoundError
from projects.models import Project
from verification import conf
from verification.engine import rules
from verification.engine.factors import DatabaseFactorProvider, ListFactorProvider
from verification.engine.screening import decide, screen
from verification.engine.types import ClaimInput, EvidenceInput, FactorUsed, HistoryContext, ScreeningResult
from verification.models import Assessment, EvidenceItem, ReductionClaim
from verification.selectors import claim_history

NUMERIC_PARAMETERS = frozenset(
    {"capacity_kwp", "generation_kwh", "baseline_kwh", "post_kwh", "mass_kg", "baseline_quantity", "new_quantity"}
)
HISTORY_CODES = frozenset({"period_overlaps_earlier_claim", "evidence_reused", "evidence_reference_seen_elsewhere"})


class ProjectNotActiveError(DomainError):
    status_code, code = 409, "project_not_active"
    default_detail = "The project is not active: it cannot receive new claims."


class ClaimNotPendingError(ConflictError):
    code = "claim_not_pending"
    default_detail = "Only a claim that needs review can be approved or rejected."


class ConflictOfInterestError(DomainError):
    status_code, code = 403, "conflict_of_interest"
    default_detail = "A verifier cannot review a claim of their own organisation."


class ReplayModelMismatchError(ConflictError):
    code = "replay_model_mismatch"
    default_detail = "The assessment was made by another model version than the one loaded."


def _parameters_to_json(parameters: dict[str, Any]) -> dict[str, Any]:
    return {key: str(value) if isinstance(value, Decimal) else value for key, value in parameters.items()}


def _parameters_from_json(parameters: dict[str, Any]) -> dict[str, Any]:
    return {key: Decimal(value) if key in NUMERIC_PARAMETERS else value for key, value in parameters.items()}


def claim_input_for(*, project: Project, period_start: date, period_end: date, parameters: dict[str, Any],
                    evidence: list[dict[str, Any]], claimed_reduction_kg: int | None = None) -> ClaimInput:  # fmt: skip
    return ClaimInput(
        category=project.category,
        country=str(project.country),
        period_start=period_start,
        period_end=period_end,
        parameters=parameters,
        evidence=tuple(EvidenceInput(**item) for item in evidence),
        claimed_reduction_kg=claimed_reduction_kg,
        latitude=float(project.latitude) if project.latitude is not None else None,
        longitude=float(project.longitude) if project.longitude is not None else None,
    )


def _check_claimable(*, project: Project, period_start: date, period_end: date) -> None:
    if project.status != Project.Status.ACTIVE:
        raise ProjectNotActiveError()
    errors = {}
    if period_start < project.start_date:
        errors["period_start"] = [f"The period must start on or after the project's start date {project.start_date}."]
    if period_end >= timezone.localdate():
        errors["period_end"] = ["Credits are issued ex post: the monitoring period must have ended (before today)."]
    if errors:
        raise ValidationError(errors)


def _with_history(result: ScreeningResult, history: HistoryContext) -> ScreeningResult:
    """The same screening with other history facts: history only adds or removes its own reasons."""
    outcome = rules.RuleOutcome()
    rules._history_rules(history, outcome)
    reasons = [r for r in result.reasons if r.code not in HISTORY_CODES] + outcome.reasons
    return replace(result, reasons=reasons, decision=decide(reasons), history=history)


def claim_submit(
    *,
    submitted_by: User,
    project: Project,
    period_start: date,
    period_end: date,
    parameters: dict[str, Any],
    evidence: list[dict[str, Any]],
    claimed_reduction_kg: int | None = None,
) -> ReductionClaim:
    """Screen a claim and store it with its assessment; an approved claim issues its credits at once.

    A rejected claim is stored too: rejection is a screening outcome, not bad input."""
    if project.owner_id != submitted_by.organization_id:
        raise NotFoundError("Project not found.")
    _check_claimable(project=project, period_start=period_start, period_end=period_end)
    claim_input = claim_input_for(
        project=project,
        period_start=period_start,
        period_end=period_end,
        parameters=parameters,
        evidence=evidence,
        claimed_reduction_kg=claimed_reduction_kg,
    )
    references = [(i, item["kind"], item["reference"]) for i, item in enumerate(evidence)]
    history = claim_history(project=project, period_start=period_start, period_end=period_end, references=references)
    thresholds = {"risk_threshold": str(conf.risk_threshold()), "size_review_kg": conf.size_review_kg()}
    result = screen(
        claim_input,
        factors=DatabaseFactorProvider(),
        history=history,
        risk_threshold=conf.risk_threshold(),
        size_review_kg=conf.size_review_kg(),
    )
    return _claim_persist(
        submitted_by=submitted_by,
        project=project,
        claim_input=claim_input,
        references=references,
        result=result,
        thresholds=thresholds,
    )


@atomic_with_retry
def _claim_persist(*, submitted_by, project, claim_input, references, result, thresholds) -> ReductionClaim:
    Organization.objects.select_for_update().get(pk=project.owner_id)
    # Re-read the history under the lock: a claim committed since screening may now overlap this one.
    history = claim_history(
        project=project,
        period_start=claim_input.period_start,
        period_end=claim_input.period_end,
        references=references,
    )
    if history != result.history:
        result = _with_history(result, history)
    claim = ReductionClaim.objects.create(
        project=project,
        submitted_by=submitted_by,
        period_start=claim_input.period_start,
        period_end=claim_input.period_end,
        parameters=_parameters_to_json(claim_input.parameters),
        claimed_reduction_kg=claim_input.claimed_reduction_kg,
        computed_reduction_kg=result.calculation.reduction_kg,
        status=result.decision,
    )
    live = result.decision != ReductionClaim.Status.REJECTED
    EvidenceItem.objects.bulk_create(
        EvidenceItem(
            claim=claim,
            position=position,
            kind=item.kind,
            period_start=item.period_start,
            period_end=item.period_end,
            quantity=item.quantity,
            unit=item.unit,
            reference=item.reference,
            organization_id=project.owner_id,
            reference_key=rules.normalise_reference(item.reference),
            active=live,
        )
        for position, item in enumerate(claim_input.evidence)
    )
    Assessment.objects.create(
        claim=claim,
        decision=result.decision,
        risk_score=result.risk_score,
        computed_reduction_kg=result.calculation.reduction_kg,
        engine_version=result.engine_version,
        model_version=result.model_version,
        factors=[factor.as_json() for factor in result.calculation.factors],
        calculation=result.calculation.as_json(),
        features=result.features,
        contributions=result.contributions,
        reasons=[reason.as_json() for reason in result.reasons],
        context={"history": history.as_json(), "thresholds": thresholds},
    )
    if result.decision == ReductionClaim.Status.APPROVED:
        _issue(claim)
    return claim


def issuable_kg(claim: ReductionClaim) -> int:
    """The computed reduction, or the claimed figure when the claimant asked for less."""
    if claim.claimed_reduction_kg is not None:
        return min(claim.computed_reduction_kg, claim.claimed_reduction_kg)
    return claim.computed_reduction_kg


def minting_fee_for(quantity_kg: int) -> Decimal:
    """The owner's minting fee: per tonne issued to the owner (the buffer share is not charged)."""
    tonnes = Decimal(quantity_kg) / 1000
    return (tonnes * conf.minting_fee_per_tonne()).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _issue(claim: ReductionClaim):
    """Issue the claim's credits through the ledger. Runs inside the caller's transaction."""
    from ledger.services import credits_issue

    from verification.models import ClaimIssuance

    issuance = credits_issue(
        project=claim.project,
        # Vintage: the year in which the monitoring period ends.
        vintage=claim.period_end.year,
        quantity_kg=issuable_kg(claim),
        memo={"claim": str(claim.id)},
    )
    buffer_block = issuance.buffer_block
    return ClaimIssuance.objects.create(
        claim=claim,
        owner_block=issuance.owner_block,
        buffer_block=buffer_block,
        ledger_entry=issuance.entry,
        serial=issuance.owner_block.serial,
        quantity_kg=issuance.owner_block.quantity_kg,
        buffer_kg=buffer_block.quantity_kg if buffer_block is not None else 0,
        minting_fee=minting_fee_for(issuance.owner_block.quantity_kg),
        currency=conf.minting_fee_currency(),
    )


def _review_lock(*, claim_id: int, reviewer: User) -> ReductionClaim:
    try:
        claim = ReductionClaim.objects.select_for_update().select_related("project").get(pk=claim_id)
    except ReductionClaim.DoesNotExist:
        raise NotFoundError("Claim not found.") from None
    if claim.project.owner_id == reviewer.organization_id:
        raise ConflictOfInterestError()
    if claim.status != ReductionClaim.Status.NEEDS_REVIEW:
        raise ClaimNotPendingError(f"The claim is {claim.status}: only a claim that needs review can be decided.")
    return claim


def _record_review(claim: ReductionClaim, *, reviewer: User, note: str, status: str) -> None:
    claim.status = status
    claim.decided_by = ReductionClaim.DecidedBy.VERIFIER
    claim.reviewed_by = reviewer
    claim.review_note = note
    claim.reviewed_at = timezone.now()
    claim.save(update_fields=["status", "decided_by", "reviewed_by", "review_note", "reviewed_at"])


@atomic_with_retry
def claim_approve(*, claim_id: int, reviewer: User, note: str = "") -> ReductionClaim:
    """A verifier approves a claim that needs review and its credits are issued — exactly once: the
    claim row is locked, so a second approval waits and then finds it no longer pending (409)."""
    claim = _review_lock(claim_id=claim_id, reviewer=reviewer)
    if issuable_kg(claim) <= 0:
        raise ConflictError("The claim has no creditable reduction to issue.")
    _record_review(claim, reviewer=reviewer, note=note, status=ReductionClaim.Status.APPROVED)
    _issue(claim)
    return claim


@atomic_with_retry
def claim_reject(*, claim_id: int, reviewer: User, note: str = "") -> ReductionClaim:
    """A verifier rejects a claim that needs review; its period and evidence references are freed."""
    claim = _review_lock(claim_id=claim_id, reviewer=reviewer)
    _record_review(claim, reviewer=reviewer, note=note, status=ReductionClaim.Status.REJECTED)
    EvidenceItem.objects.filter(claim=claim).update(active=False)
    return claim


def assessment_replay(*, assessment: Assessment, model=None) -> ScreeningResult:
    """Re-run the screening of a stored assessment with the inputs, factor rows, history facts and
    thresholds it recorded. With the same engine and model it gives the same decision and numbers."""
    from verification.ml.runtime import get_model

    model = model or get_model()
    if model.version != assessment.model_version:
        raise ReplayModelMismatchError(
            f"Assessment made by {assessment.model_version}; loaded model is {model.version}."
        )
    claim = assessment.claim
    claim_input = claim_input_for(
        project=claim.project,
        period_start=claim.period_start,
        period_end=claim.period_end,
        parameters=_parameters_from_json(claim.parameters),
        evidence=[
            {
                "kind": e.kind,
                "period_start": e.period_start,
                "period_end": e.period_end,
                "quantity": e.quantity,
                "unit": e.unit,
                "reference": e.reference,
            }
            for e in claim.evidence.order_by("position")
        ],
        claimed_reduction_kg=claim.claimed_reduction_kg,
    )
    thresholds = assessment.context["thresholds"]
    return screen(
        claim_input,
        factors=ListFactorProvider(FactorUsed.from_json(f) for f in assessment.factors),
        history=HistoryContext.from_json(assessment.context["history"]),
        risk_threshold=Decimal(thresholds["risk_threshold"]),
        size_review_kg=int(thresholds["size_review_kg"]),
        model=model,
    )
