"""Climatology micro-benchmark: calls per second of the site climatology and the RSS cost of loading it.

    .venv/bin/python bench/climatology.py [--repeats 7] [--n 2000]

No Django, no database: ``verification/engine/climatology.py`` is pure. RSS is the resident set read
from /proc/self/statm (current, not peak) at each step, so the deltas are what a web worker pays:
importing numpy (free in a worker that has it already), importing the module, loading the data on the
first call, and filling the per-site cache. Rates are the median of ``--repeats`` runs.
"""

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import common


def rss_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def rate(fn: Callable[[], object], n: int, repeats: int) -> float:
    """Median calls per second of ``fn`` over ``repeats`` runs of ``n`` calls."""
    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(n):
            fn()
        runs.append(n / (time.perf_counter() - started))
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--n", type=int, default=2000)
    args = parser.parse_args()

    rss = {"start": rss_mb()}
    import numpy  # noqa: F401  (measured apart: a worker that runs the model has it already)

    rss["numpy"] = rss_mb()
    from verification.engine import climatology

    rss["module"] = rss_mb()
    started = time.perf_counter()
    climatology.site_climate(52.52, 13.40)
    first_ms = (time.perf_counter() - started) * 1000
    rss["loaded"] = rss_mb()

    rng = random.Random(20250601)
    land = [(rng.uniform(-35, 60), rng.uniform(-120, 140)) for _ in range(20000)]
    sites = []
    for lat, lon in land:
        try:
            climatology.site_climate(lat, lon)
            sites.append((lat, lon))
        except climatology.ClimatologyError:
            continue
    rss["cache_full"] = rss_mb()

    berlin = climatology.site_climate(52.52, 13.40)
    period = (date(2023, 3, 15), date(2024, 3, 14))
    months = [250, 450, 800, 1150, 1300, 1350, 1300, 1150, 850, 550, 250, 150]
    cold = iter(rng.choice(sites) for _ in range(10**7))

    def uncached() -> object:
        climatology._climate.cache_clear()
        return climatology.site_climate(*next(cold))

    rates = {
        "site_climate (cached site)": rate(lambda: climatology.site_climate(52.52, 13.40), args.n, args.repeats),
        "site_climate (new site, cache cleared)": rate(uncached, max(50, args.n // 20), args.repeats),
        "expected_generation (12-month period)": rate(
            lambda: climatology.expected_generation(berlin, 40.0, *period), args.n, args.repeats
        ),
        "yield_ceiling (12-month period)": rate(
            lambda: climatology.yield_ceiling(berlin, *period), args.n, args.repeats
        ),
        "monthly_bounds": rate(lambda: climatology.monthly_bounds(berlin, year=2023), args.n, args.repeats),
        "flatness (12 months)": rate(lambda: climatology.flatness(months, berlin), args.n, args.repeats),
    }
    lines = [
        common.machine(),
        f"first call (load {climatology.DATA_FILE.name}, {climatology.DATA_FILE.stat().st_size / 2**20:.1f} MB "
        f"on disk): {first_ms:.0f} ms",
        f"RSS: start {rss['start']:.1f} MB; +numpy {rss['numpy'] - rss['start']:.1f} MB; "
        f"+module {rss['module'] - rss['numpy']:.1f} MB; +data {rss['loaded'] - rss['module']:.1f} MB; "
        f"+{len(sites)} cached sites {rss['cache_full'] - rss['loaded']:.1f} MB",
    ]
    lines += [f"{name}: {value:,.0f} calls/s ({1e6 / value:.1f} µs/call)" for name, value in rates.items()]
    print("\n".join(lines))
    summary = {
        "first_call_ms": first_ms,
        "rss_data_mb": rss["loaded"] - rss["module"],
        "rss_module_and_data_mb": rss["loaded"] - rss["numpy"],
        "rss_numpy_mb": rss["numpy"] - rss["start"],
        "rss_cache_full_mb": rss["cache_full"] - rss["loaded"],
        **{name: value for name, value in rates.items()},
    }
    common.save_report("climatology", "\n".join(lines), summary)


if __name__ == "__main__":
    main()
