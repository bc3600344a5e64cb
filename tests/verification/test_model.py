"""The risk model artefact: integrity check, lazy loading, reproducible training, replay."""

import json
import shutil
import subprocess
import sys

import pytest

from tests.verification.factories import project_for
from tests.verification.test_claims_api import URL, solar_body
from verification.engine.features import FEATURES
from verification.ml import runtime
from verification.models import Assessment
from verification.services import assessment_replay


def test_committed_artefact_matches_its_metadata():
    meta = runtime.read_metadata()

    assert runtime.sha256_of(runtime.ARTEFACT) == meta["sha256"]
    assert meta["features"] == list(FEATURES)
    assert meta["artefact_bytes"] < 3_000_000
    assert meta["held_out"]["model"]["auc"] > 0.85
    assert meta["held_out"]["engine"]["honest_approved_share"] > 0.9


def test_tampered_artefact_is_refused(tmp_path):
    artefact = tmp_path / "model.skops"
    shutil.copy(runtime.ARTEFACT, artefact)
    with artefact.open("ab") as handle:
        handle.write(b"\0")

    with pytest.raises(runtime.ModelIntegrityError):
        runtime.load_model(artefact=artefact)


def test_models_views_and_urls_do_not_import_sklearn():
    code = (
        "import django, os, sys; os.environ['DJANGO_SETTINGS_MODULE']='carboncred.settings'; django.setup();"
        "import verification.models, verification.views, verification.urls, verification.admin;"
        "print('sklearn' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # noqa: S603

    assert out.stdout.strip() == "False"


def test_model_scores_a_feature_row_with_contributions():
    model = runtime.get_model()

    scored = model.score(dict.fromkeys(FEATURES, 0.0) | {"cat_solar": 1.0})

    assert 0 <= scored.risk <= 1
    assert set(scored.contributions) == set(FEATURES)
    assert runtime.get_model() is model, "loaded once per process"


@pytest.mark.slow
def test_training_is_reproducible(tmp_path):
    from verification.ml.training import train_and_save

    first = train_and_save(seed=7, n=240, out_dir=tmp_path)
    (tmp_path / "a.json").write_text(json.dumps(first["held_out"]))
    second = train_and_save(seed=7, n=240, out_dir=tmp_path)

    assert first["held_out"] == second["held_out"]
    assert first["version"] == second["version"] == "screening-hgb-monotonic-7-240"


@pytest.mark.django_db
def test_replay_gives_the_same_decision(auth_client, user):
    project = project_for(user.organization, country="GB")
    response = auth_client.post(URL, solar_body(project, kwp=100, kwh=130_000), format="json")
    assessment = Assessment.objects.get(claim_id=response.json()["id"])

    replayed = assessment_replay(assessment=assessment)

    assert replayed.decision == assessment.decision == "rejected"
    assert replayed.risk_score == assessment.risk_score
    assert replayed.calculation.reduction_kg == assessment.computed_reduction_kg
    assert [r.as_json() for r in replayed.reasons] == assessment.reasons
    assert replayed.features == assessment.features


def _grid_rows(model, rng_seed=3, bases=40):
    """Base rows: honest-looking medians and random mixes of typical feature values."""
    import numpy as np

    rng = np.random.default_rng(rng_seed)
    reference = np.array(model.reference)
    rows = [reference]
    for _ in range(bases):
        row = reference + rng.normal(0, 0.5, len(reference))
        category = rng.integers(0, 4)
        for i, name in enumerate(FEATURES):
            if name.startswith("cat_"):
                row[i] = 1.0 if name == FEATURES[FEATURES.index("cat_solar") + category] else 0.0
            elif name in ("evidence_repeat_frac", "evidence_round_frac", "series_flatness"):
                row[i] = float(rng.uniform(0, 1))
        rows.append(row)
    return rows


def test_risk_never_falls_as_a_fraud_signal_rises():
    """On a grid of inputs, for every constrained feature: raise it step by step with everything else
    fixed, and the risk never falls (or never rises, for the one -1 feature)."""
    import numpy as np

    from verification.engine.features import MONOTONIC

    model = runtime.get_model()
    grids = {
        "yield_ratio_log": np.linspace(-1, 3, 25),
        "savings_ratio_log": np.linspace(-2, 2, 25),
        "recycling_ratio_log": np.linspace(-3, 5, 25),
        "conversion_ratio_log": np.linspace(-2, 2, 25),
        "bound_ratio": np.linspace(0, 3, 25),
        "size_log10": np.linspace(0, 8, 25),
        "evidence_repeat_frac": np.linspace(0, 1, 11),
        "evidence_round_frac": np.linspace(0, 1, 11),
        "evidence_sum_gap": np.linspace(0, 1, 11),
        "series_flatness": np.linspace(0, 1, 11),
        "seasonal_corr": np.linspace(-1, 1, 21),
    }
    constrained = {name for name, sign in MONOTONIC.items() if sign}
    assert constrained == set(grids), "every constrained feature is checked"
    for base in _grid_rows(model):
        for name, values in grids.items():
            rows = np.repeat(base[None, :], len(values), axis=0)
            rows[:, FEATURES.index(name)] = values
            risks = model.classifier.predict_proba(rows)[:, 1]
            steps = np.diff(risks) * MONOTONIC[name]
            assert (steps >= -1e-12).all(), (name, base, risks)
    # ``score`` is that probability (plus contributions): what screening decides on.
    row = dict(zip(FEATURES, _grid_rows(model)[1], strict=True))
    assert model.score(row).risk == float(model.classifier.predict_proba(np.array([list(row.values())]))[0, 1])


def test_the_round_number_and_yield_features_carry_weight():
    """The constraint is not met by ignoring the signals: somewhere on the grid each raises the risk."""
    model = runtime.get_model()
    base = dict(zip(FEATURES, model.reference, strict=True)) | {"cat_solar": 1.0}
    for name, low, high in (("yield_ratio_log", 0.0, 1.0), ("evidence_round_frac", 0.0, 1.0)):
        lower = model.score(base | {name: low}).risk
        higher = model.score(base | {name: high, "bound_ratio": 1.0}).risk
        assert higher > lower, name
