"""Every benchmark in turn, then the table of targets (docs/BENCHMARKS.md, "Summary").

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cc_bench .venv/bin/python bench/run_all.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cc_bench .venv/bin/python bench/run_all.py --quick

Each script gets its own database, named after DATABASE_URL's with a suffix (``cc_bench_market``,
``cc_bench_ledger``, ...), dropped and recreated: the marketplace's 100k listings and the ledger's
1M hash-chain entries are separate data sets (see bench/data.py). ``--quick`` runs every script on
small volumes with one repetition: a check that they all still work, not a measurement. The full
run takes about 15 minutes on the 2-core machine of docs/BENCHMARKS.md; run it on a quiet machine.
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import common

# name, script, database suffix (None: no database of its own), arguments for a full run, for --quick
SCRIPTS: tuple[tuple[str, str, str | None, list[str], list[str]], ...] = (
    ("marketplace", "marketplace_bench.py", "_market", [], ["--listings", "5000", "--sellers", "500", "--runs", "1",
                                                          "--seconds", "2", "--requests", "200"]),
    ("ledger", "ledger_bench.py", "_ledger", [], ["--verify-rows", "50000", "--runs", "1", "--seconds", "2",
                                                  "--proofs", "100"]),
    ("screening", "screening.py", None, [], ["--n", "100"]),
    ("certificates", "certificates_pdf.py", "_cert", [], ["--runs", "1", "--renders", "50"]),
    ("issuance_rows", "issuance_rows.py", "_rows", [], ["--runs", "1"]),
    ("pdf_scripts", "pdf_scripts.py", None, [], ["--runs", "1", "--renders", "5"]),
    ("reports_pdf", "reports_pdf.py", "_reports", [], ["--runs", "1", "--renders", "3"]),
)  # fmt: skip


def run(script: str, url: str | None, arguments: list[str]) -> None:
    environment = {"DATABASE_URL": url} if url else {}
    command = [sys.executable, str(common.ROOT / "bench" / script), *arguments]
    print(f"\n$ {' '.join(f'{k}={v}' for k, v in environment.items())} {' '.join(command)}", flush=True)
    subprocess.run(command, check=True, env={**os.environ, **environment})


def load(name: str) -> dict:
    return json.loads((common.RESULTS / f"{name}-latest.json").read_text())


def verdict(met: bool) -> str:
    return "met" if met else "**not met**"


def summary_table() -> list[str]:
    market, ledger, screening = load("marketplace"), load("ledger"), load("screening")
    certificates, rows, reports = load("certificates"), load("issuance_rows"), load("reports_pdf")
    buys, raw, me = market["buys_per_s"], market["raw_per_s"], market["me_per_s"]
    ratios = {clients: buys[clients] / me[clients] for clients in buys}
    page = market["marketplace_ms"]["p99"] / market["healthz_ms"]["p99"]
    verify = ledger["verify"]
    counts = rows["rows_by_tonnes"]
    return [
        "| | measured | target | |",
        "|---|---|---|---|",
        "| (a) buys/s through gunicorn at 1 / 4 / 16 clients, as a share of an authenticated `GET /api/me/` "
        "in the same run "
        f"| {' / '.join(f'{buys[c]:,.0f}' for c in buys)} buys/s = "
        f"{' / '.join(f'{ratios[c]:.0%}' for c in ratios)} of {' / '.join(f'{me[c]:,.0f}' for c in me)}/s "
        f"(raw hash-chain loop: {' / '.join(f'{raw[c]:,.0f}' for c in raw)} appends/s; head lock held "
        f"{market.get('head_lock_hold_ms', float('nan')):.2f} ms per buy) "
        f"| ≥ 50 % | {verdict(min(ratios.values()) >= 0.5)} |",
        f"| (b) marketplace page p99 / `/healthz` p99 ({market['open_listings']:,} open listings) "
        f"| {market['marketplace_ms']['p99']:.1f} / {market['healthz_ms']['p99']:.1f} ms = {page:.1f}x "
        f"| ≤ 5x | {verdict(page <= 5)} |",
        f"| (c) `ledger_verify` over {verify['entries']:,} entries (raw SHA-256 of the same bytes) "
        f"| {verify['verify_rows_per_s']:,.0f} rows/s ({verify['raw_sha256_rows_per_s']:,.0f}) "
        f"| ≥ 80,000 rows/s | {verdict(verify['verify_rows_per_s'] >= 80_000)} |",
        "| (d) claim screening p50, warm; peak RSS of the process "
        f"| {screening['p50_ms']:.1f} ms; {screening['peak_rss_mb']:.0f} MB | ≤ 20 ms; ≤ 250 MB "
        f"| {verdict(screening['p50_ms'] <= 20 and screening['peak_rss_mb'] <= 250)} |",
        f"| (e) certificate PDF p50: render; `GET …/pdf/` cold on {certificates.get('endpoint_database', '-')} "
        f"| {certificates['render_p50_ms']:.1f} ms; {certificates.get('cold', float('nan')):.1f} ms | ≤ 50 ms "
        f"| {verdict(certificates['render_p50_ms'] <= 50)} |",
        f"| (f) rows written per issuance at {' / '.join(f'{int(t):,}' for t in counts)} t "
        f"| {' / '.join(str(n) for n in counts.values())} | constant "
        f"| {verdict(len(set(counts.values())) == 1)} |",
        "| (g) GHG statement PDF p50: render (Latin / mixed-script name); certificate render in the same run; "
        f"`GET …/ghg/pdf/` cold on {reports.get('endpoint_database', '-')} "
        f"| {reports['statement, latin name p50_ms']:.1f} / {reports['statement, mixed-script name p50_ms']:.1f} ms; "
        f"{reports['certificate p50_ms']:.1f} ms; {reports.get('endpoint_cold_ms', float('nan')):.1f} ms "
        "| none set | |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small volumes, one repetition: a smoke run")
    parser.add_argument("--only", help="comma-separated names to run (the table uses the latest of the others)")
    options = parser.parse_args()
    base = common.database_url()
    only = set(options.only.split(",")) if options.only else None
    for name, script, suffix, full, quick in SCRIPTS:
        if only is None or name in only:
            run(script, base + suffix if suffix else None, quick if options.quick else full)
    table = "\n".join(summary_table())
    if options.quick:
        table += "\n\n--quick: small volumes and one repetition; a check that every script runs, not a measurement."
    print("\n" + table)
    (common.RESULTS / f"summary-{common.stamp()}.md").write_text(table + "\n")


if __name__ == "__main__":
    main()
