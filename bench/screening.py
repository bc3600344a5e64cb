"""Screening micro-benchmark: model load time, warm p50/p95 of screen() and the process's peak RSS.

    .venv/bin/python bench/screening.py [--n 300]

Factors come from the shipped CSV (no database), so this measures the engine and the model; the
request path adds one indexed factor query per factor and the history queries.
"""

import argparse
import os
import resource
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carboncred.settings")


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
    kwargs = {
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
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"model load (import sklearn + skops + hash check): {load_ms:.0f} ms")
    print(f"screen() warm over {len(timings)} claims: p50 {statistics.median(timings):.2f} ms, "
          f"p95 {timings[int(len(timings) * 0.95)]:.2f} ms")  # fmt: skip
    print(f"peak RSS: {rss:.0f} MB (after django.setup: {rss_start:.0f} MB)")


if __name__ == "__main__":
    main()
