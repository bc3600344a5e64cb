"""Country-boundary lookup: load time, memory (RSS) cost of the data, and lookups per second.

    .venv/bin/python bench/boundaries.py [--runs 7] [--n 2000]

No database and no Django: ``sites.boundaries`` is pure Python and numpy. RSS is read from /proc/self/status
(Linux) after numpy is imported, so the figure is the data set's own cost; a web worker imports numpy anyway
(``verification.engine``). Rates are the median of ``--runs`` passes over the same points.
"""

import argparse
import math
import random
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import common

CITIES = [  # (latitude, longitude, country): the declared country is right
    (19.0760, 72.8777, "IN"),
    (18.5204, 73.8567, "IN"),
    (-1.2921, 36.8219, "KE"),
    (52.5200, 13.4050, "DE"),
    (51.7592, 19.4560, "PL"),
    (53.4808, -2.2426, "GB"),
    (47.6062, -122.3321, "US"),
    (-23.5505, -46.6333, "BR"),
    (6.5244, 3.3792, "NG"),
    (1.3521, 103.8198, "SG"),
    (43.7384, 7.4246, "MC"),
    (46.2044, 6.1432, "CH"),
    (61.2181, -149.9003, "US"),
    (64.1466, -21.9426, "IS"),
    (-33.9249, 18.4241, "ZA"),
    (-18.1248, 178.4501, "FJ"),
]
COASTAL = [  # real places the generalised coast leaves offshore: inside fails, the distance pass decides
    (50.8185, -0.1372, "GB"),
    (69.6492, 18.9553, "NO"),
    (78.2232, 15.6267, "SJ"),
    (64.7337, 177.5089, "RU"),
]
WRONG = [  # declared in the wrong country, near and far: the distance pass runs and fails
    (48.8566, 2.3522, "DE"),
    (19.0760, 72.8777, "PK"),
    (-22.5609, 17.0658, "ZA"),
    (47.9990, 7.8420, "FR"),
]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return math.nan


def rate(call: Callable[[float, float, str], object], points: list[tuple[float, float, str]], runs: int) -> dict:
    """Calls per second (median over runs) and the per-call p50/p99 in microseconds, over all runs."""
    per_second, samples = [], []
    for _ in range(runs):
        started = time.perf_counter()
        for latitude, longitude, country in points:
            t = time.perf_counter()
            call(latitude, longitude, country)
            samples.append(time.perf_counter() - t)
        per_second.append(len(points) / (time.perf_counter() - started))
    samples.sort()
    return {
        "per_s": statistics.median(per_second),
        "p50_us": statistics.median(samples) * 1e6,
        "p99_us": common.percentile(samples, 0.99) * 1e6,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--n", type=int, default=2000, help="points per pass")
    args = parser.parse_args()

    import numpy  # first, so that the RSS below is the data set's alone

    rss_numpy = rss_mb()
    from sites import boundaries

    started = time.perf_counter()
    boundaries.preload()
    first_load_ms = (time.perf_counter() - started) * 1000
    rss_loaded = rss_mb()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    loads = []
    for _ in range(args.runs):
        started = time.perf_counter()
        boundaries._load()
        loads.append((time.perf_counter() - started) * 1000)

    generator = random.Random(20240601)
    anywhere = [  # uniform on the sphere: sin(latitude) uniform
        (math.degrees(math.asin(generator.uniform(-1, 1))), generator.uniform(-180, 180), "") for _ in range(args.n)
    ]
    land = [point for point in anywhere if boundaries.country_at(point[0], point[1])]
    repeat = max(1, args.n // len(CITIES))
    results = {
        f"country_at, uniform on the sphere ({1 - len(land) / len(anywhere):.0%} at sea)": rate(
            lambda la, lo, _c: boundaries.country_at(la, lo), anywhere, args.runs
        ),
        f"country_at, the {len(land)} of them on land": rate(
            lambda la, lo, _c: boundaries.country_at(la, lo), land, args.runs
        ),
        "within_country, right country (cities)": rate(boundaries.within_country, CITIES * repeat, args.runs),
        "within_country, coastal, inside the tolerance": rate(
            boundaries.within_country, COASTAL * (args.n // len(COASTAL)), args.runs
        ),
        "within_country, wrong country": rate(boundaries.within_country, WRONG * (args.n // len(WRONG)), args.runs),
    }
    data_file = boundaries.DATA_FILE
    lines = [
        f"machine: {common.machine()}; Python {sys.version.split()[0]}, numpy {numpy.__version__}",
        f"data: {data_file.name}, {data_file.stat().st_size / 1e6:.2f} MB on disk",
        f"load: first {first_load_ms:.0f} ms (new process), then median of {args.runs}: "
        f"{statistics.median(loads):.0f} ms",
        f"RSS: {rss_numpy:.1f} MB with numpy imported -> {rss_loaded:.1f} MB loaded "
        f"(+{rss_loaded - rss_numpy:.1f} MB); peak {peak:.1f} MB",
        "",
        "| lookup | per second (median of runs) | p50 | p99 |",
        "|---|---|---|---|",
        *(
            f"| {name} | {r['per_s']:,.0f} | {r['p50_us']:.0f} µs | {r['p99_us']:.0f} µs |"
            for name, r in results.items()
        ),
    ]
    print("\n".join(lines))
    summary = {
        "file_mb": data_file.stat().st_size / 1e6,
        "load_ms": statistics.median(loads),
        "first_load_ms": first_load_ms,
        "rss_cost_mb": rss_loaded - rss_numpy,
        "peak_rss_mb": peak,
        "lookups": results,
    }
    common.save_report("boundaries", "\n".join(lines), summary)


if __name__ == "__main__":
    main()
