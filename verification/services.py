"""Writes: submit a claim (screen, then persist and maybe issue), review it, replay an assessment.

Lock order: the project owner's organisation row ``FOR NO KEY UPDATE`` (submissions: serialises an
organisation's claims, so the overlap, evidence-reuse and issuance-cap checks cannot race), then the project's site row
(``FOR NO KEY UPDATE``: serialises claims on one site across organisations), then the documents the
claim cites, or the claim row (reviews); then what ``ledger.services.credits_issue`` locks: the project
row, then the ledger head. Issuance runs in the same transaction as the decision (``credits_issue`` is
a savepoint inside it; the outermost unit carries the retry), so a claim is ``approved`` exactly when
its :class:`ClaimIssuance` and the ledger's ``issue`` entry exist. Screening — the model above all —
runs before the transaction, never under a lock; the history and trust facts are read under the locks
and the rules run with them on the same model output (``rescreen``).

Automatically approved issuances are drawn for audit (``verification.sampling``) in the issuance's
transaction. A reversal (:func:`claim_reverse`) locks the claim row, then the audit row, then what
``ledger.services.credits_reverse`` locks: the owner's and the buffer pool's organisation rows, the
marketplace's open listings of the credits, the credit blocks, the ledger head.

A live claim holds :class:`ClaimSlot` rows for its site and the site's meters. Two claims on one meter
through different sites are not serialised by the site lock: on PostgreSQL the slots' exclusion
constraint stops the second, and its submission runs once more and is rejected with
``site_period_overlap`` by the facts it then reads.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.errors import OrganizationSuspendedError
from accounts.models import Organization, User, VerificationStatus
from accounts.services import organization_suspend
from core.currencies import round_money
from core.db import atomic_with_retry
from core.ids import is_id
from core.references import compact_key, reference_key
from core.units import kg_to_tonnes
from documents.models import Document
from documents.services import documents_submit
from ledger.models import CreditBlock
from ledger.services import ReversalPlan, ReversalResult, buffer_kg_for, credits_issue, credits_reverse
from payments.services import minting_fee_charge
from projects.credit_types import credit_type, credit_type_label
from projects.models import Project
from projects.selectors import project_owned_by
from sites.models import Site
from verification import sampling
from verification.engine.factors import DatabaseFactorProvider, ListFactorProvider
from verification.engine.screening import rescreen, screen
from verification.engine.site_solar import DEFAULT_CEILING_FACTOR
from verification.engine.types import (
    ClaimInput,
    EvidenceInput,
    FactorUsed,
    HistoryContext,
    ReadingsEvidence,
    ScreeningResult,
    TrustContext,
)
from verification.errors import (
    AuditNotFoundError,
    AuditNotOpenError,
    ClaimAlreadyReversedError,
    ClaimNotFoundError,
    ClaimNotIssuedError,
    ClaimNotPendingError,
    ClaimSlotTakenError,
    ClaimTooSmallError,
    ConflictOfInterestError,
    NothingToIssueError,
    ProjectNotActiveError,
    ReplayModelMismatchError,
)
from verification.models import (
    Assessment,
    Audit,
    BufferShortfall,
    ClaimIssuance,
    ClaimReversal,
    ClaimSlot,
    EvidenceItem,
    ReductionClaim,
)
from verification.selectors import claim_history, claim_readings, claim_slot_keys, claim_trust_context
from webhooks.events import EventType
from webhooks.services import event_emit

NUMERIC_PARAMETERS = frozenset(
    {
        "capacity_kwp",
        "generation_kwh",
        "declared_generation_kwh",
        "tilt_deg",
        "azimuth_deg",
        "baseline_kwh",
        "post_kwh",
        "mass_kg",
        "baseline_quantity",
        "new_quantity",
    }
)


def _parameters_to_json(parameters: dict[str, Any]) -> dict[str, Any]:
    return {key: str(value) if isinstance(value, Decimal) else value for key, value in parameters.items()}


def _parameters_from_json(parameters: dict[str, Any]) -> dict[str, Any]:
    return {key: Decimal(value) if key in NUMERIC_PARAMETERS else value for key, value in parameters.items()}


def claim_input_for(*, project: Project, period_start: date, period_end: date, parameters: dict[str, Any],
                    evidence: list[dict[str, Any]], claimed_reduction_kg: int | None = None,
                    site: Site | None = None, readings: ReadingsEvidence | None = None) -> ClaimInput:  # fmt: skip
    """The engine's view of a claim. A claim on a site is screened at the site's coordinates."""
    latitude = site.latitude if site is not None else project.latitude
    longitude = site.longitude if site is not None else project.longitude
    return ClaimInput(
        category=project.category,
        country=str(project.country),
        period_start=period_start,
        period_end=period_end,
        parameters=parameters,
        evidence=tuple(EvidenceInput(**item) for item in evidence),
        claimed_reduction_kg=claimed_reduction_kg,
        latitude=float(latitude) if latitude is not None else None,
        longitude=float(longitude) if longitude is not None else None,
        readings=readings,
    )


def _readings_parameters(
    *, project: Project, period_start: date, period_end: date, parameters: dict[str, Any]
) -> tuple[dict[str, Any], ReadingsEvidence | None]:
    """A solar claim with ``source: "readings"`` takes its generation from the site's stored readings:
    the sum over the period, or the declared figure when that is smaller (the lesser is credited)."""
    if project.category != Project.Category.SOLAR or parameters.get("source") != "readings":
        return parameters, None
    if project.site is None:
        raise ValidationError(
            {"parameters.source": ["Readings are stored per site: give the project a registered site first."]}
        )
    declared = parameters.get("generation_kwh")
    readings = claim_readings(
        site=project.site, period_start=period_start, period_end=period_end, declared_kwh=declared
    )
    if not readings.points:
        message = f"No readings of the site's meters are stored for {period_start}..{period_end}."
        raise ValidationError({"parameters.source": [message]})
    total = readings.total_kwh
    credited = total if declared is None else min(declared, total)
    out = {**parameters, "generation_kwh": credited}
    if declared is not None:
        out["declared_generation_kwh"] = declared
    return out, readings


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


def _documents_check(*, organization_id: int, documents: dict[str, int]) -> None:
    """Evidence documents must be the organisation's own uploads: a 400 naming the field, before
    anything is screened (they are locked and marked submitted when the claim is stored)."""
    own = set(
        Document.objects.filter(pk__in=list(documents.values()), owner_id=organization_id).values_list("pk", flat=True)
    )
    errors = {field: ["No such document of your organisation."] for field, pk in documents.items() if pk not in own}
    if errors:
        raise ValidationError(errors)


def claim_submit(
    *,
    submitted_by: User,
    project_id: int,
    period_start: date,
    period_end: date,
    parameters: dict[str, Any],
    evidence: list[dict[str, Any]],
    claimed_reduction_kg: int | None = None,
) -> ReductionClaim:
    """Screen a claim and store it with its assessment; an approved claim issues its credits at once.

    ``project_id`` must be a project of the submitter's organisation (404 otherwise); ``parameters``
    are those of its category, already parsed (``verification.serializers.claim_parameters_parse``).
    A rejected claim is stored too: rejection is a screening outcome, not bad input. Evidence items may
    name an uploaded ``document`` of the organisation's."""
    if submitted_by.organization.verification_status == VerificationStatus.SUSPENDED:
        raise OrganizationSuspendedError()
    project = project_owned_by(organization_id=submitted_by.organization_id, project_id=project_id)
    _check_claimable(project=project, period_start=period_start, period_end=period_end)
    documents = {
        f"evidence.{position}.document": item["document"]
        for position, item in enumerate(evidence)
        if item.get("document") is not None
    }
    _documents_check(organization_id=project.owner_id, documents=documents)
    parameters, readings = _readings_parameters(
        project=project, period_start=period_start, period_end=period_end, parameters=parameters
    )
    claim_input = claim_input_for(
        project=project,
        period_start=period_start,
        period_end=period_end,
        parameters=parameters,
        evidence=evidence,
        claimed_reduction_kg=claimed_reduction_kg,
        site=project.site,
        readings=readings,
    )
    references = [(i, item["kind"], item["reference"]) for i, item in enumerate(evidence)]
    cited = [(i, item["document"]) for i, item in enumerate(evidence) if item.get("document") is not None]
    thresholds = {
        "risk_threshold": str(settings.VERIFICATION_REVIEW_RISK_THRESHOLD),
        "size_review_kg": settings.VERIFICATION_REVIEW_SIZE_KG,
        "solar_ceiling_factor": str(settings.SOLAR_CEILING_FACTOR),
    }
    # The calculation and the model, outside any lock. The facts about other claims, the site and the
    # organisation do not enter the model's features: they are read under the locks, where the rules
    # run again with them (``rescreen``) before anything is decided.
    result = screen(
        claim_input,
        factors=DatabaseFactorProvider(),
        history=HistoryContext(),
        risk_threshold=settings.VERIFICATION_REVIEW_RISK_THRESHOLD,
        size_review_kg=settings.VERIFICATION_REVIEW_SIZE_KG,
        solar_ceiling_factor=float(settings.SOLAR_CEILING_FACTOR),
    )
    _check_issuable_size(computed_kg=result.calculation.reduction_kg, claimed_kg=claimed_reduction_kg)
    persist = {
        "submitted_by": submitted_by,
        "project": project,
        "claim_input": claim_input,
        "references": references,
        "documents": documents,
        "cited": cited,
        "submitted_on": timezone.localdate(),
        "thresholds": thresholds,
    }
    try:
        return _claim_persist(result=result, **persist)
    except ClaimSlotTakenError:
        # A claim on one of the site's meters (through another site) committed while this one waited on
        # the exclusion constraint. Once more, from the start: the facts read now include it.
        return _claim_persist(result=result, **persist)


