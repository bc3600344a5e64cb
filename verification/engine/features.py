"""The risk model's inputs: scale-free ratios and evidence-shape statistics, clipped to sane ranges.

Floats are fine here: features only route a claim, they never decide tonnes. The training generator
builds its features with this same function, so the model sees at run time exactly what it was trained on.
"""

import math

import numpy as np

from verification.engine import solar
from verification.engine.rules import EVIDENCE_UNITS, SAVINGS_IMPLAUSIBLE
from verification.engine.types import Calculation, ClaimInput

FEATURES = (
    "key_ratio_log",
    "bound_ratio",
    "size_log10",
    "evidence_cv",
    "evidence_repeat_frac",
    "evidence_round_frac",
    "evidence_items_per_month",
    "evidence_sum_gap",
    "seasonal_corr",
    "period_fraction",
    "cat_solar",
    "cat_energy_efficiency",
    "cat_recycling",
    "cat_fuel_switch",
)

FEATURE_LABELS = {
    "key_ratio_log": "yield / savings / conversion ratio against typical (log)",
    "bound_ratio": "key figure against its plausibility bound",
    "size_log10": "annualised reduction (log10 kg)",
    "evidence_cv": "variation of daily rates between evidence items",
    "evidence_repeat_frac": "share of evidence items with identical quantities",
    "evidence_round_frac": "share of evidence quantities that are round hundreds",
    "evidence_items_per_month": "evidence items per month",
    "evidence_sum_gap": "gap between evidence total and claimed quantity",
    "seasonal_corr": "correlation of solar evidence with the clear-sky season",
    "period_fraction": "monitoring period as a share of a year",
    "cat_solar": "category solar",
    "cat_energy_efficiency": "category energy efficiency",
    "cat_recycling": "category recycling",
    "cat_fuel_switch": "category fuel switch",
    "novelty": "isolation-forest novelty against honest claims",
}

RECYCLING_TYPICAL_T_PER_YEAR = 30.0  # ASSUMPTION: median of the synthetic SME population


def _clip(value: float, low: float, high: float) -> float:
    if math.isnan(value):
        return 0.0
    return min(max(value, low), high)


def build_features(claim: ClaimInput, calc: Calculation, metrics: dict[str, float]) -> dict[str, float]:
    category = claim.category
    if category == "solar":
        key, bound = metrics.get("yield_ratio", 1.0), metrics.get("yield_bound_ratio", 0.0)
    elif category == "energy_efficiency":
        key = metrics.get("savings_ratio", 1.0)
        bound = metrics.get("savings_fraction", 0.0) / SAVINGS_IMPLAUSIBLE
    elif category == "recycling":
        tonnes = metrics.get("recycling_t_per_year", RECYCLING_TYPICAL_T_PER_YEAR)
        key, bound = tonnes / RECYCLING_TYPICAL_T_PER_YEAR, tonnes / 10_000
    else:
        key = metrics.get("conversion_ratio", 1.0)
        bound = key / 2
    ratios = [v for k, v in metrics.items() if k.endswith("_evidence_ratio")]
    gap = max((abs(r - 1) for r in ratios), default=0.0)
    annual_kg = calc.reduction_kg * 365.25 / claim.period_days
    features = {
        "key_ratio_log": _clip(math.log(max(key, 1e-4)), -7, 7),
        "bound_ratio": _clip(bound, 0, 10),
        "size_log10": _clip(math.log10(annual_kg + 1), 0, 9),
        "evidence_cv": _clip(metrics.get("evidence_cv", 0.0), 0, 3),
        "evidence_repeat_frac": metrics.get("evidence_repeat_frac", 0.0),
        "evidence_round_frac": metrics.get("evidence_round_frac", 0.0),
        "evidence_items_per_month": _clip(metrics.get("evidence_items_per_month", 0.0), 0, 3),
        "evidence_sum_gap": _clip(gap, 0, 2),
        "seasonal_corr": _seasonal_correlation(claim) if category == "solar" else 0.0,
        "period_fraction": _clip(claim.period_days / 365.25, 0, 2),
    }
    for name in ("solar", "energy_efficiency", "recycling", "fuel_switch"):
        features[f"cat_{name}"] = 1.0 if category == name else 0.0
    return features


def _seasonal_correlation(claim: ClaimInput) -> float:
    """Pearson correlation between each evidence item's daily generation and the clear-sky irradiation
    over the same days. Real PV follows the sun; copied or invented meter data does not."""
    items = [e for e in claim.evidence if e.period_start >= claim.period_start and e.period_end <= claim.period_end]
    if len(items) < 3:
        return 0.0
    latitude, _ = solar.ceiling_latitude(claim.country, claim.latitude)
    rates, sun = [], []
    for item in items:
        days = (item.period_end - item.period_start).days + 1
        rates.append(float(item.quantity * EVIDENCE_UNITS[item.unit][1]) / days)
        sun.append(solar.clear_sky_irradiation(latitude, item.period_start, item.period_end) / days)
    r, s = np.asarray(rates), np.asarray(sun)
    if r.std() == 0 or s.std() == 0:
        return 0.0
    return float(np.corrcoef(r, s)[0, 1])
