"""Screening micro-benchmark: model load time, warm p50/p95 of screen() and the process's peak RSS.

    .venv/bin/python bench/screening.py [--n 300]

Factors come from the shipped CSV (no database), so this measures the engine and the model; the
request path adds one indexed factor query per factor and the history queries.
"""

import argparse
import resource
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import common


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300)
    args = parser.parse_args()
    import django

    django.setup()
    rss_start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    from verification.engine.factors import ListFactorProvider, load_csv_factors
    from verification.engine.screening import screen
    from verification.engine.types import HistoryContext
    from verification.ml import runtime
    from verification.ml.synthetic import population

    started = time.perf_counter()
    model = runtime.get_model()
    load_ms = (time.perf_counter() - started) * 1000
    provider = ListFactorProvider(load_csv_factors())
    claims = [s.claim for s in population(seed=99, n=args.n, fault_share=0.0)]
    kwargs: dict[str, Any] = {
        "factors": provider,
        "history": HistoryContext(),
        "risk_threshold": Decimal("0.7"),
        "size_review_kg": 500_000,
    }
    for claim in claims[:20]:
        screen(claim, model=model, **kwargs)  # warm-up: caches, first predict
    timings = []
    for claim in claims:
        t = time.perf_counter()
        screen(claim, model=model, **kwargs)
        timings.append((time.perf_counter() - t) * 1000)
    timings.sort()
    readings_ms = _readings_claim_ms(model, kwargs)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    p50, p95 = statistics.median(timings), common.percentile(timings, 0.95)
    lines = [
        f"model load (import sklearn + skops + hash check): {load_ms:.0f} ms",
        f"screen() warm over {len(timings)} claims: p50 {p50:.2f} ms, p95 {p95:.2f} ms",
        f"screen() of a claim from a month of hourly readings (744 points, series checks): {readings_ms:.1f} ms",
        f"peak RSS: {rss:.0f} MB (after django.setup: {rss_start:.0f} MB)",
    ]
    print("\n".join(lines))
    summary = {"model_load_ms": load_ms, "p50_ms": p50, "p95_ms": p95, "peak_rss_mb": rss, "readings_ms": readings_ms}
    common.save_report("screening", "\n".join(lines), summary)


def _readings_claim_ms(model, kwargs: dict[str, Any]) -> float:
    """Median of 5 screenings of a solar claim whose generation is a month of hourly readings (Pune)."""
    from datetime import date

    from tests.verification.climate_table import hourly_readings
    from verification.engine.screening import screen

    claim = hourly_readings(("pune", "IN", 18.52, 73.86), kwp=50, first=date(2024, 3, 1), last=date(2024, 3, 31))
    screen(claim, model=model, **kwargs)
    timings = []
    for _ in range(5):
        t = time.perf_counter()
        screen(claim, model=model, **kwargs)
        timings.append((time.perf_counter() - t) * 1000)
    return statistics.median(timings)


if __name__ == "__main__":
    main()
