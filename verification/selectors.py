from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Min, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from accounts.models import Organization, User
from core.ids import is_id
from core.references import compact_key, reference_key
from emissions.selectors import reported_energy_for
from projects.models import Project
from sites.models import Site
from sites.readings import MAX_INTERVAL
from sites.selectors import readings_sharing_windows, site_meter_keys, site_readings_between
from verification import sampling
from verification.engine.rules import (
    ENERGY_CATEGORIES,
    REJECTION_LOOKBACK_DAYS,
    ROLLING_MONTHS,
    add_months,
    baseline_window,
)
from verification.engine.series import claim_window, in_window
from verification.engine.types import (
    ClaimInput,
    HistoryContext,
    ReadingPoint,
    ReadingsEvidence,
    ReportedBooks,
    SiteClaim,
    TrustContext,
)
from verification.errors import AuditNotFoundError, ClaimNotFoundError
from verification.models import Audit, ClaimIssuance, ClaimReversal, ClaimSlot, EvidenceItem, ReductionClaim

# Everything the claim serializers show, in one query: the issuance and its ledger entry are a
# reverse one-to-one and a forward one, so they join (LEFT OUTER) like the rest.
CLAIM_RELATED = (
    "project",
    "project__owner",
    "assessment",
    "issuance",
    "issuance__ledger_entry",
    # A reversed claim's reversal and the ledger's record of it with its entries (all one-to-one).
    "reversal",
    "issuance__ledger_entry__reversal__cancel_entry",
    "issuance__ledger_entry__reversal__buffer_cancel_entry",
)


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
    *,
    project: Project,
    period_start: date,
    period_end: date,
    references: list[tuple[int, str, str]],
    documents: list[tuple[int, int]] = (),  # type: ignore[assignment]
) -> HistoryContext:
    """Facts about other live (not rejected) claims: overlapping periods of the same project, and
    evidence already used by the organisation or seen in another organisation's claims.
    ``references`` are ``(position, kind, reference)`` of the new claim's evidence: a reference matches
    another whatever kind either is labelled, when the two agree ignoring case, separators and zero
    padding (``core.references.reference_key``) or letter for letter (``compact_key``). ``documents``
    are ``(position, document id)``: an uploaded file backs one live claim."""
    live = ReductionClaim.objects.exclude(status=ReductionClaim.Status.REJECTED)
    overlapping = live.filter(project=project, period_start__lte=period_end, period_end__gte=period_start)
    by_key: dict[str, list[tuple[int, str]]] = {}
    by_compact: dict[str, list[tuple[int, str]]] = {}
    for position, _kind, ref in references:
        by_key.setdefault(reference_key(ref), []).append((position, ref))
        by_compact.setdefault(compact_key(ref), []).append((position, ref))
    reused: list[str] = []
    foreign: list[str] = []
    if by_key:
        used = (
            EvidenceItem.objects.filter(active=True)
            .filter(Q(reference_key__in=list(by_key)) | Q(reference_compact__in=list(by_compact)))
            .values_list("organization_id", "reference_key", "reference_compact", "claim_id")
        )
        for organization_id, key, compact, claim_id in used:
            matches = {*by_key.get(key, ()), *by_compact.get(compact, ())}
            target = reused if organization_id == project.owner_id else foreign
            target.extend(f"{position}:{reference}:{claim_id}" for position, reference in matches)
    if documents:
        positions = dict((document_id, position) for position, document_id in documents)
        for document_id, claim_id in EvidenceItem.objects.filter(
            active=True, document_id__in=list(positions)
        ).values_list("document_id", "claim_id"):
            reused.append(f"{positions[document_id]}:document {document_id}:{claim_id}")
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


# --- trust facts ----------------------------------------------------------------------------