def _slots_take(*, claim: ReductionClaim, keys: list[str]) -> None:
    """Hold the claim's period on its site and meters. On PostgreSQL the exclusion constraint makes a
    racing claim on the same key wait for this transaction, then fail (ClaimSlotTakenError)."""
    if not keys:
        return
    try:
        with transaction.atomic():
            ClaimSlot.objects.bulk_create(
                ClaimSlot(claim=claim, key=key, period_start=claim.period_start, period_end=claim.period_end)
                for key in keys
            )
    except IntegrityError as error:
        if "claimslot_live_periods_do_not_overlap" in str(error):
            raise ClaimSlotTakenError() from error
        raise


@atomic_with_retry
def _claim_persist(
    *, submitted_by, project, claim_input, references, documents, cited, submitted_on, thresholds, result
) -> ReductionClaim:
    # NO KEY UPDATE: serialises the organisation's claims (and waits for, or holds off, a suspension and a
    # listing's FOR SHARE) without blocking inserts of rows that merely reference the organisation.
    organization = Organization.objects.select_for_update(no_key=True).get(pk=project.owner_id)
    if organization.verification_status == VerificationStatus.SUSPENDED:
        raise OrganizationSuspendedError()
    if project.site_id is not None:
        Site.objects.select_for_update(no_key=True).filter(pk=project.site_id).first()
    # Re-read the facts under the locks: a claim committed since screening may now overlap this one,
    # the site may have gone under review, the organisation's automatic issuance may have grown.
    history = claim_history(
        project=project,
        period_start=claim_input.period_start,
        period_end=claim_input.period_end,
        references=references,
        documents=cited,
    )
    trust = claim_trust_context(project=project, claim=claim_input, submitted_on=submitted_on)
    result = rescreen(
        result,
        claim_input,
        history=history,
        trust=trust,
        risk_threshold=Decimal(thresholds["risk_threshold"]),
        size_review_kg=int(thresholds["size_review_kg"]),
        solar_ceiling_factor=float(thresholds["solar_ceiling_factor"]),
    )
    cited_documents = documents_submit(owner=organization, documents=documents)
    claim = ReductionClaim.objects.create(
        project=project,
        site_id=project.site_id,
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
            document=cited_documents.get(f"evidence.{position}.document"),
            organization_id=project.owner_id,
            reference_key=reference_key(item.reference),
            reference_compact=compact_key(item.reference),
            active=live,
        )
        for position, item in enumerate(claim_input.evidence)
    )
    if live:
        _slots_take(
            claim=claim,
            keys=claim_slot_keys(site_id=project.site_id, category=project.category),
        )
    assessment = Assessment.objects.create(
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
        context={
            "history": history.as_json(),
            "thresholds": thresholds,
            "trust": trust.as_json(),
            "model_risk": str(result.raw_risk),
            **({"readings": claim_input.readings.as_json()} if claim_input.readings is not None else {}),
        },
    )
    if result.decision == ReductionClaim.Status.APPROVED:
        _claim_issue(claim=claim, assessment=assessment)
    if result.decision != ReductionClaim.Status.NEEDS_REVIEW:
        _claim_decided_emit(claim=claim, reasons=[reason.code for reason in result.reasons])
    return claim


