"""Rows written per issuance as the claim grows from 1 t to 10,000 t: the count must not grow.

    .venv/bin/python bench/issuance_rows.py                  # SQLite (in-memory test database)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cc_rows_bench .venv/bin/python bench/issuance_rows.py

Credits are serialised kilogram ranges, so issuing 10,000 t writes the same rows as issuing 1 t: the
claim with its evidence and assessment, the issuance record, an owner block, a buffer block, one
ledger entry and its index rows. The script builds a throwaway test database (as the test runner
does: SQLite in memory, or ``test_<name>`` on PostgreSQL) and issues one claim to warm up (the
screening model loads; the buffer-pool organisation and the ledger head are created on first use).
Then, for each size, it issues ``--runs`` claims through the real path: ``claim_submit`` of a solar
claim computing 10,007.85 t with ``claimed_reduction_kg`` set to the size (a verified claimant, each
project on a registered site of its own with one meter), then ``claim_approve`` by a
verifier of another organisation when the claim waits for review (every size here does: the review
limit applies to the computed reduction, not the claimed one). Around each issuance it counts the
rows of every table (``COUNT(*)`` before and after), the SQL statements and the wall time.

Rows are net rows added: an UPDATE (the claim's review, the ledger head) adds none and shows only in
the statement count. The time includes screening (the model scores the claim) and the capture of
the statements. Prints a Markdown table (docs/BENCHMARKS.md, "Rows per issuance").
"""

import argparse
import os
import platform
import sqlite3
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import common

os.environ.setdefault("LOG_LEVEL", "WARNING")

from django.db import connection

if TYPE_CHECKING:
    from accounts.models import User
    from verification.models import ReductionClaim

SIZES_T = (1, 10, 100, 1_000, 10_000)
# 8.8 MWp in India metering 12,175 MWh in 2024 computes 10,007,850 kg: above the largest size, and
# under the micro-scale limit of 10,000 t a year once annualised over the leap year.
PERIOD = ("2024-01-01", "2024-12-31")
START = date(2023, 1, 1)
SOLAR = {"capacity_kwp": 8_800, "generation_kwh": 12_175_000}


@dataclass(frozen=True)
class Parties:
    submitter: "User"  # a member of the projects' owner
    reviewer: "User"  # a verifier of another organisation


