"""The risk model's inputs: scale-free ratios and evidence-shape statistics, clipped to sane ranges.

Floats are fine here: features only route a claim, they never decide tonnes. The training generator
builds its features with this same function, so the model sees at run time exactly what it was trained on.
"""

import math

import numpy as np

from verification.engine import climatology, series, site_solar, solar
from verification.engine.rules import EVIDENCE_UNITS, SAVINGS_IMPLAUSIBLE
from verification.engine.types import Calculation, ClaimInput

FEATURES = (
    "yield_ratio_log",
    "savings_ratio_log",
    "recycling_ratio_log",
    "conversion_ratio_log",
    "bound_ratio",
    "size_log10",
    "evidence_repeat_frac",
    "evidence_round_frac",
    "evidence_sum_gap",
    "series_flatness",
    "seasonal_corr",
    "period_fraction",
    "cat_solar",
    "cat_energy_efficiency",
    "cat_recycling",
    "cat_fuel_switch",
)

# How risk may move with each feature (scikit-learn's ``monotonic_cst``): +1 risk never falls as the
# feature rises, -1 never rises, 0 free. Every fraud signal is +1, so that no learned effect can reward
# it (round numbers, a higher yield, a larger claim, a flatter series); the only -1 is the evidence
# following the clear-sky season, which a copier or an inventor of data lacks. Free: the period length
# and the category, which say nothing about honesty by themselves.
MONOTONIC = {
    "yield_ratio_log": 1,
    "savings_ratio_log": 1,
    "recycling_ratio_log": 1,
    "conversion_ratio_log": 1,
    "bound_ratio": 1,
    "size_log10": 1,
    "evidence_repeat_frac": 1,
    "evidence_round_frac": 1,
    "evidence_sum_gap": 1,
    "series_flatness": 1,
    "seasonal_corr": -1,
    "period_fraction": 0,
    "cat_solar": 0,
    "cat_energy_efficiency": 0,
    "cat_recycling": 0,
    "cat_fuel_switch": 0,
}

FEATURE_LABELS = {
    "yield_ratio_log": "solar yield against the site's climatological expectation (log)",
    "savings_ratio_log": "efficiency saving against the measure's typical share (log)",
    "recycling_ratio_log": "recycled tonnes per year against a typical SME (log)",
    "conversion_ratio_log": "fuel switch: heat-pump COP or solar kWh per litre against typical (log)",
    "bound_ratio": "key figure against its plausibility bound",
    "size_log10": "annualised reduction (log10 kg)",
    "evidence_repeat_frac": "share of evidence items with identical quantities",
    "evidence_round_frac": "share of evidence quantities that are round hundreds",
    "evidence_sum_gap": "gap between evidence total and claimed quantity",
    "series_flatness": "flatness of the solar series against the site's seasons (1 = flat)",
    "seasonal_corr": "correlation of solar evidence with the clear-sky season",
    "period_fraction": "monitoring period as a share of a year",
    "cat_solar": "category solar",
    "cat_energy_efficiency": "category energy efficiency",
    "cat_recycling": "category recycling",
    "cat_fuel_switch": "category fuel switch",
}

RECYCLING_TYPICAL_T_PER_YEAR = 30.0  # ASSUMPTION: median of the synthetic SME population


def _clip(value: float, low: float, high: float) -> float:
    if math.isnan(value):
        return 0.0
    return min(max(value, low), high)


def _log_ratio(value: float) -> float:
    return _clip(math.log(max(value, 1e-4)), -7, 7)


def build_features(claim: ClaimInput, calc: Calculation, metrics: dict[str, float]) -> dict[str, float]:
    category = claim.category
    features = dict.fromkeys(("yield_ratio_log", "savings_ratio_log", "recycling_ratio_log", "conversion_ratio_log"),
                             0.0)  # fmt: skip
    if category == "solar":
        features["yield_ratio_log"] = _log_ratio(metrics.get("yield_ratio", 1.0))
        bound = metrics.get("yield_bound_ratio", 0.0)
    elif category == "energy_efficiency":
        features["savings_ratio_log"] = _log_ratio(metrics.get("savings_ratio", 1.0))
        bound = metrics.get("savings_fraction", 0.0) / SAVINGS_IMPLAUSIBLE
    elif category == "recycling":
        tonnes = metrics.get("recycling_t_per_year", RECYCLING_TYPICAL_T_PER_YEAR)
        features["recycling_ratio_log"] = _log_ratio(tonnes / RECYCLING_TYPICAL_T_PER_YEAR)
        bound = tonnes / 10_000
    else:
        key = metrics.get("conversion_ratio", 1.0)
        features["conversion_ratio_log"] = _log_ratio(key)
        bound = key / 2
    ratios = [v for k, v in metrics.items() if k.endswith("_evidence_ratio")]
    gap = max((abs(r - 1) for r in ratios), default=0.0)
    annual_kg = calc.reduction_kg * 365.25 / claim.period_days
    features.update(
        {
            "bound_ratio": _clip(bound, 0, 10),
            "size_log10": _clip(math.log10(annual_kg + 1), 0, 9),
            "evidence_repeat_frac": metrics.get("evidence_repeat_frac", 0.0),
            "evidence_round_frac": metrics.get("evidence_round_frac", 0.0),
            "evidence_sum_gap": _clip(gap, 0, 2),
            "series_flatness": _clip(metrics.get("series_flatness", 0.0), 0, 1) if category == "solar" else 0.0,
            "seasonal_corr": _seasonal_correlation(claim) if category == "solar" else 0.0,
            "period_fraction": _clip(claim.period_days / 365.25, 0, 2),
        }
    )
    for name in ("solar", "energy_efficiency", "recycling", "fuel_switch"):
        features[f"cat_{name}"] = 1.0 if category == name else 0.0
    return features


def _seasonal_correlation(claim: ClaimInput) -> float:
    """Pearson correlation between each evidence item's daily generation and what the site's climate
    gives over the same days (the climatology with coordinates, the clear-sky season without). Real PV
    follows the sun and the clouds; copied or invented meter data does not."""
    items = [e for e in claim.evidence if e.period_start >= claim.period_start and e.period_end <= claim.period_end]
    if not items and claim.readings is not None:
        items = series.monthly_totals(claim, list(claim.readings.points), claim.longitude or 0.0)
    items = [e for e in items if EVIDENCE_UNITS[e.unit][0] == "energy"]
    if len(items) < 3:
        return 0.0
    climate = None
    if claim.latitude is not None and claim.longitude is not None:
        try:
            climate = site_solar.site_climate(claim)
        except climatology.ClimatologyError:
            climate = None
    latitude, _ = solar.ceiling_latitude(claim.country, claim.latitude)
    rates, sun = [], []
    for item in items:
        days = (item.period_end - item.period_start).days + 1
        rates.append(float(item.quantity * EVIDENCE_UNITS[item.unit][1]) / days)
        if climate is not None:
            sun.append(climatology.expected_generation(climate, 1.0, item.period_start, item.period_end) / days)
        else:
            sun.append(solar.clear_sky_irradiation(latitude, item.period_start, item.period_end) / days)
    r, s = np.asarray(rates), np.asarray(sun)
    if r.std() == 0 or s.std() == 0:
        return 0.0
    return float(np.corrcoef(r, s)[0, 1])
