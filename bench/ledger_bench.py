"""Ledger benchmarks: append throughput, verification speed, checkpoints and proofs.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cc_ledger_bench .venv/bin/python bench/ledger_bench.py

The database named in DATABASE_URL is dropped and recreated (its name must contain "bench").
Prints a Markdown report (docs/BENCHMARKS.md, "Ledger") and writes it to bench/results/.

1. Appends/s at 1, 4 and 16 concurrent worker processes, in the same run:
   - service: ``credits_transfer`` of 1 kg (lock the block, split it, append: ``ledger_append``), each
     worker taking its own 50 blocks in turn;
   - raw chain: a psycopg loop doing the bare minimum of a hash chain per transaction
     (``SELECT head FOR UPDATE``, SHA-256 in Python, ``INSERT`` entry, ``UPDATE`` head, ``COMMIT``);
   - pgbench: single-row inserts into a plain table (no chain, no lock): the database's ceiling.
2. ``ledger_verify`` rows/s over ``--verify-rows`` entries (1M; the missing ones are appended by
   ``bench/data.py``'s ``fill_ledger``), beside raw hashlib SHA-256 over the
   same bytes (messages built in memory first) and the same per-row hashing loop without the database.
3. ``checkpoint_create()``: the first (full) checkpoint and the incremental one after a few appends;
   ``inclusion_proof_for`` at that size.
"""

import argparse
import hashlib
import multiprocessing
import os
import platform
import random
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import common, data
from bench.common import conninfo, database_url, django_setup, median, recreate_database

ROOT = common.ROOT
WORKER_COUNTS = (1, 4, 16)
# Each service worker sells 1 kg at a time from its own blocks in turn, as many listings would be
# bought from; a single block split thousands of times a second only measures dead-tuple churn.
BLOCKS_PER_WORKER = 50
TAG = b"CarbonCred/ledger/v1\x00"


# --- workers (separate processes: no shared GIL, one connection each) ------------------------


def raw_chain_worker(url: str, body: str, ready, seconds: float, out) -> None:
    import psycopg

    done = 0
    with psycopg.connect(conninfo(url)) as conn:
        ready.wait()  # every worker connected and set up before any starts
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            with conn.transaction(), conn.cursor() as cur:
                cur.execute("SELECT seq, hash FROM bench_head WHERE id = 1 FOR UPDATE")
                row = cur.fetchone()
                if row is None:
                    raise RuntimeError("bench_head has no row 1")
                seq, prev = row
                seq += 1
                digest = hashlib.sha256(TAG + seq.to_bytes(8, "big") + prev + body.encode()).digest()
                cur.execute(
                    "INSERT INTO bench_chain (seq, prev_hash, hash, body) VALUES (%s, %s, %s, %s)",
                    (seq, prev, digest, body),
                )
                cur.execute("UPDATE bench_head SET seq = %s, hash = %s WHERE id = 1", (seq, digest))
            done += 1
    out.put(done)


def service_worker(block_ids: list[int], sender_id: int, receiver_id: int, ready, seconds: float, out) -> None:
    django_setup()
    from django.db import connection

    from accounts.models import Organization
    from ledger.services import credits_transfer

    sender, receiver = Organization.objects.get(pk=sender_id), Organization.objects.get(pk=receiver_id)
    Organization.objects.count()  # connect before the clock starts
    done = 0
    ready.wait()
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        credits_transfer(sender=sender, block=block_ids[done % len(block_ids)], quantity_kg=1, to=receiver)
        done += 1
    connection.close()
    out.put(done)


def run_workers(target, args_for, workers: int, seconds: float) -> float:
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    ready = context.Barrier(workers)
    processes = [context.Process(target=target, args=(*args_for(i), ready, seconds, out)) for i in range(workers)]
    for process in processes:
        process.start()
    total = sum(out.get(timeout=seconds + 120) for _ in processes)
    for process in processes:
        process.join()
    return total / seconds


