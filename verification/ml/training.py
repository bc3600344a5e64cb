"""Train the screening model reproducibly and write the artefact with its metadata.

``manage.py train_screening_model`` calls :func:`train_and_save`. Fixed seeds everywhere, one thread,
so the same code and seed give the same model and the same metrics.
"""

import hashlib
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

from verification.engine import ENGINE_VERSION
from verification.engine.calculators import calculate
from verification.engine.factors import ListFactorProvider, load_csv_factors
from verification.engine.features import FEATURES, MONOTONIC, build_features
from verification.engine.rules import evaluate
from verification.engine.screening import decide
from verification.engine.types import HistoryContext, Reason
from verification.ml.runtime import ARTEFACT, METADATA, ScreeningModel
from verification.ml.synthetic import population

DEFAULT_SEED = 20250601
DEFAULT_SIZE = 8000
SIZE_REVIEW_KG = 500_000
RISK_THRESHOLD = 0.7


def featurise(samples, provider=None):
    provider = provider or ListFactorProvider(load_csv_factors())
    rows, rule_reasons = [], []
    for sample in samples:
        calc = calculate(sample.claim, provider)
        outcome = evaluate(sample.claim, calc, HistoryContext(), size_review_kg=SIZE_REVIEW_KG)
        features = build_features(sample.claim, calc, outcome.metrics)
        rows.append([features[name] for name in FEATURES])
        rule_reasons.append(outcome.reasons)
    return np.array(rows, dtype=float), rule_reasons


def fit(x: np.ndarray, y: np.ndarray, *, seed: int):
    """A gradient-boosted classifier whose risk can only rise with every fraud signal
    (``features.MONOTONIC``), and the honest claims' median row (the baseline of contributions)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    classifier = HistGradientBoostingClassifier(
        max_iter=250,
        learning_rate=0.08,
        max_leaf_nodes=15,
        min_samples_leaf=25,
        l2_regularization=1.0,
        early_stopping=False,
        monotonic_cst=[MONOTONIC[name] for name in FEATURES],
        random_state=seed,
    )
    classifier.fit(x, y)
    reference = [float(v) for v in np.median(x[y == 0], axis=0)]
    return classifier, reference


def evaluate_held_out(model: ScreeningModel, x: np.ndarray, y: np.ndarray, faults: list[str], reasons) -> dict:
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import brier_score_loss, precision_score, recall_score, roc_auc_score

    risks, decisions = [], []
    for row, rule_reasons in zip(x, reasons, strict=True):
        scored = model.score(dict(zip(FEATURES, row, strict=True)))
        risks.append(scored.risk)
        model_reason = (
            [Reason(code="model_risk_high", detail="", severity="review")] if scored.risk >= RISK_THRESHOLD else []
        )
        decisions.append(decide(list(rule_reasons) + model_reason))
    risk = np.array(risks)
    flagged = risk >= RISK_THRESHOLD
    frac_pos, mean_pred = calibration_curve(y, risk, n_bins=10, strategy="quantile")
    engine_flag = np.array([d != "approved" for d in decisions])
    by_fault: dict[str, dict[str, float]] = {}
    for fault in sorted(set(faults)):
        idx = [i for i, f in enumerate(faults) if f == fault]
        counts = {d: sum(1 for i in idx if decisions[i] == d) for d in ("approved", "needs_review", "rejected")}
        by_fault[fault] = {"n": len(idx), **{k: round(v / len(idx), 4) for k, v in counts.items()}}
    return {
        "n": len(y),
        "positives": int(y.sum()),
        "model": {
            "auc": round(float(roc_auc_score(y, risk)), 4),
            "brier": round(float(brier_score_loss(y, risk)), 4),
            "threshold": RISK_THRESHOLD,
            "precision_at_threshold": round(float(precision_score(y, flagged, zero_division=0)), 4),
            "recall_at_threshold": round(float(recall_score(y, flagged)), 4),
            "reliability": [
                {"mean_predicted": round(float(p), 4), "observed": round(float(o), 4)}
                for p, o in zip(mean_pred, frac_pos, strict=True)
            ],
        },
        "engine": {
            "precision_not_approved": round(float(precision_score(y, engine_flag, zero_division=0)), 4),
            "recall_not_approved": round(float(recall_score(y, engine_flag)), 4),
            "honest_approved_share": by_fault.get("honest", {}).get("approved", 0.0),
            "by_fault": by_fault,
        },
    }


def train(*, seed: int = DEFAULT_SEED, n: int = DEFAULT_SIZE) -> tuple[dict[str, Any], dict[str, Any]]:
    """Returns (bundle, metadata without sha256/trusted types)."""
    from threadpoolctl import threadpool_limits

    samples = population(seed=seed, n=n)
    x, reasons = featurise(samples)
    y = np.array([s.label for s in samples])
    faults = [s.fault for s in samples]
    rng = np.random.default_rng(seed + 1)
    order = rng.permutation(len(samples))
    cut = int(len(samples) * 0.75)
    train_idx, test_idx = order[:cut], order[cut:]
    with threadpool_limits(limits=1):
        classifier, reference = fit(x[train_idx], y[train_idx], seed=seed)
        version = f"screening-hgb-monotonic-{seed}-{n}"
        model = ScreeningModel(version, FEATURES, classifier, tuple(reference))
        metrics = evaluate_held_out(
            model, x[test_idx], y[test_idx], [faults[i] for i in test_idx], [reasons[i] for i in test_idx]
        )
    import sklearn

    metadata = {
        "version": version,
        "engine_version": ENGINE_VERSION,
        "trained_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "seed": seed,
        "population_size": n,
        "split": "75 % train / 25 % held out (permutation with seed + 1)",
        "features": list(FEATURES),
        "reference_row": reference,
        "monotonic_cst": {name: MONOTONIC[name] for name in FEATURES},
        "sklearn_version": sklearn.__version__,
        "held_out": metrics,
    }
    return {"classifier": classifier}, metadata


def train_and_save(*, seed: int = DEFAULT_SEED, n: int = DEFAULT_SIZE, out_dir: Path | None = None) -> dict[str, Any]:
    from skops.io import dump, get_untrusted_types

    artefact = (out_dir / ARTEFACT.name) if out_dir else ARTEFACT
    metadata_path = (out_dir / METADATA.name) if out_dir else METADATA
    bundle, metadata = train(seed=seed, n=n)
    dump(bundle, artefact)
    metadata["trusted_types"] = sorted(get_untrusted_types(file=artefact))
    metadata["sha256"] = hashlib.sha256(artefact.read_bytes()).hexdigest()
    metadata["artefact_bytes"] = artefact.stat().st_size
    metadata_path.write_text(json.dumps(metadata, indent=2, sort_keys=True, default=_json) + "\n", encoding="utf-8")
    return metadata


def _json(value):
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(type(value))