def _claim_decided_emit(*, claim: ReductionClaim, reasons: list[str] | None = None) -> None:
    """``claim.decided`` to the claimant, in the transaction that decided the claim (webhooks outbox)."""
    event_emit(
        organization_id=claim.project.owner_id,
        type=EventType.CLAIM_DECIDED,
        data={
            "claim": claim.pk,
            "project": claim.project_id,
            "status": claim.status,
            "decided_by": claim.decided_by,
            "computed_reduction_kg": claim.computed_reduction_kg,
            **({"reasons": reasons} if reasons is not None else {}),
        },
    )


def issuable_kg_for(*, computed_kg: int, claimed_kg: int | None) -> int:
    """The computed reduction, or the claimed figure when the claimant asked for less."""
    return computed_kg if claimed_kg is None else min(computed_kg, claimed_kg)


def issuable_kg(claim: ReductionClaim) -> int:
    return issuable_kg_for(computed_kg=claim.computed_reduction_kg, claimed_kg=claim.claimed_reduction_kg)


def owner_kg_for(quantity_kg: int) -> int:
    """What the owner receives of ``quantity_kg``: the buffer share is taken first, rounded up (as the ledger does)."""
    return quantity_kg - buffer_kg_for(quantity_kg, settings.CREDIT_BUFFER_SHARE)


