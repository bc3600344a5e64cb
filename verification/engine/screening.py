"""Screen a claim: calculate, apply the rules, score with the model, decide.

Decision: any ``reject`` reason → ``rejected``; else any ``review`` reason (which includes a risk at or
above the review threshold and a claim above the size threshold) → ``needs_review``; else ``approved``.
"""

import math
from decimal import ROUND_HALF_UP, Decimal

from verification.engine import ENGINE_VERSION
from verification.engine.calculators import calculate
from verification.engine.factors import FactorProvider
from verification.engine.features import build_features
from verification.engine.rules import (
    MAX_REJECTIONS_COUNTED,
    REJECTION_LOOKBACK_DAYS,
    RISK_LOGIT_PER_REJECTION,
    evaluate,
)
from verification.engine.types import (
    Calculation,
    ClaimInput,
    HistoryContext,
    ModelOutput,
    Reason,
    ScreeningResult,
    TrustContext,
)

SCREENING_LABEL = "automated screening"


def decide(reasons: list[Reason]) -> str:
    severities = {reason.severity for reason in reasons}
    if "reject" in severities:
        return "rejected"
    if "review" in severities:
        return "needs_review"
    return "approved"


def _quantize(risk: float) -> Decimal:
    return Decimal(str(risk)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def adjusted_risk(risk: float, recent_rejections: int) -> float:
    """The model's risk raised for an organisation whose recent claims were rejected: each rejection in
    the look-back window adds RISK_LOGIT_PER_REJECTION to the log-odds, at most MAX_REJECTIONS_COUNTED of
    them (so at most +1.4: odds x 4). Bounded, monotonic, and recorded with the assessment."""
    counted = min(max(recent_rejections, 0), MAX_REJECTIONS_COUNTED)
    if counted == 0:
        return risk
    clipped = min(max(risk, 1e-6), 1 - 1e-6)
    logit = math.log(clipped / (1 - clipped)) + RISK_LOGIT_PER_REJECTION * counted
    return max(risk, 1 / (1 + math.exp(-logit)))


def screen(
    claim: ClaimInput,
    *,
    factors: FactorProvider,
    history: HistoryContext,
    risk_threshold: Decimal,
    size_review_kg: int,
    model=None,
    trust: TrustContext | None = None,
) -> ScreeningResult:
    """``model`` is a loaded :class:`verification.ml.runtime.ScreeningModel` (the process-wide one by default).
    ``trust`` adds the trust rules (``rules.evaluate``) and the repeated-rejections risk adjustment."""
    if model is None:
        from verification.ml.runtime import get_model

        model = get_model()
    calc = calculate(claim, factors)
    outcome = evaluate(claim, calc, history, size_review_kg=size_review_kg, trust=trust)
    features = build_features(claim, calc, outcome.metrics)
    scored: ModelOutput = model.score(features)
    return _decided(claim, calc, outcome.reasons, features, scored, history, trust, risk_threshold)


def rescreen(
    result: ScreeningResult,
    claim: ClaimInput,
    *,
    history: HistoryContext,
    trust: TrustContext | None,
    risk_threshold: Decimal,
    size_review_kg: int,
) -> ScreeningResult:
    """The same claim screened again with newer history and trust facts (read under the locks at
    persistence): the calculation, the features and the model's output are reused, only the rules
    and the decision run again. Equal to a fresh :func:`screen` with those facts."""
    if result.model_output is None:
        raise ValueError("rescreen needs the model output of the first screening")
    outcome = evaluate(claim, result.calculation, history, size_review_kg=size_review_kg, trust=trust)
    return _decided(claim, result.calculation, outcome.reasons, result.features, result.model_output, history, trust,
                    risk_threshold)  # fmt: skip


def _decided(
    claim: ClaimInput,
    calc: Calculation,
    rule_reasons: list[Reason],
    features: dict[str, float],
    scored: ModelOutput,
    history: HistoryContext,
    trust: TrustContext | None,
    risk_threshold: Decimal,
) -> ScreeningResult:
    raw = _quantize(scored.risk)
    rejections = trust.recent_rejections if trust is not None else 0
    risk = _quantize(adjusted_risk(scored.risk, rejections)) if rejections else raw
    reasons = list(rule_reasons)
    if rejections:
        reasons.append(
            Reason(
                code="recent_rejections",
                severity="info",
                detail=f"{rejections} of your organisation's claims were rejected in the last "
                f"{REJECTION_LOOKBACK_DAYS} days: the screening risk is raised from {raw} to {risk}.",
            )
        )
    reasons.append(_model_reason(risk, risk_threshold))
    if scored.novelty_outlier:
        reasons.append(
            Reason(
                code="novelty_outlier",
                severity="info",
                detail="The claim is unlike the honest claims the screening model was trained on (isolation forest).",
            )
        )
    return ScreeningResult(
        decision=decide(reasons),
        risk_score=risk,
        calculation=calc,
        reasons=reasons,
        features=features,
        contributions=scored.contributions,
        model_version=scored.model_version,
        engine_version=ENGINE_VERSION,
        history=history,
        trust=trust,
        model_output=scored,
        raw_risk=raw,
    )


def _model_reason(risk: Decimal, threshold: Decimal) -> Reason:
    """The model's verdict in words. Which features drove it is for verifiers only (the assessment's
    ``contributions``, on the review endpoints): shown to claimants it would teach them to game it."""
    if risk >= threshold:
        return Reason(
            code="model_risk_high",
            severity="review",
            detail=f"Automated screening risk {risk} is at or above the review threshold {threshold}.",
        )
    return Reason(
        code="model_risk", severity="info", detail=f"Automated screening risk {risk} (review at {threshold})."
    )