def claim_slot_keys(*, site_id: int | None, category: str) -> list[str]:
    """The slots a live claim of ``category`` holds on its site: the site's energy (solar, efficiency,
    fuel switch: one stream, since behind-the-meter solar shows up as lower consumption) and each of
    the site's active meters, or the site's materials stream (recycling). None without a site."""
    if site_id is None:
        return []
    if category not in ENERGY_CATEGORIES:
        return [f"site:{site_id}:materials"]
    return [f"site:{site_id}:energy", *(f"meter:{key}" for key in site_meter_keys(site_id=site_id))]


def _site_claims(*, keys: list[str], period_start: date, period_end: date) -> tuple[SiteClaim, ...]:
    if not keys:
        return ()
    window_start = add_months(period_start, -ROLLING_MONTHS)
    window_end = add_months(period_end, ROLLING_MONTHS)
    rows = (
        ClaimSlot.objects.filter(active=True, key__in=keys, period_start__lte=window_end, period_end__gte=window_start)
        .values_list(
            "claim_id",
            "claim__period_start",
            "claim__period_end",
            "claim__computed_reduction_kg",
            "claim__claimed_reduction_kg",
        )
        .distinct()
        .order_by("claim_id")
    )
    return tuple(
        SiteClaim(
            claim_id=claim_id,
            period_start=start,
            period_end=end,
            reduction_kg=computed if claimed is None else min(computed, claimed),
        )
        for claim_id, start, end, computed, claimed in rows
    )


def claim_trust_context(*, project: Project, claim: ClaimInput, submitted_on: date) -> TrustContext:
    """The trust facts of a new claim, read now (``claim_submit`` reads them again under the
    organisation's and the site's locks): the organisation's standing and automatic issuance so far, its
    recent rejections and reversed issuances, the site's status and the live claims on its slots within
    12 months, and for an efficiency claim the emission reports of its baseline period."""
    organization_id = project.owner_id
    status = Organization.objects.filter(pk=organization_id).values_list("verification_status", flat=True).get()
    auto_issued = (
        ClaimIssuance.objects.filter(
            claim__project__owner_id=organization_id, claim__decided_by=ReductionClaim.DecidedBy.SCREENING
        ).aggregate(total=Sum("quantity_kg"))["total"]
        or 0
    )
    since = timezone.now() - timedelta(days=REJECTION_LOOKBACK_DAYS)
    rejections = ReductionClaim.objects.filter(
        project__owner_id=organization_id, status=ReductionClaim.Status.REJECTED, created_at__gte=since
    ).count()
    reversed_issuances = ClaimReversal.objects.filter(claim__project__owner_id=organization_id).count()
    site = (
        Site.objects.filter(pk=project.site_id).values("id", "status", "capacity_kw").first()
        if project.site_id is not None
        else None
    )
    keys = claim_slot_keys(site_id=project.site_id, category=project.category)
    books = None
    if claim.category == "energy_efficiency":
        start, end = baseline_window(claim)
        carrier = claim.parameters["energy_carrier"]
        reported = reported_energy_for(organization_id=organization_id, carrier=carrier, start=start, end=end)
        books = ReportedBooks(
            carrier=carrier, window_start=start, window_end=end, reported_kwh=reported.kwh,
            covered_days=reported.covered_days,
        )  # fmt: skip
    return TrustContext(
        submitted_on=submitted_on,
        project_start=project.start_date,
        organization_status=status,
        auto_issued_kg=int(auto_issued),
        unverified_cap_kg=settings.UNVERIFIED_ISSUANCE_CAP_KG,
        buffer_share=Decimal(settings.CREDIT_BUFFER_SHARE),
        recent_rejections=rejections,
        claim_max_age_days=settings.CLAIM_MAX_AGE_DAYS,
        crediting_period_years=settings.CREDITING_PERIOD_YEARS,
        site_id=None if site is None else site["id"],
        site_status=None if site is None else site["status"],
        site_capacity_kw=None if site is None else site["capacity_kw"],
        site_claims=_site_claims(keys=keys, period_start=claim.period_start, period_end=claim.period_end),
        books=books,
        reversed_issuances=reversed_issuances,
    )