def _check_issuable_size(*, computed_kg: int, claimed_kg: int | None) -> None:
    """Refuse, before anything is stored, a claim with a reduction that could never issue a kilogram
    to its owner (1 kg leaves nothing after a buffer share rounded up). A zero computed reduction is
    not refused here: screening rejects it with ``no_reduction`` and the claim is stored."""
    quantity = issuable_kg_for(computed_kg=computed_kg, claimed_kg=claimed_kg)
    if computed_kg > 0 and owner_kg_for(quantity) < 1:
        raise ClaimTooSmallError(
            f"{quantity} kg is too small to issue: the buffer share (rounded up) leaves nothing for the owner.",
            issuable_kg=quantity,
        )


def minting_fee_for(quantity_kg: int) -> Decimal:
    """The owner's minting fee: per tonne issued to the owner (the buffer share is not charged)."""
    tonnes = kg_to_tonnes(quantity_kg)
    return round_money(tonnes * settings.MINTING_FEE_PER_TONNE, settings.MINTING_FEE_CURRENCY)


# The methodology family each category's formula follows (reference notes: CDM small-scale and the
# GHG inventory change for recycling), as printed on retirement certificates.
METHODOLOGY_NAMES = {
    "solar": "CDM AMS-I.D, grid-connected renewable electricity",
    "energy_efficiency": "CDM AMS-II family, energy efficiency",
    "recycling": "Avoided landfill emissions (inventory change, landfill to recycling)",
    "fuel_switch": "Fuel switch, baseline minus project fuel emissions",
}


def issuance_memo(*, claim: ReductionClaim, assessment: Assessment) -> dict[str, str]:
    """What the ledger's ``issue`` entry records about the claim (public, hashed into the chain):
    enough for a certificate to name the methodology and the screening version."""
    category = str(claim.project.category)
    formula = str(assessment.calculation.get("formula", ""))
    return {
        "claim": str(claim.pk),
        "category": category,
        "methodology": f"{METHODOLOGY_NAMES.get(category, category)}: {formula}",
        "credit_type": credit_type(category),
        "credit_type_label": credit_type_label(category),
        "screening_version": f"automated screening {assessment.engine_version}, model {assessment.model_version}",
        "period_start": claim.period_start.isoformat(),
        "period_end": claim.period_end.isoformat(),
        "engine_version": assessment.engine_version,
        "model_version": assessment.model_version,
        "decided_by": str(claim.decided_by),
    }


