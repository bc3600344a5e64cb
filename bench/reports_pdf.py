"""PDF render time: the GHG statement beside the retirement certificate, in one process.

    .venv/bin/python bench/reports_pdf.py                       # 5 runs of 30 renders per case
    .venv/bin/python bench/reports_pdf.py --runs 3 --renders 10 --skip-endpoint
    DATABASE_URL=postgres://... .venv/bin/python bench/reports_pdf.py   # endpoint on PostgreSQL

Pure renders (no database): a full year's statement (12 monthly electricity reports, quarterly gas,
diesel, flights and waste, two retirements; 5 pages) with a Latin organisation name and with a
mixed-script one (Devanagari, Arabic, CJK: fonts embedded and text shaped), and the certificate of
bench/certificates_pdf.py. Every render has a different name, so nothing comes from a cache. Then,
unless ``--skip-endpoint``, a throwaway test database (as the test runner makes it) holds one
organisation's year of reports, and ``GET /api/reports/ghg/pdf/?year=`` is timed cold (cache cleared:
the queries, the statement, the render, recording the SHA-256) and cached. Reported: the median of
the run medians (p50) and the p95 of all renders.
"""

import argparse
import datetime
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import common
from bench.common import percentile

os.environ.setdefault("LOG_LEVEL", "WARNING")  # no access-log line per request

from bench.certificates_pdf import sample_facts
from certificates.pdf import certificate_pdf_render
from reports.ghg.allocation import month_end
from reports.ghg.inputs import FactorUsed, LineInput, OrganizationInput, ReportInput, RetirementInput
from reports.ghg.statement import Statement, statement_build
from reports.pdf import ghg_pdf_render

YEAR = 2025
VERIFY_URL = "https://carboncred.example/reports/verify/"
MIXED = "हरित ऊर्जा प्राइवेट लिमिटेड · شركة الطاقة الخضراء · グリーン電力株式会社"
SOURCE = "UK DESNZ GHG Conversion Factors for Company Reporting 2025, condensed set v1 (AR5 GWP100)"
URL = "https://www.gov.uk/government/publications/greenhouse-gas-reporting-conversion-factors-2025"


def _factor(factor_id: int, activity: str, unit: str, value: str) -> FactorUsed:
    return FactorUsed(
        id=factor_id,
        version=1,
        activity=activity,
        region="GB",
        region_name="United Kingdom",
        value=Decimal(value),
        unit=unit,
        source=SOURCE,
        source_url=URL,
        year=YEAR,
        licence="Open Government Licence v3.0",
    )


FACTORS = {
    "electricity": (_factor(1, "electricity", "kWh", "0.177"), 2),
    "natural_gas": (_factor(2, "natural_gas", "kWh", "0.18296"), 1),
    "diesel": (_factor(3, "diesel", "litre", "2.57082"), 1),
    "flight_short_haul": (_factor(4, "flight_short_haul", "passenger_km", "0.12786"), 3),
    "waste_landfill": (_factor(5, "waste_landfill", "kg", "0.52053"), 3),
}


def _line(activity: str, quantity: int) -> LineInput:
    factor, scope = FACTORS[activity]
    return LineInput(
        activity=activity,
        scope=scope,
        quantity=Decimal(quantity),
        unit=factor.unit,
        conversion=Decimal(1),
        region="GB",
        emissions_kg=int(Decimal(quantity) * factor.value),
        factor=factor,
        factor_match="region",
        factor_label="Factor for United Kingdom, 2025.",
        factor_fallback=False,
    )


def _report(report_id: int, start: datetime.date, end: datetime.date, lines: list[LineInput]) -> ReportInput:
    return ReportInput(
        id=report_id,
        period_start=start,
        period_end=end,
        total_kg=sum(line.emissions_kg for line in lines),
        created_at=datetime.datetime(YEAR + 1, 1, 20, 9, 0, tzinfo=datetime.UTC),
        lines=tuple(lines),
    )


def sample_statement(name: str) -> Statement:
    months = [datetime.date(YEAR, month, 1) for month in range(1, 13)]
    reports = [
        _report(month.month, month, month_end(month), [_line("electricity", 7_000 + 150 * month.month)])
        for month in months
    ]
    for quarter in range(4):
        start = datetime.date(YEAR, 3 * quarter + 1, 1)
        end = month_end(datetime.date(YEAR, 3 * quarter + 3, 1))
        lines = [_line("natural_gas", 18_000), _line("diesel", 400), _line("flight_short_haul", 2_400)]
        reports.append(_report(20 + quarter, start, end, [*lines, _line("waste_landfill", 350)]))
    retirements = [
        RetirementInput(
            public_id=f"{n:06d}Xy3k9PqLmN0aBcDeFg",
            serial=f"CC-IN-000042-2025-{1001 + 1000 * n}-{2000 + 1000 * n}",
            quantity_kg=1000,
            retired_at=datetime.datetime(YEAR, 6 + n, 14, 9, 26, tzinfo=datetime.UTC),
            beneficiary=name,
            public_url=f"https://carboncred.example/certificates/{n:06d}Xy3k9PqLmN0aBcDeFg/",
        )
        for n in range(2)
    ]
    organization = OrganizationInput(
        id=1,
        name=name,
        country="GB",
        country_name="United Kingdom",
        employees=38,
        annual_revenue=Decimal("3200000"),
        revenue_currency="GBP",
    )
    return statement_build(
        year=YEAR, organization=organization, reports=reports, retirements=retirements, today=datetime.date(2026, 6, 1)
    )


