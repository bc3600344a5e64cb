"""The screening model at run time: loaded once per process, lazily, after a SHA-256 check.

The artefact is a skops file (``screening_model.skops``): skops refuses to instantiate any type that is
not explicitly trusted, so unlike a pickle it cannot run code on load. The trusted types are the ones
recorded in ``screening_model.json`` at training time, and the file's SHA-256 must match the one
recorded there, so a swapped or corrupted artefact is refused before it is parsed.
"""

import hashlib
import json
import math
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from verification.engine.features import FEATURES
from verification.engine.types import ModelOutput

ML_DIR = Path(__file__).resolve().parent
ARTEFACT = ML_DIR / "screening_model.skops"
METADATA = ML_DIR / "screening_model.json"


class ModelIntegrityError(RuntimeError):
    """The artefact on disk is not the one the metadata describes."""


@dataclass
class ScreeningModel:
    version: str
    features: tuple[str, ...]
    iforest: Any
    classifier: Any  # CalibratedClassifierCV over Pipeline(StandardScaler, LogisticRegression)
    novelty_threshold: float

    def _row(self, features: dict[str, float]):
        import numpy as np

        x = np.array([[features[name] for name in self.features]], dtype=float)
        novelty = float(-self.iforest.score_samples(x)[0])
        return np.hstack([x, [[novelty]]]), novelty

    def score(self, features: dict[str, float]) -> ModelOutput:
        row, novelty = self._row(features)
        risk = float(self.classifier.predict_proba(row)[0, 1])
        return ModelOutput(
            risk=min(max(risk, 0.0), 1.0),
            novelty=novelty,
            novelty_outlier=novelty > self.novelty_threshold,
            contributions=self.contributions(row),
            model_version=self.version,
        )

    def contributions(self, row) -> dict[str, float]:
        """Coefficient x standardised value per feature, averaged over the calibration folds' logistic
        models: the feature's additive share of the log-odds before isotonic calibration."""
        names = (*self.features, "novelty")
        totals = [0.0] * len(names)
        folds = self.classifier.calibrated_classifiers_
        for fold in folds:
            pipeline = fold.estimator
            z = pipeline.named_steps["scale"].transform(row)[0]
            coef = pipeline.named_steps["lr"].coef_[0]
            for i in range(len(names)):
                totals[i] += float(coef[i] * z[i])
        return {name: round(total / len(folds), 4) for name, total in zip(names, totals, strict=True)}


_lock = threading.Lock()
_model: ScreeningModel | None = None


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_metadata(path: Path = METADATA) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def load_model(artefact: Path = ARTEFACT, metadata: Path = METADATA) -> ScreeningModel:
    meta = read_metadata(metadata)
    digest = sha256_of(artefact)
    if digest != meta["sha256"]:
        raise ModelIntegrityError(f"{artefact.name}: SHA-256 {digest} does not match {meta['sha256']}")
    if tuple(meta["features"]) != FEATURES:
        raise ModelIntegrityError("the model was trained on different features than the engine builds")
    from skops.io import load

    bundle = load(artefact, trusted=meta["trusted_types"])
    threshold = float(meta["novelty_threshold"])
    if not math.isfinite(threshold):
        raise ModelIntegrityError("novelty threshold is not finite")
    return ScreeningModel(
        version=meta["version"],
        features=FEATURES,
        iforest=bundle["iforest"],
        classifier=bundle["classifier"],
        novelty_threshold=threshold,
    )


def get_model() -> ScreeningModel:
    """The process-wide model, loaded on first use."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = load_model()
    return _model