@dataclass(frozen=True)
class Measurement:
    quantity_kg: int
    rows: dict[str, int]  # table -> rows added, tables with none left out
    statements: int
    ms: float
    claim: "ReductionClaim"  # approved, with its issuance

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def table_row_counts() -> dict[str, int]:
    """Rows in every table of the database, all apps included."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 - names from the catalogue
            counts[table] = cursor.fetchone()[0]
    return counts


def rows_added(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {table: after[table] - before.get(table, 0) for table in sorted(after) if after[table] != before.get(table)}


def parties_create() -> Parties:
    from django.contrib.auth.models import Group

    from accounts.models import VERIFIERS_GROUP, Organization, User

    claimant = Organization.objects.create(
        name="Bench Solar Pvt Ltd",
        country="IN",
        verification_status="verified",
        registration_number="U40100MH2020PTC000001",
        registration_key="U40100MH2020PTC000001",
    )
    registry = Organization.objects.create(name="Bench Verification Ltd", country="GB")
    reviewer = User.objects.create_user("verifier@bench.example", organization=registry)
    reviewer.groups.add(Group.objects.get_or_create(name=VERIFIERS_GROUP)[0])
    return Parties(
        submitter=User.objects.create_user("claimant@bench.example", organization=claimant),
        reviewer=reviewer,
    )


def claim_input_prepare(*, submitter: "User", quantity_kg: int) -> dict[str, Any]:
    """A new project of the submitter and its claim, validated as the API validates a request body
    (not measured: the project is set-up, validation reads the project)."""
    from projects.models import Project
    from sites.services import site_create
    from tests.verification.factories import NORTHERN_SOLAR_SHAPE, monthly_evidence
    from verification.serializers import claim_submission_parse

    # Each claim on a site of its own (one site earns one claim per period), 200 m apart, one meter each.
    n = Project.objects.filter(owner=submitter.organization).count()
    site = site_create(
        owner=submitter.organization,
        name=f"Bench roofs {n}",
        country="IN",
        latitude=Decimal("18.520400") + Decimal("0.002") * n,
        longitude=Decimal("73.856700"),
        meter_ids=[f"BENCH-{n:06d}"],
        capacity_kw=Decimal(SOLAR["capacity_kwp"]),
    )
    project = Project.objects.create(
        owner=submitter.organization,
        title="Factory roofs 8.8 MWp",
        category="solar",
        country="IN",
        start_date=START,
        site=site,
    )
    body = {
        "project": project.pk,
        "period_start": PERIOD[0],
        "period_end": PERIOD[1],
        "parameters": SOLAR,
        # References unique to the project, or screening would see the same meter read twice.
        "evidence": monthly_evidence(
            *PERIOD, SOLAR["generation_kwh"], weights=NORTHERN_SOLAR_SHAPE, prefix=f"MTR-{project.pk}"
        ),
        "claimed_reduction_kg": quantity_kg,
    }
    return claim_submission_parse(body, organization_id=submitter.organization_id)


def claim_issue(*, parties: Parties, claim_input: dict[str, Any]) -> "ReductionClaim":
    """Submit the claim and, when it waits for review, approve it: the credits are issued either way."""
    from verification.models import ReductionClaim
    from verification.services import claim_approve, claim_submit

    claim = claim_submit(submitted_by=parties.submitter, **claim_input)
    if claim.status == ReductionClaim.Status.NEEDS_REVIEW:
        claim = claim_approve(claim_id=claim.pk, reviewer=parties.reviewer, note="bench")
    if claim.status != ReductionClaim.Status.APPROVED:
        raise RuntimeError(f"claim {claim.pk} was {claim.status}, not approved: {claim.assessment.reasons}")
    return claim


def issuance_measure(*, parties: Parties, quantity_kg: int) -> Measurement:
    """Issue one claim of ``quantity_kg`` and count what it wrote."""
    from django.test.utils import CaptureQueriesContext

    claim_input = claim_input_prepare(submitter=parties.submitter, quantity_kg=quantity_kg)
    before = table_row_counts()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        claim = claim_issue(parties=parties, claim_input=claim_input)
        ms = (time.perf_counter() - started) * 1000
    return Measurement(
        quantity_kg=quantity_kg,
        rows=rows_added(before, table_row_counts()),
        statements=len(queries),
        ms=ms,
        claim=claim,
    )


def tables_cell(rows: dict[str, int]) -> str:
    return ", ".join(f"{table} {count}" for table, count in rows.items())


def report(results: dict[int, list[Measurement]]) -> list[str]:
    lines = [
        "| claim (t) | rows written | statements | tables touched (rows) | median ms |",
        "|---:|---:|---:|---|---:|",
    ]
    for tonnes, runs in results.items():
        first = runs[0]
        same = all(run.rows == first.rows and run.statements == first.statements for run in runs)
        note = "" if same else " (differs between runs)"
        median_ms = statistics.median(run.ms for run in runs)
        lines.append(
            f"| {tonnes:,} | {first.total_rows}{note} | {first.statements} | {tables_cell(first.rows)} | "
            f"{median_ms:.1f} |"
        )
    row_sets = {tuple(run.rows.items()) for runs in results.values() for run in runs}
    verdict = "constant" if len(row_sets) == 1 else f"NOT constant ({len(row_sets)} different sets of rows)"
    return [*lines, "", f"Rows per issuance across sizes and runs: {verdict}."]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="issuances per size (the median time is reported)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        parties = parties_create()
        claim_issue(parties=parties, claim_input=claim_input_prepare(submitter=parties.submitter, quantity_kg=1_000))
        results = {}
        for tonnes in SIZES_T:
            runs = [issuance_measure(parties=parties, quantity_kg=tonnes * 1000) for _ in range(args.runs)]
            for run in runs:
                issued = run.claim.issuance
                assert issued.quantity_kg + issued.buffer_kg == run.quantity_kg, (issued, run.quantity_kg)
            results[tonnes] = runs
        server = f"SQLite {sqlite3.sqlite_version}"
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                server = f"PostgreSQL {cursor.fetchone()[0]}"
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)

    text = "\n".join([
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {common.machine()}; {server}, "
        f"Python {platform.python_version()}, "
        f"Django {django.get_version()}; {args.runs} issuances per size; 1-minute load average "
        f"{os.getloadavg()[0]:.1f}.",
        "",
        *report(results),
    ])  # fmt: skip
    print(text)
    rows_by_tonnes = {tonnes: runs[0].total_rows for tonnes, runs in results.items()}
    common.save_report("issuance_rows", text, {"database": server, "rows_by_tonnes": rows_by_tonnes})


if __name__ == "__main__":
    main()