def claim_readings(
    *,
    site: Site,
    period_start: date,
    period_end: date,
    declared_kwh: Decimal | None = None,
    up_to_id: int | None = None,
    copies: dict | None = None,
) -> ReadingsEvidence:
    """The site's stored readings whose midpoint falls in the claim period (local solar days at the
    site's longitude, ``series.claim_window``), with the stretches copied to or from elsewhere.

    A replay passes the ``up_to_id`` and ``copies`` recorded at submission: readings are append-only,
    so the readings up to that id are the ones screening saw."""
    first, last = claim_window(period_start, period_end, float(site.longitude))
    stored = site_readings_between(site_id=site.pk, first=first - MAX_INTERVAL, last=last, up_to_id=up_to_id)
    points = tuple(
        ReadingPoint(r.meter.key, r.start, r.end, r.kwh, r.pk, r.window_digest)
        for r in stored
        if in_window(ReadingPoint(r.meter.key, r.start, r.end, r.kwh), first, last)
    )
    max_id = max((p.reading_id for p in points), default=0) if up_to_id is None else up_to_id
    if copies is not None:
        return ReadingsEvidence(points, max_id, tuple(copies["copied_from"]), tuple(copies["copied_to"]), declared_kwh)
    copied_from: list[str] = []
    copied_to: list[str] = []
    mine: dict[str, ReadingPoint] = {}
    for point in points:
        if not point.window_digest:
            continue
        if point.window_digest in mine:
            copied_from.append(
                f"{point.meter} {point.start.isoformat()} repeats {mine[point.window_digest].start.isoformat()}"
            )
        else:
            mine[point.window_digest] = point
    if mine:
        meter_ids = list({r.meter_id for r in stored})
        for other in readings_sharing_windows(digests=list(mine), meter_ids=meter_ids, first=first, last=last):
            own = mine[other.window_digest]
            where = f"{other.meter.key} on site {other.meter.site_id} at {other.start.isoformat()}"
            (copied_from if other.pk < own.reading_id else copied_to).append(f"{own.start.isoformat()} = {where}")
    return ReadingsEvidence(points, max_id, tuple(copied_from), tuple(copied_to), declared_kwh)


# --- audits and reversals -------------------------------------------------------------------

AUDIT_RELATED = ("claim__project__owner", "claim__issuance__ledger_entry", "decided_by")


def audit_list(*, status: str | None = None) -> QuerySet[Audit]:
    """The audit queue, oldest first, for verifiers; ``status`` filters (open, confirmed, reversed)."""
    audits = Audit.objects.select_related(*AUDIT_RELATED)
    if status:
        audits = audits.filter(status=status)
    return audits


def audit_get(*, audit_id: int) -> Audit:
    audit = audit_list().filter(pk=audit_id).first() if is_id(audit_id) else None
    if audit is None:
        raise AuditNotFoundError()
    return audit


@dataclass(frozen=True)
class AuditSeed:
    period: str  # YYYY-MM, UTC
    commitment: str  # SHA-256 of the salt, hex
    salt: str | None  # hex, once the period is over


def audit_seeds(*, now: datetime | None = None) -> list[AuditSeed]:
    """The sampling salts, newest period first: from the month of the first issuance to the month after
    this one. A period's salt is shown once it is over; until then only its commitment (so the next
    month's commitment can be pinned before any of its claims exists)."""
    now = now or timezone.now()
    first = ClaimIssuance.objects.aggregate(first=Min("created_at"))["first"] or now
    key = settings.AUDIT_SEED_KEY.encode()
    current = sampling.period_of(now)
    year, month = int(current[:4]), int(current[5:])
    last = f"{year + month // 12}-{month % 12 + 1:02d}"  # the month after this one
    seeds = []
    year, month = first.astimezone(UTC).year, first.astimezone(UTC).month
    while (period := f"{year}-{month:02d}") <= last:
        salt = sampling.period_salt(key, period)
        seeds.append(
            AuditSeed(
                period=period, commitment=sampling.salt_commitment(salt), salt=salt.hex() if period < current else None
            )
        )
        year, month = year + month // 12, month % 12 + 1
    return seeds[::-1]