def _claim_issue(*, claim: ReductionClaim, assessment: Assessment) -> ClaimIssuance:
    """Issue the claim's credits through the ledger and record them.

    Expects to run inside the transaction that approves the claim, after that transaction created
    the claim or locked its row (the ledger then locks the project row and the ledger head). The
    claim is unique in :class:`ClaimIssuance`, so even a logic error could not issue twice: the
    insert would fail and roll the ledger entry back with it.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("_claim_issue must run inside the transaction that approves the claim")
    # A project may be suspended or closed while its claim waits for review. Read its status under
    # the lock credits_issue takes next anyway (the same row, same mode), so a suspension that
    # commits first is seen and one that comes later waits for this issuance.
    project = Project.objects.select_for_update(no_key=True).get(pk=claim.project_id)
    if project.status != Project.Status.ACTIVE:
        raise ProjectNotActiveError(f"The project is {project.status}: no credits can be issued for it.")
    claim.project = project
    quantity = issuable_kg(claim)
    if owner_kg_for(quantity) < 1:
        raise NothingToIssueError(f"The claim's creditable reduction ({quantity} kg) is too small to issue.")

    memo = issuance_memo(claim=claim, assessment=assessment)
    drawn = None
    if claim.decided_by == ReductionClaim.DecidedBy.SCREENING:
        # Only automatic approvals are sampled: a verifier has already looked at the others.
        drawn = audit_draw_for(claim_id=claim.pk, risk=assessment.risk_score, period=sampling.period_of(timezone.now()))
        memo |= {"audit_period": drawn.period, "audit_rate": str(drawn.rate)}

    def issuance_for(owner_block: CreditBlock, buffer_block: CreditBlock | None) -> ClaimIssuance:
        event_emit(
            organization_id=owner_block.owner_id,
            type=EventType.CREDITS_RECEIVED,
            data={
                "reason": "issuance",
                "claim": claim.pk,
                "block": owner_block.pk,
                "serial": owner_block.serial,
                "quantity_kg": owner_block.quantity_kg,
                "project": claim.project_id,
                "vintage": owner_block.vintage,
            },
        )
        if drawn is not None and drawn.sampled:
            Audit.objects.create(
                claim=claim,
                risk_score=assessment.risk_score,
                rate=drawn.rate,
                period=drawn.period,
                draw=drawn.value_hex,
            )
        owner_kg = owner_block.quantity_kg
        fee = minting_fee_for(owner_kg)
        # Charged (or recorded as owed) here, before the ledger takes its head lock, as every
        # writer of money accounts does (payments.services).
        minting_fee_charge(
            organization_id=owner_block.owner_id,
            amount=fee,
            currency=settings.MINTING_FEE_CURRENCY,
            reference=f"issuance:{owner_block.serial}"[:80],
        )
        return ClaimIssuance(
            claim=claim,
            owner_block=owner_block,
            buffer_block=buffer_block,
            serial=owner_block.serial,
            quantity_kg=owner_kg,
            buffer_kg=buffer_block.quantity_kg if buffer_block is not None else 0,
            vintage=owner_block.vintage,
            minting_fee=fee,
            currency=settings.MINTING_FEE_CURRENCY,
        )

    evidence = EvidenceItem.objects.filter(claim=claim, document__isnull=False).values_list(
        "document__sha256", flat=True
    )
    return credits_issue(
        project=claim.project,
        vintage=claim.period_end.year,  # the year in which the monitoring period ends
        quantity_kg=quantity,
        memo=memo,
        documents=list(evidence),
        then=issuance_for,
    ).row


def audit_draw_for(*, claim_id: int, risk: Decimal, period: str) -> sampling.Draw:
    """The claim's audit draw with the policy in the settings (docs/VERIFICATION.md, "Audits and reversals")."""
    return sampling.draw_for(
        key=settings.AUDIT_SEED_KEY.encode(),
        claim_id=claim_id,
        risk=risk,
        period=period,
        min_rate=settings.AUDIT_MIN_RATE,
        max_rate=settings.AUDIT_MAX_RATE,
        exponent=settings.AUDIT_CURVE_EXPONENT,
    )


