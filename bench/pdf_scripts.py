"""Certificate render time by script: a Latin-only certificate beside ones whose names need shaping.

    .venv/bin/python bench/pdf_scripts.py                  # 7 runs of 50 renders per case
    .venv/bin/python bench/pdf_scripts.py --runs 3 --renders 20

Each case renders certificates whose beneficiary, reason, project and organisation are in the
scripts named (a different public id each time, so no result comes from a cache); the median of the
run medians is what is reported. ``first render`` is the first mixed-script certificate of a fresh
process: it includes reading the fonts, which later renders reuse. No database is needed.
"""

import argparse
import dataclasses
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common
from bench.certificates_pdf import sample_facts
from bench.common import percentile
from certificates.facts import CertificateFacts
from certificates.pdf import certificate_pdf_render

CASES: dict[str, dict[str, str]] = {
    "latin": {},
    "polish, greek (DejaVu Sans)": {
        "beneficiary": "Łódź Recykling Sp. z o.o.",
        "reason": "Αντιστάθμιση εκπομπών 2025",
    },
    "hindi": {
        "beneficiary": "हरित ऊर्जा प्राइवेट लिमिटेड",
        "reason": "पुणे संयंत्र के 2025 स्कोप 2 उत्सर्जन की भरपाई",
    },
    "mixed scripts": {
        "beneficiary": "हरित ऊर्जा प्राइवेट लिमिटेड · شركة الطاقة الخضراء · グリーン電力株式会社",
        "reason": "บริษัท พลังงานสีเขียว จำกัด — 绿色能源有限公司 — 녹색 에너지 주식회사",
        "retired_by": "شركة الطاقة الخضراء",
        "project_title": "屋上太陽光発電 120 kWp",
    },
}


def facts_for(case: str, index: int) -> CertificateFacts:
    # A number in every name: layouts are cached by text, and real certificates rarely repeat a name.
    facts = sample_facts(index)
    names = {"beneficiary": facts.beneficiary, "reason": facts.reason} | CASES[case]
    changes: dict[str, Any] = {field: f"{value} {index}" for field, value in names.items()}
    return dataclasses.replace(facts, **changes)


def time_case(case: str, *, runs: int, renders: int) -> tuple[float, float]:
    """The median of the run medians and the p95 of all renders, in ms."""
    medians, everything = [], []
    for run in range(runs):
        durations = []
        for index in range(renders):
            facts = facts_for(case, run * renders + index)
            started = time.perf_counter()
            certificate_pdf_render(facts)
            durations.append((time.perf_counter() - started) * 1000)
        medians.append(statistics.median(durations))
        everything += durations
    return statistics.median(medians), percentile(everything, 0.95)


def first_render_ms() -> float:
    started = time.perf_counter()
    certificate_pdf_render(facts_for("mixed scripts", 0))
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--renders", type=int, default=50)
    parser.add_argument("--first-render", action="store_true", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.first_render:
        print(f"{first_render_ms():.1f}")
        return

    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}")
    lines: list[str] = []
    summary: dict[str, float | str] = {}
    firsts = [
        float(
            subprocess.run(
                [sys.executable, __file__, "--first-render"], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(3)
    ]
    summary["first_render_ms"] = statistics.median(firsts)
    lines.append(
        f"first render of a fresh process (mixed scripts, fonts read): median {summary['first_render_ms']:.1f} ms"
    )
    print(lines[-1])
    for case in CASES:
        time_case(case, runs=1, renders=5)  # warm-up: fonts read, caches filled
        p50, p95 = time_case(case, runs=args.runs, renders=args.renders)
        size = len(certificate_pdf_render(facts_for(case, 0)))
        summary[f"{case} p50_ms"] = p50
        lines.append(f"{case:<28} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  {size / 1024:6.1f} KiB")
        print(lines[-1])
    common.save_report("pdf_scripts", "\n".join(lines), summary)


if __name__ == "__main__":
    main()