def render_statement(name: str) -> bytes:
    return ghg_pdf_render(sample_statement(name), verify_url=VERIFY_URL)


def time_renders(render: Callable[[int], object], *, runs: int, renders: int) -> tuple[float, float]:
    """The median of the run medians and the p95 of every render, in ms."""
    medians, everything = [], []
    for run in range(runs):
        durations = []
        for index in range(renders):
            started = time.perf_counter()
            render(run * renders + index)
            durations.append((time.perf_counter() - started) * 1000)
        medians.append(statistics.median(durations))
        everything += durations
    return statistics.median(medians), percentile(everything, 0.95)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--renders", type=int, default=30)
    parser.add_argument("--skip-endpoint", action="store_true", help="time the pure renders only")
    args = parser.parse_args()

    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}")
    cases: dict[str, Callable[[int], object]] = {
        "certificate": lambda i: certificate_pdf_render(sample_facts(i)),
        "statement, latin name": lambda i: render_statement(f"Thames Valley Bakery Ltd {i}"),
        "statement, mixed-script name": lambda i: render_statement(f"{MIXED} {i}"),
        "statement data only (no PDF)": lambda i: sample_statement(f"Thames Valley Bakery Ltd {i}").fingerprint,
    }
    lines: list[str] = []
    summary: dict[str, float | str] = {}
    for label, render in cases.items():
        time_renders(render, runs=1, renders=3)  # warm-up: imports, fonts read, first-use caches
        p50, p95 = time_renders(render, runs=args.runs, renders=args.renders)
        summary[f"{label} p50_ms"] = p50
        lines.append(f"{label:<30} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms")
        print(lines[-1])
    sample = ghg_pdf_render(sample_statement("Thames Valley Bakery Ltd"), verify_url=VERIFY_URL)
    lines.append(f"statement PDF size {len(sample) / 1024:.1f} KiB")
    summary["report_render_p50_ms"] = summary["statement, latin name p50_ms"]
    summary["certificate_render_p50_ms"] = summary["certificate p50_ms"]
    if not args.skip_endpoint:
        vendor, endpoint = bench_endpoint(runs=args.runs, requests=min(args.renders, 30))
        summary |= {"endpoint_database": vendor, **{f"endpoint_{k}_ms": v for k, v in endpoint.items()}}
        lines += [f"GET /api/reports/ghg/pdf/ on {vendor}: {label} p50 {p50:.1f} ms" for label, p50 in endpoint.items()]
    print("\n".join(lines[-3:]))
    common.save_report("reports_pdf", "\n".join(lines), summary)


def bench_endpoint(*, runs: int, requests: int) -> tuple[str, dict[str, float]]:
    """The database vendor, and the p50 of the statement PDF endpoint cold and cached."""
    common.django_setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import setup_test_environment
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import AccessToken

    from accounts.models import Organization, User
    from emissions.services import emission_report_create

    setup_test_environment()
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        organization = Organization.objects.create(name="Bench Bakery Ltd", country="GB", employees=38)
        user = User.objects.create_user("bench@example.com", "correct-horse-battery-staple", organization=organization)
        for month in range(1, 13):
            start = datetime.date(YEAR, month, 1)
            end = month_end(start)
            lines = [
                {"activity": "electricity", "quantity": Decimal(7000 + 150 * month), "unit": "kWh"},
                {"activity": "natural_gas", "quantity": Decimal(6000), "unit": "kWh"},
                {"activity": "diesel", "quantity": Decimal(130), "unit": "litres"},
                {"activity": "flight_short_haul", "quantity": Decimal(800), "unit": "passenger_km"},
            ]
            emission_report_create(organization=organization, period_start=start, period_end=end, lines=lines)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")

        def timed() -> float:
            started = time.perf_counter()
            response = client.get("/api/reports/ghg/pdf/", {"year": YEAR})
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200 and response.content.startswith(b"%PDF-")
            return elapsed

        timed()  # warm-up
        p50s = {}
        for label, clear in (("cold", True), ("cached", False)):
            medians = []
            for _ in range(runs):
                durations = []
                for _ in range(requests):
                    if clear:
                        cache.clear()
                    durations.append(timed())
                medians.append(statistics.median(durations))
            p50s[label] = statistics.median(medians)
            print(f"  GET /api/reports/ghg/pdf/ {label}: p50 {p50s[label]:.1f} ms (median of {runs} runs)")
        return connection.vendor, p50s
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)


if __name__ == "__main__":
    main()
