"""Plain data passed through the engine."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

Severity = Literal["reject", "review", "info"]


@dataclass(frozen=True)
class EvidenceInput:
    kind: str
    period_start: date
    period_end: date
    quantity: Decimal
    unit: str
    reference: str
    document: int | None = None  # id of the uploaded file behind the item (documents app)


@dataclass(frozen=True)
class ReadingPoint:
    """One stored meter reading as the engine sees it (aware datetimes, energy in kWh)."""

    meter: str  # the meter's key
    start: datetime
    end: datetime
    kwh: Decimal
    reading_id: int = 0
    window_digest: str = ""


@dataclass(frozen=True)
class ReadingsEvidence:
    """The site's stored readings behind a claim with ``parameters.source = "readings"``, and what the
    registry knows about copies of their stretches (read from the database at submission, kept with the
    assessment so that a replay sees the same facts)."""

    points: tuple[ReadingPoint, ...]
    max_reading_id: int
    copied_from: tuple[str, ...] = ()  # stretches stored earlier on another meter, or earlier on this one
    copied_to: tuple[str, ...] = ()  # stretches stored later elsewhere (someone copied these?)
    declared_kwh: Decimal | None = None

    @property
    def total_kwh(self) -> Decimal:
        return sum((point.kwh for point in self.points), Decimal(0))

    def as_json(self) -> dict[str, Any]:
        return {
            "count": len(self.points),
            "total_kwh": str(self.total_kwh),
            "meters": sorted({point.meter for point in self.points}),
            "max_reading_id": self.max_reading_id,
            "copied_from": list(self.copied_from),
            "copied_to": list(self.copied_to),
            "declared_kwh": None if self.declared_kwh is None else str(self.declared_kwh),
        }


@dataclass(frozen=True)
class ClaimInput:
    """A validated claim as the engine sees it. ``parameters`` hold Decimals and normalised choices."""

    category: str
    country: str
    period_start: date
    period_end: date
    parameters: dict[str, Any]
    evidence: tuple[EvidenceInput, ...] = ()
    claimed_reduction_kg: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    readings: ReadingsEvidence | None = None

    @property
    def period_days(self) -> int:
        return (self.period_end - self.period_start).days + 1


@dataclass(frozen=True)
class FactorUsed:
    """A crediting factor row as used by one calculation (what an assessment stores)."""

    ref: str
    family: str
    activity: str
    unit: str
    value: Decimal
    country: str
    year: int
    version: str
    source: str
    source_url: str
    licence: str
    quality: str = ""
    note: str = ""
    region: str = ""  # a sub-national grid (e.g. US-CAMX); blank for the national factor

    def as_json(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "ref": self.ref,
            "family": self.family,
            "activity": self.activity,
            "unit": self.unit,
            "value": str(self.value),
            "country": self.country,
            "year": self.year,
            "version": self.version,
            "source": self.source,
            "source_url": self.source_url,
            "licence": self.licence,
            "quality": self.quality,
            "note": self.note,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "FactorUsed":
        return cls(**{**data, "value": Decimal(data["value"]), "year": int(data["year"])})


@dataclass(frozen=True)
class Reason:
    code: str
    detail: str
    severity: Severity

    def as_json(self) -> dict[str, str]:
        return {"code": self.code, "detail": self.detail, "severity": self.severity}


@dataclass
class Calculation:
    """The credited figure and how it was reached. ``reduction_kg`` is whole kg, rounded down."""

    reduction_kg: int
    formula: str
    figure: str
    inputs: dict[str, str] = field(default_factory=dict)
    factors: list[FactorUsed] = field(default_factory=list)
    missing_factors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "reduction_kg": self.reduction_kg,
            "formula": self.formula,
            "figure": self.figure,
            "inputs": self.inputs,
            "missing_factors": self.missing_factors,
            "notes": self.notes,
        }


@dataclass(frozen=True)
class HistoryContext:
    """Facts about other claims at the time of screening; stored so that replay sees the same facts."""

    overlapping_claim_ids: tuple[int, ...] = ()
    reused_references: tuple[str, ...] = ()  # "position:reference:claim_id", same organisation
    foreign_references: tuple[str, ...] = ()  # same reference in another organisation's live claim

    def as_json(self) -> dict[str, Any]:
        return {
            "overlapping_claim_ids": list(self.overlapping_claim_ids),
            "reused_references": list(self.reused_references),
            "foreign_references": list(self.foreign_references),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "HistoryContext":
        return cls(
            overlapping_claim_ids=tuple(data.get("overlapping_claim_ids", ())),
            reused_references=tuple(data.get("reused_references", ())),
            foreign_references=tuple(data.get("foreign_references", ())),
        )


@dataclass(frozen=True)
class SiteClaim:
    """A live claim holding the site, or one of its meters, within twelve months of a new claim."""

    claim_id: int
    period_start: date
    period_end: date
    reduction_kg: int  # what it issues or would issue (the smaller of computed and claimed)

    def as_json(self) -> dict[str, Any]:
        return {
            "claim_id": self.claim_id,
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "reduction_kg": self.reduction_kg,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "SiteClaim":
        return cls(
            claim_id=int(data["claim_id"]),
            period_start=date.fromisoformat(data["period_start"]),
            period_end=date.fromisoformat(data["period_end"]),
            reduction_kg=int(data["reduction_kg"]),
        )


@dataclass(frozen=True)
class ReportedBooks:
    """The organisation's own emission reports for an efficiency claim's baseline window."""

    carrier: str
    window_start: date
    window_end: date
    reported_kwh: Decimal
    covered_days: int

    @property
    def window_days(self) -> int:
        return (self.window_end - self.window_start).days + 1

    def as_json(self) -> dict[str, Any]:
        return {
            "carrier": self.carrier,
            "window_start": self.window_start.isoformat(),
            "window_end": self.window_end.isoformat(),
            "reported_kwh": str(self.reported_kwh),
            "covered_days": self.covered_days,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "ReportedBooks":
        return cls(
            carrier=data["carrier"],
            window_start=date.fromisoformat(data["window_start"]),
            window_end=date.fromisoformat(data["window_end"]),
            reported_kwh=Decimal(data["reported_kwh"]),
            covered_days=int(data["covered_days"]),
        )


@dataclass(frozen=True)
class TrustContext:
    """Facts about who claims, where, and when, read at submission (under the organisation's and the
    site's locks) and stored with the assessment so a replay applies the same trust rules.

    ``None`` in place of a context (training, assessments made before round 2) skips those rules."""

    submitted_on: date
    project_start: date
    organization_status: str  # unverified | pending | verified | suspended
    auto_issued_kg: int  # the owner's share issued automatically so far (buffer excluded)
    unverified_cap_kg: int
    buffer_share: Decimal
    recent_rejections: int  # the organisation's claims rejected within the look-back window
    claim_max_age_days: int
    crediting_period_years: int
    site_id: int | None = None
    site_status: str | None = None  # active | under_review | rejected
    site_capacity_kw: Decimal | None = None
    site_claims: tuple[SiteClaim, ...] = ()
    books: ReportedBooks | None = None
    reversed_issuances: int = 0  # the organisation's issuances reversed after issuance (audits)

    def as_json(self) -> dict[str, Any]:
        return {
            "submitted_on": self.submitted_on.isoformat(),
            "project_start": self.project_start.isoformat(),
            "organization_status": self.organization_status,
            "auto_issued_kg": self.auto_issued_kg,
            "unverified_cap_kg": self.unverified_cap_kg,
            "buffer_share": str(self.buffer_share),
            "recent_rejections": self.recent_rejections,
            "claim_max_age_days": self.claim_max_age_days,
            "crediting_period_years": self.crediting_period_years,
            "site_id": self.site_id,
            "site_status": self.site_status,
            "site_capacity_kw": None if self.site_capacity_kw is None else str(self.site_capacity_kw),
            "site_claims": [claim.as_json() for claim in self.site_claims],
            "books": None if self.books is None else self.books.as_json(),
            "reversed_issuances": self.reversed_issuances,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "TrustContext":
        capacity = data.get("site_capacity_kw")
        books = data.get("books")
        return cls(
            submitted_on=date.fromisoformat(data["submitted_on"]),
            project_start=date.fromisoformat(data["project_start"]),
            organization_status=data["organization_status"],
            auto_issued_kg=int(data["auto_issued_kg"]),
            unverified_cap_kg=int(data["unverified_cap_kg"]),
            buffer_share=Decimal(data["buffer_share"]),
            recent_rejections=int(data["recent_rejections"]),
            claim_max_age_days=int(data["claim_max_age_days"]),
            crediting_period_years=int(data["crediting_period_years"]),
            site_id=data.get("site_id"),
            site_status=data.get("site_status"),
            site_capacity_kw=None if capacity is None else Decimal(capacity),
            site_claims=tuple(SiteClaim.from_json(item) for item in data.get("site_claims", ())),
            books=None if books is None else ReportedBooks.from_json(books),
            # Absent from assessments made before reversals existed: none had been reversed.
            reversed_issuances=int(data.get("reversed_issuances", 0)),
        )


@dataclass
class ModelOutput:
    risk: float
    novelty: float
    novelty_outlier: bool
    contributions: dict[str, float]
    model_version: str


@dataclass
class ScreeningResult:
    decision: str  # approved | needs_review | rejected
    risk_score: Decimal
    calculation: Calculation
    reasons: list[Reason]
    features: dict[str, float]
    contributions: dict[str, float]
    model_version: str
    engine_version: str
    history: HistoryContext
    trust: TrustContext | None = None
    model_output: ModelOutput | None = None  # what the model said, before any trust adjustment
    raw_risk: Decimal | None = None  # the model's risk before the repeated-rejections adjustment
