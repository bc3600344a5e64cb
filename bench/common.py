"""What every benchmark script shares: the database it may recreate, Django set-up, the machine line,
percentiles, and the summary each script leaves for ``bench/run_all.py``.

Importing it puts the project on ``sys.path`` and sets ``DJANGO_SETTINGS_MODULE`` and, unless set,
``THROTTLE_RATES=off`` (a benchmark is not a client to be throttled)."""

import json
import os
import platform
import statistics
import sys
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carboncred.settings")
os.environ.setdefault("THROTTLE_RATES", "off")


def database_url() -> str:
    """``DATABASE_URL``, which must name a PostgreSQL database with "bench" in its name: it is recreated."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres") or "bench" not in urlparse(url).path:
        sys.exit("Set DATABASE_URL to a PostgreSQL database whose name contains 'bench' (it is recreated).")
    return url


def conninfo(url: str, dbname: str | None = None) -> str:
    parts = urlparse(url)
    return (
        f"host={parts.hostname} port={parts.port or 5432} user={parts.username or 'postgres'} "
        f"dbname={dbname or parts.path.lstrip('/')}" + (f" password={parts.password}" if parts.password else "")
    )


def recreate_database(url: str) -> None:
    import psycopg

    name = urlparse(url).path.lstrip("/")
    with psycopg.connect(conninfo(url, "postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def django_setup() -> None:
    import django

    django.setup()


def machine() -> str:
    """``<CPU model>, <n> cores, <m> GiB`` of this (Linux) machine, for a report's first line."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    memory_gib = int(Path("/proc/meminfo").read_text().split()[1]) / 2**20
    return f"{cpu}, {os.cpu_count()} cores, {memory_gib:.0f} GiB"


def median(values) -> float:
    return statistics.median(values)


def percentile(samples: list[float], fraction: float) -> float:
    """The sample at ``fraction`` of the sorted list (nearest rank, no interpolation)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def stamp() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S}"


def save_report(name: str, text: str, summary: dict) -> None:
    """Write the Markdown report (``<name>-<time>.md``) and the figures ``run_all`` tabulates
    (``<name>-latest.json``) to bench/results/."""
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}-{stamp()}.md").write_text(text + "\n")
    summary = {"finished": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC", "load": os.getloadavg()[0], **summary}
    (RESULTS / f"{name}-latest.json").write_text(json.dumps(summary, indent=2) + "\n")