def _review_lock(*, claim_id: int, reviewer: User) -> ReductionClaim:
    """The claim row locked ``FOR UPDATE`` (only that row: the project is locked later by the ledger,
    ``FOR NO KEY UPDATE``), with its project and assessment; checks the reviewer may decide it."""
    claim = None
    if is_id(claim_id):
        claim = (
            ReductionClaim.objects.select_for_update(of=("self",))
            .select_related("project", "assessment")
            .filter(pk=claim_id)
            .first()
        )
    if claim is None:
        raise ClaimNotFoundError()
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
    owner_status = Organization.objects.filter(pk=claim.project.owner_id).values_list("verification_status", flat=True)
    if owner_status.get() == VerificationStatus.SUSPENDED:
        raise OrganizationSuspendedError("The claimant's organisation is suspended: nothing can be issued to it.")
    _record_review(claim, reviewer=reviewer, note=note, status=ReductionClaim.Status.APPROVED)
    _claim_issue(claim=claim, assessment=claim.assessment)
    _claim_decided_emit(claim=claim)
    return claim


@atomic_with_retry
def claim_reject(*, claim_id: int, reviewer: User, note: str = "") -> ReductionClaim:
    """A verifier rejects a claim that needs review; its period, site slots and evidence are freed."""
    claim = _review_lock(claim_id=claim_id, reviewer=reviewer)
    _record_review(claim, reviewer=reviewer, note=note, status=ReductionClaim.Status.REJECTED)
    EvidenceItem.objects.filter(claim=claim).update(active=False)
    ClaimSlot.objects.filter(claim=claim).update(active=False)
    _claim_decided_emit(claim=claim)
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
    parameters = _parameters_from_json(claim.parameters)
    readings = None
    recorded = assessment.context.get("readings")
    if recorded is not None and claim.site is not None:
        readings = claim_readings(
            site=claim.site,
            period_start=claim.period_start,
            period_end=claim.period_end,
            declared_kwh=None if recorded["declared_kwh"] is None else Decimal(recorded["declared_kwh"]),
            up_to_id=int(recorded["max_reading_id"]),
            copies=recorded,
        )
    claim_input = claim_input_for(
        project=claim.project,
        site=claim.site,
        period_start=claim.period_start,
        period_end=claim.period_end,
        parameters=parameters,
        readings=readings,
        evidence=[
            {
                "kind": e.kind,
                "period_start": e.period_start,
                "period_end": e.period_end,
                "quantity": e.quantity,
                "unit": e.unit,
                "reference": e.reference,
                "document": e.document_id,
            }
            for e in claim.evidence.order_by("position")
        ],
        claimed_reduction_kg=claim.claimed_reduction_kg,
    )
    thresholds = assessment.context["thresholds"]
    trust = assessment.context.get("trust")  # absent for assessments made before the trust rules
    return screen(
        claim_input,
        factors=ListFactorProvider(FactorUsed.from_json(f) for f in assessment.factors),
        history=HistoryContext.from_json(assessment.context["history"]),
        risk_threshold=Decimal(thresholds["risk_threshold"]),
        size_review_kg=int(thresholds["size_review_kg"]),
        model=model,
        trust=None if trust is None else TrustContext.from_json(trust),
        solar_ceiling_factor=float(thresholds.get("solar_ceiling_factor", DEFAULT_CEILING_FACTOR)),
    )


# --- audits and reversals -------------------------------------------------------------------


@atomic_with_retry
def audit_confirm(*, audit_id: int, reviewer: User, note: str = "") -> Audit:
    """A verifier found the sampled issuance sound. The audit row is locked, so a confirmation and a
    reversal of the same claim queue; only an open audit can be confirmed (409 ``audit_not_open``), and
    never by a verifier of the claimant's organisation (403)."""
    audit = None
    if is_id(audit_id):
        audit = (
            Audit.objects.select_for_update(of=("self",)).select_related("claim__project").filter(pk=audit_id).first()
        )
    if audit is None:
        raise AuditNotFoundError()
    if audit.claim.project.owner_id == reviewer.organization_id:
        raise ConflictOfInterestError("A verifier cannot audit a claim of their own organisation.")
    if audit.status != Audit.Status.OPEN:
        raise AuditNotOpenError(f"The audit is {audit.status}: only an open audit can be confirmed.")
    _audit_decide(audit, status=Audit.Status.CONFIRMED, reviewer=reviewer, note=note)
    return audit


def _audit_decide(audit: Audit, *, status: str, reviewer: User, note: str) -> None:
    audit.status, audit.decided_by, audit.decided_at, audit.note = status, reviewer, timezone.now(), note
    audit.save(update_fields=["status", "decided_by", "decided_at", "note"])