def pgbench(url: str, workers: int, seconds: float) -> float:
    parts = urlparse(url)
    script = ROOT / "bench" / "results" / "pgbench_insert.sql"
    script.write_text("INSERT INTO bench_pgbench (payload) VALUES (repeat('x', 500));\n")
    command = [
        "pgbench",
        "-n",
        "-h",
        parts.hostname or "127.0.0.1",
        "-p",
        str(parts.port or 5432),
        "-U",
        parts.username or "postgres",
        "-c",
        str(workers),
        "-j",
        str(min(workers, 2)),
        "-T",
        str(int(seconds)),
        "-f",
        str(script),
        parts.path.lstrip("/"),
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    match = re.search(r"tps = ([\d.]+)", output)
    if match is None:
        raise RuntimeError(f"pgbench printed no tps:\n{output}")
    return float(match.group(1))


# --- the benchmark ---------------------------------------------------------------------------


def setup_append_fixtures(workers: int):
    from decimal import Decimal

    from accounts.models import Organization
    from ledger.services import credits_issue
    from projects.models import Project

    fixtures = []
    for i in range(workers):
        owner = Organization.objects.create(name=f"bench sender {i}", country="GB")
        receiver = Organization.objects.create(name=f"bench receiver {i}", country="GB")
        project = Project.objects.create(
            owner=owner, title=f"bench {i}", category="solar", country="GB", start_date="2025-01-01"
        )
        blocks = [
            credits_issue(project=project, vintage=2025, quantity_kg=10**7, buffer_share=Decimal(0)).owner_block.pk
            for _ in range(BLOCKS_PER_WORKER)
        ]
        fixtures.append((blocks, owner.pk, receiver.pk))
    return fixtures


def create_raw_chain_tables(cursor) -> None:
    """The two tables ``raw_chain_worker`` appends to: a bare hash chain and its head row."""
    cursor.execute(
        "CREATE TABLE IF NOT EXISTS bench_chain (seq bigint PRIMARY KEY, prev_hash bytea UNIQUE NOT NULL, "
        "hash bytea UNIQUE NOT NULL, body text NOT NULL)"
    )
    cursor.execute(
        "CREATE TABLE IF NOT EXISTS bench_head (id int PRIMARY KEY, seq bigint NOT NULL, hash bytea NOT NULL)"
    )
    cursor.execute("INSERT INTO bench_head VALUES (1, 0, %s) ON CONFLICT DO NOTHING", [bytes(32)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="repetitions of each measurement (median reported)")
    parser.add_argument("--seconds", type=float, default=5, help="duration of each append measurement")
    parser.add_argument("--verify-rows", type=int, default=1_000_000)
    parser.add_argument("--proofs", type=int, default=1000)
    parser.add_argument("--reuse-db", action="store_true", help="keep the database (and its entries) of a last run")
    parser.add_argument(
        "--parts", default="appends,verify", help="which parts to run: appends, verify (comma-separated)"
    )
    options = parser.parse_args()

    url = database_url()
    common.RESULTS.mkdir(exist_ok=True)
    if not options.reuse_db:
        recreate_database(url)
    django_setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        create_raw_chain_tables(cursor)
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_pgbench (id bigserial PRIMARY KEY, payload text NOT NULL)")
        cursor.execute("SELECT version(), current_setting('synchronous_commit'), current_setting('fsync')")
        pg_version, synchronous_commit, fsync = cursor.fetchone()

    fixtures = setup_append_fixtures(max(WORKER_COUNTS))
    from accounts.models import Organization
    from ledger.services import credits_transfer

    warm = fixtures[0]
    credits_transfer(
        sender=Organization.objects.get(pk=warm[1]), block=warm[0][0], quantity_kg=1,
        to=Organization.objects.get(pk=warm[2]),
    )  # fmt: skip
    body = data.sample_body("transfer").decode()
    connection.close()

    parts = set(options.parts.split(","))
    loads = [os.getloadavg()[0]]
    appends: dict[str, dict[int, list[float]]] = {"service": {}, "raw": {}, "pgbench": {}}
    for workers in WORKER_COUNTS if "appends" in parts else ():
        for _ in range(options.runs):
            appends["service"].setdefault(workers, []).append(
                run_workers(service_worker, lambda i: fixtures[i], workers, options.seconds)
            )
            appends["raw"].setdefault(workers, []).append(
                run_workers(raw_chain_worker, lambda i: (url, body), workers, options.seconds)
            )
            appends["pgbench"].setdefault(workers, []).append(pgbench(url, workers, options.seconds))
            print(f"workers={workers}: " + ", ".join(f"{k} {v[workers][-1]:.0f}/s" for k, v in appends.items()))
            loads.append(os.getloadavg()[0])
    lines = machine_lines(options, pg_version, synchronous_commit, fsync, loads)
    summary: dict = {}
    if "appends" in parts:
        lines += appends_table(appends)
        summary["appends"] = {k: {w: median(v) for w, v in rates.items()} for k, rates in appends.items()}
    if "verify" in parts:
        verify_lines, summary["verify"] = verify_part(options, body, fixtures)
        lines += verify_lines
    report_text = "\n".join(lines)
    print("\n" + report_text)
    common.save_report("ledger", report_text, summary)


def machine_lines(options, pg_version, synchronous_commit, fsync, loads) -> list[str]:
    return [
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {common.machine()};",
        f"{pg_version.split(' on ')[0]} (synchronous_commit={synchronous_commit}, fsync={fsync}), "
        f"Python {platform.python_version()}, Django {__import__('django').get_version()}.",
        f"Medians of {options.runs} runs of {options.seconds:g} s each; 1-minute load average during the "
        f"append runs {min(loads):.1f}..{max(loads):.1f} (the machine is shared: other test suites may run).",
        "",
    ]


def appends_table(appends) -> list[str]:
    lines = [
        "| workers | service `credits_transfer` (appends/s) | raw SQL hash-chain loop | pgbench 1-row INSERT (tps) "
        "| service / raw (median of per-run ratios) |",
        "|---:|---:|---:|---:|---:|",
    ]
    for workers in WORKER_COUNTS:
        service, raw, bench = (median(appends[k][workers]) for k in ("service", "raw", "pgbench"))
        ratio = median(s / r for s, r in zip(appends["service"][workers], appends["raw"][workers], strict=True))
        lines.append(f"| {workers} | {service:,.0f} | {raw:,.0f} | {bench:,.0f} | {ratio:.0%} |")
    return [*lines, ""]


def verify_part(options, body, fixtures) -> tuple[list[str], dict]:
    from django.db import connection

    from accounts.models import Organization
    from ledger.audit import ledger_verify
    from ledger.checkpoints import checkpoint_latest, inclusion_proof_for
    from ledger.merkle import verify_inclusion
    from ledger.models import LedgerEntry, MerkleNode
    from ledger.services import checkpoint_create, credits_transfer

    existing = LedgerEntry.objects.count()
    fill_seconds = data.fill_ledger(max(0, options.verify_rows - existing), kind="transfer", body=body.encode())
    total_rows = LedgerEntry.objects.count()
    print(f"filled to {total_rows} entries in {fill_seconds:.0f}s")

    verify_rates = []
    for _ in range(options.runs):
        started = time.perf_counter()
        report = ledger_verify()
        seconds = time.perf_counter() - started
        assert report.ok, report.problems
        verify_rates.append(report.entries_checked / seconds)
        print(f"verify: {verify_rates[-1]:.0f} rows/s")
        connection.close()

    rows = list(LedgerEntry.objects.order_by("seq").values_list("seq", "prev_hash", "canonical").iterator(20_000))
    loop_rates, raw_rates = [], []
    messages = [TAG + seq.to_bytes(8, "big") + bytes(prev) + canonical.encode() for seq, prev, canonical in rows]
    average_bytes = sum(map(len, messages)) / len(messages)
    sha256 = hashlib.sha256
    for _ in range(options.runs):
        started = time.perf_counter()
        for seq, prev, canonical in rows:
            sha256(TAG + seq.to_bytes(8, "big") + prev + canonical.encode()).digest()
        loop_rates.append(len(rows) / (time.perf_counter() - started))
        started = time.perf_counter()
        for message in messages:
            sha256(message).digest()
        raw_rates.append(len(messages) / (time.perf_counter() - started))
    del rows, messages

    before = checkpoint_latest()
    started = time.perf_counter()
    first = checkpoint_create()
    full_checkpoint = time.perf_counter() - started
    if first is None:
        raise RuntimeError("the ledger is empty: nothing to checkpoint")
    first_new = first.size - (before.size if before else 0)
    incremental = []
    fixture = fixtures[0]
    sender, receiver = Organization.objects.get(pk=fixture[1]), Organization.objects.get(pk=fixture[2])
    for _ in range(max(options.runs, 5)):
        for _ in range(5):
            credits_transfer(sender=sender, block=fixture[0][0], quantity_kg=1, to=receiver)
        started = time.perf_counter()
        checkpoint = checkpoint_create()
        incremental.append(time.perf_counter() - started)
    if checkpoint is None:
        raise RuntimeError("the ledger is empty: nothing to checkpoint")
    size = checkpoint.size
    proof_times, path_lengths = [], []
    rng = random.Random(6962)
    for _ in range(options.proofs):
        seq = rng.randint(1, size)
        started = time.perf_counter()
        proof = inclusion_proof_for(seq=seq)
        proof_times.append(time.perf_counter() - started)
        path_lengths.append(len(proof.audit_path))
        assert verify_inclusion(
            leaf_hash=proof.leaf_hash,
            leaf_index=proof.leaf_index,
            tree_size=proof.tree_size,
            audit_path=proof.audit_path,
            root=proof.root,
        )
    nodes = MerkleNode.objects.count()

    verify = median(verify_rates)
    return [
        "",
        f"| verification over {total_rows:,} entries (avg {average_bytes:.0f} bytes hashed per entry) | rows/s |",
        "|---|---:|",
        f"| `ledger_verify` (server-side cursor, chunk 10,000; links, hashes, columns, Merkle roots) | {verify:,.0f} |",
        f"| the same per-row hashing in a Python loop, rows already in memory | {median(loop_rates):,.0f} |",
        f"| raw `hashlib.sha256` over the prebuilt messages | {median(raw_rates):,.0f} |",
        f"| verify / raw SHA-256 | {verify / median(raw_rates):.0%} |",
        "",
        "| checkpoints and proofs | |",
        "|---|---:|",
        f"| checkpoint over {first_new:,} new entries (to {first.size:,}; re-hashing them first) "
        f"| {full_checkpoint:.1f} s |",
        f"| incremental checkpoint after 5 more appends (median) | {median(incremental) * 1000:.1f} ms |",
        f"| inclusion proof at {size:,} entries (median of {options.proofs}, {median(path_lengths):.0f} hashes) "
        f"| {median(proof_times) * 1000:.2f} ms |",
        f"| stored Merkle nodes (every leaf, and subtrees of height >= 4) | {nodes:,} |",
        f"| filling {total_rows - existing:,} entries (`bench/data.py`: hashed in Python, `COPY`) "
        f"| {fill_seconds:.0f} s |",
    ], {
        "entries": total_rows,
        "verify_rows_per_s": verify,
        "raw_sha256_rows_per_s": median(raw_rates),
        "hash_loop_rows_per_s": median(loop_rates),
        "proof_ms": median(proof_times) * 1000,
        "incremental_checkpoint_ms": median(incremental) * 1000,
    }


if __name__ == "__main__":
    main()
