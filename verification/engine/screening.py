"""Screen a claim: calculate, apply the rules, score with the model, decide.

Decision: any ``reject`` reason → ``rejected``; else any ``review`` reason (which includes a risk at or
above the review threshold and a claim above the size threshold) → ``needs_review``; else ``approved``.
"""

from decimal import ROUND_HALF_UP, Decimal

from verification.engine import ENGINE_VERSION
from verification.engine.calculators import calculate
from verification.engine.factors import FactorProvider
from verification.engine.features import FEATURE_LABELS, build_features
from verification.engine.rules import evaluate
from verification.engine.types import ClaimInput, HistoryContext, ModelOutput, Reason, ScreeningResult

SCREENING_LABEL = "automated screening"


def decide(reasons: list[Reason]) -> str:
    severities = {reason.severity for reason in reasons}
    if "reject" in severities:
        return "rejected"
    if "review" in severities:
        return "needs_review"
    return "approved"


def screen(
    claim: ClaimInput,
    *,
    factors: FactorProvider,
    history: HistoryContext,
    risk_threshold: Decimal,
    size_review_kg: int,
    model=None,
) -> ScreeningResult:
    """``model`` is a loaded :class:`verification.ml.runtime.ScreeningModel` (the process-wide one by default)."""
    if model is None:
        from verification.ml.runtime import get_model

        model = get_model()
    calc = calculate(claim, factors)
    outcome = evaluate(claim, calc, history, size_review_kg=size_review_kg)
    features = build_features(claim, calc, outcome.metrics)
    scored: ModelOutput = model.score(features)
    risk = Decimal(str(scored.risk)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    reasons = list(outcome.reasons)
    reasons.append(_model_reason(scored, risk, risk_threshold))
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
    )


def _model_reason(scored: ModelOutput, risk: Decimal, threshold: Decimal) -> Reason:
    top = sorted(scored.contributions.items(), key=lambda kv: kv[1], reverse=True)[:3]
    parts = ", ".join(f"{FEATURE_LABELS.get(name, name)} {value:+.2f}" for name, value in top if value > 0)
    explained = f" Largest contributions (log-odds): {parts}." if parts else ""
    if risk >= threshold:
        return Reason(
            code="model_risk_high",
            severity="review",
            detail=f"Automated screening risk {risk} is at or above the review threshold {threshold}.{explained}",
        )
    return Reason(
        code="model_risk",
        severity="info",
        detail=f"Automated screening risk {risk} (review at {threshold}).{explained}",
    )
