"""Plain data passed through the engine."""

from dataclasses import dataclass, field
from datetime import date
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

    def as_json(self) -> dict[str, Any]:
        return {
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