SHORTFALL_SUSPENSION = (
    "The buffer pool could not back {kg:,} kg of reversed claim {claim} still in circulation: suspended pending review."
)


@dataclass(frozen=True)
class ClaimReversalResult:
    reversal: ClaimReversal
    ledger: ReversalResult  # the ledger's record, plan and entries


@atomic_with_retry
def claim_reverse(*, claim_id: int, reviewer: User, reason: str) -> ClaimReversalResult:
    """A verifier reverses a claim's issuance (sampled for audit or not, issued automatically or by a
    verifier), in one transaction through the ledger (``credits_reverse``): what the owner still holds
    of it is cancelled, what is in circulation is made up from the buffer pool. The claim becomes
    ``reversed``; its audit, if any, ``reversed``. If the pool falls short, a :class:`BufferShortfall`
    is recorded and the owner's organisation suspended pending review. The owner's later claims go to
    review (rule ``issuances_reversed``). Certificates already issued stay valid.

    404 unknown claim; 403 the verifier's own organisation's claim; 409 ``claim_not_issued``, and
    ``claim_already_reversed`` for a second reversal (the claim row is locked first, so of two racing
    reversals the second waits, then finds the first).

    Locks: the claim row ``FOR UPDATE``, its audit row, then (in ``credits_reverse``) the owner's and the
    buffer pool's organisation rows, the open listings of the credits, their blocks, the ledger head.
    """
    claim = None
    if is_id(claim_id):
        claim = (
            ReductionClaim.objects.select_for_update(of=("self",))
            .select_related("project__owner", "issuance")
            .filter(pk=claim_id)
            .first()
        )
    if claim is None:
        raise ClaimNotFoundError()
    if claim.project.owner_id == reviewer.organization_id:
        raise ConflictOfInterestError("A verifier cannot reverse a claim of their own organisation.")
    if claim.status == ReductionClaim.Status.REVERSED:
        raise ClaimAlreadyReversedError()
    issuance = getattr(claim, "issuance", None)
    if issuance is None:
        raise ClaimNotIssuedError(f"The claim is {claim.status}: nothing was issued for it.")
    audit = Audit.objects.select_for_update().filter(claim=claim).first()

    def record(plan: ReversalPlan) -> None:
        reversal = ClaimReversal.objects.create(claim=claim, audit=audit, reversed_by=reviewer, reason=reason)
        claim.status = ReductionClaim.Status.REVERSED
        claim.save(update_fields=["status"])
        if audit is not None:
            _audit_decide(audit, status=Audit.Status.REVERSED, reviewer=reviewer, note=reason)
        if plan.shortfall_kg:
            BufferShortfall.objects.create(
                reversal=reversal, organization_id=claim.project.owner_id, quantity_kg=plan.shortfall_kg
            )
            # The owner's row is locked by credits_reverse: its status, read now, cannot change under us.
            owner_status = Organization.objects.filter(pk=claim.project.owner_id).values_list(
                "verification_status", flat=True
            )
            if owner_status.get() != VerificationStatus.SUSPENDED:
                organization_suspend(
                    organization_id=claim.project.owner_id,
                    reviewer=reviewer,
                    reason=SHORTFALL_SUSPENSION.format(kg=plan.shortfall_kg, claim=claim.pk),
                )
        _issuance_reversed_emit(claim=claim, plan=plan)
        recorded.append(reversal)

    recorded: list[ClaimReversal] = []
    ledger = credits_reverse(
        issue_entry=issuance.ledger_entry_id, reason=reason, memo={"claim": str(claim.pk)}, then=record
    )
    return ClaimReversalResult(reversal=recorded[0], ledger=ledger)


def _issuance_reversed_emit(*, claim: ReductionClaim, plan: ReversalPlan) -> None:
    """``issuance.reversed`` to the claimant: it runs in the reversal's transaction, before the ledger
    head lock (webhooks outbox)."""
    event_emit(
        organization_id=claim.project.owner_id,
        type=EventType.ISSUANCE_REVERSED,
        data={
            "claim": claim.pk,
            "cancelled_kg": plan.cancelled_kg,
            "buffer_cancelled_kg": plan.buffer_cancelled_kg,
            "shortfall_kg": plan.shortfall_kg,
        },
    )
