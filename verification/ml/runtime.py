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
    classifier: Any  # HistGradientBoostingClassifier with monotonic constraints (features.MONOTONIC)
    reference: tuple[float, ...]  # the honest training claims' median row: the baseline of contributions

    def score(self, features: dict[str, float]) -> ModelOutput:
        import numpy as np

        x = np.array([features[name] for name in self.features], dtype=float)
        # The claim, then the claim with each feature in turn set to the honest median: one predict call.
        rows = np.repeat(x[None, :], len(self.features) + 1, axis=0)
        for i, value in enumerate(self.reference):
            rows[i + 1, i] = value
        probabilities = self.classifier.predict_proba(rows)[:, 1]
        risk = float(probabilities[0])
        return ModelOutput(
            risk=min(max(risk, 0.0), 1.0),
            novelty=0.0,
            novelty_outlier=False,
            contributions=self._contributions(probabilities),
            model_version=self.version,
        )

    def _contributions(self, probabilities) -> dict[str, float]:
        """How far each feature moves the log-odds from where the honest median value of that feature
        would put them (the claim's risk against the claim with that one feature made typical)."""

        def logit(p: float) -> float:
            p = min(max(float(p), 1e-6), 1 - 1e-6)
            return math.log(p / (1 - p))

        base = logit(probabilities[0])
        return {name: round(base - logit(probabilities[i + 1]), 4) for i, name in enumerate(self.features)}


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
    reference = tuple(float(v) for v in meta["reference_row"])
    if len(reference) != len(FEATURES) or not all(math.isfinite(v) for v in reference):
        raise ModelIntegrityError("the reference row is not usable")
    # One claim at a time: OpenMP threads cost more to wake than a 17-row prediction takes (8.6 ms with
    # two threads on the shared two cores, 2.9 ms with one). Web workers run one request per process.
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="openmp")
    return ScreeningModel(
        version=meta["version"], features=FEATURES, classifier=bundle["classifier"], reference=reference
    )


def get_model() -> ScreeningModel:
    """The process-wide model, loaded on first use."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = load_model()
    return _model
