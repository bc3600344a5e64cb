"""Certificate PDF generation time: the pure render, the owner's PDF endpoint cold and cached, and the
public verification endpoint.

    .venv/bin/python bench/certificates_pdf.py                 # 5 runs of 200 renders each
    .venv/bin/python bench/certificates_pdf.py --runs 7 --renders 300
    DATABASE_URL=postgres://... .venv/bin/python bench/certificates_pdf.py   # endpoint on PostgreSQL

The endpoint part builds a throwaway test database (as the test runner does: SQLite in memory, or
``test_<name>`` on PostgreSQL), retires credits through the services — each certificate's serials
issued to one organisation and transferred to the one that retires them, so verification proves
three entries — and requests ``/api/certificates/{id}/pdf/`` with the cache cleared (cold: queries,
verification + render) and warm (cached), and ``/api/certificates/verify/{public_id}/`` (never cached
by the server: re-hashes and proves the issue, transfer and retire entries).
Prints the median (p50) and p95 of each run and the median of the run medians, which is the number
docs/BENCHMARKS.md reports. The target is p50 <= 50 ms per PDF.
"""

import argparse
import datetime
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import common
from bench.common import percentile

os.environ.setdefault("LOG_LEVEL", "WARNING")  # no access-log line per request

from certificates.facts import CertificateFacts, CheckpointFacts
from certificates.pdf import certificate_pdf_render


def sample_facts(index: int) -> CertificateFacts:
    # A different certificate each time, so nothing is served from a cache by accident.
    public_id = f"{index:06d}Xy3k9PqLmN0aBcDeFg"
    return CertificateFacts(
        public_id=public_id,
        public_url=f"https://carboncred.example/certificates/{public_id}/",
        serial=f"CC-IN-000042-2025-{1001 + index}-{2250 + index}",
        serial_start=1001 + index,
        serial_end=2250 + index,
        quantity_kg=1250,
        beneficiary="Acme Widgets Pvt Ltd",
        reason="Offsetting the 2025 scope 2 emissions of the Pune plant",
        retired_by="Acme Widgets Pvt Ltd",
        retired_at=datetime.datetime(2026, 3, 14, 9, 26, 53, tzinfo=datetime.UTC),
        project_title="Factory roof 120 kWp",
        project_category="Rooftop / grid solar",
        project_country="India (IN)",
        vintage=2025,
        methodology="Grid-connected solar, combined-margin factor",
        screening_version="screening-2026.1",
        entry_seq=1234 + index,
        entry_hash=f"{index:064x}",
        checkpoint=CheckpointFacts(size=1300 + index, root=f"{index + 1:064x}"),
    )


def time_renders(renders: int, offset: int) -> list[float]:
    durations = []
    for index in range(renders):
        facts = sample_facts(offset + index)
        started = time.perf_counter()
        certificate_pdf_render(facts)
        durations.append((time.perf_counter() - started) * 1000)
    return durations


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--renders", type=int, default=200)
    parser.add_argument("--skip-endpoint", action="store_true", help="time the pure render only")
    args = parser.parse_args()

    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}")
    time_renders(20, offset=10_000_000)  # warm-up: imports, font metrics, first-use caches
    medians = []
    for run in range(args.runs):
        durations = time_renders(args.renders, offset=run * args.renders)
        medians.append(statistics.median(durations))
        print(
            f"run {run + 1}: p50 {medians[-1]:.1f} ms  p95 {percentile(durations, 0.95):.1f} ms  "
            f"({args.renders} renders)"
        )
    lines = [f"PDF render p50 (median of {args.runs} runs): {statistics.median(medians):.1f} ms"]
    summary: dict[str, float | str] = {"render_p50_ms": statistics.median(medians)}
    if not args.skip_endpoint:
        vendor, endpoint = bench_endpoint(runs=args.runs, requests=min(args.renders, 100))
        summary |= {"endpoint_database": vendor, **endpoint}
        lines += [f"GET pdf on {vendor}: {label} p50 {p50:.1f} ms" for label, p50 in endpoint.items()]
    print("\n".join(lines))
    common.save_report("certificates", "\n".join(lines), summary)


def bench_endpoint(*, runs: int, requests: int) -> tuple[str, dict[str, float]]:
    """The database vendor, and the p50 (median of the run medians) of the PDF endpoint cold and cached."""
    import django

    django.setup()
    from decimal import Decimal

    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import setup_test_environment
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import AccessToken

    from accounts.models import Organization, User
    from certificates.services import certificate_checkpoint_ensure, retirement_create
    from ledger.services import credits_issue, credits_transfer
    from projects.models import Project

    setup_test_environment()
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        organization = Organization.objects.create(name="Bench Widgets Pvt Ltd", country="IN")
        producer = Organization.objects.create(name="Bench Solar Pvt Ltd", country="IN")
        user = User.objects.create_user("bench@example.com", "correct-horse-battery-staple", organization=organization)
        project = Project.objects.create(
            owner=producer, title="Factory roof 120 kWp", category="solar", country="IN", start_date="2025-01-01"
        )
        block = credits_issue(
            project=project, vintage=2025, quantity_kg=10_000_000, buffer_share=Decimal(0)
        ).owner_block
        certificates = []
        for n in range(requests):
            bought = credits_transfer(sender=producer, block=block.pk, quantity_kg=2000 + n, to=organization)
            certificates.append(
                retirement_create(
                    organization=organization, block_id=bought.block.pk, quantity_kg=1000 + n, beneficiary="Acme",
                    reason="bench",
                )
            )  # fmt: skip
        certificate_checkpoint_ensure(seq=certificates[-1].ledger_entry_id)  # as after the last commit
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")

        def timed(certificate) -> float:
            started = time.perf_counter()
            response = client.get(f"/api/certificates/{certificate.pk}/pdf/")
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200 and response.content.startswith(b"%PDF-")
            return elapsed

        print(f"endpoint on {connection.vendor}, {requests} certificates:")
        p50s = {}
        for label, clear in (("cold", True), ("cached", False)):
            if not clear:
                for certificate in certificates:  # every PDF in the cache before the clock
                    timed(certificate)
            medians = []
            for _ in range(runs):
                durations = []
                for certificate in certificates:
                    if clear:
                        cache.clear()
                    durations.append(timed(certificate))
                medians.append(statistics.median(durations))
            p50s[label] = statistics.median(medians)
            print(f"  GET pdf {label}: p50 {p50s[label]:.1f} ms (median of {runs} runs)")

        def verified(certificate) -> float:
            started = time.perf_counter()
            response = client.get(f"/api/certificates/verify/{certificate.public_id}/")
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200 and response.json()["valid"], response.content
            return elapsed

        medians = [statistics.median([verified(c) for c in certificates]) for _ in range(runs)]
        p50s["verify"] = statistics.median(medians)
        print(f"  GET verify (3 entries proven): p50 {p50s['verify']:.1f} ms (median of {runs} runs)")
        return connection.vendor, p50s
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)


if __name__ == "__main__":
    main()
