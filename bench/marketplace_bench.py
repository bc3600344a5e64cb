"""Marketplace benchmarks: buys per second through gunicorn, and the marketplace page with 100k listings.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cc_market_bench .venv/bin/python bench/marketplace_bench.py

The database named in DATABASE_URL is dropped and recreated (its name must contain "bench").
Prints a Markdown report (docs/BENCHMARKS.md, "Marketplace") and writes it to bench/results/.

1. Seeds ``--listings`` (100,000) open listings from ``--sellers`` (2,000) organisations.
2. Starts gunicorn on this checkout (``THROTTLE_RATES=off``) against that database.
3. Buys/s at 1, 4 and 16 concurrent HTTP clients (asyncio + httpx, keep-alive, an ``Idempotency-Key``
   on every request, 1 kg per buy), each client on its own listing; and 16 clients on one listing.
   Each buy pays 0.01 USD from the buyer's balance (listings at 12.34 USD per tonne); ``--price 1``
   makes it cost nothing to settle, so no journal entry is written (to compare with checkouts
   before payments). In the same run, interleaved: the raw hash-chain append loop of
   bench/ledger_bench.py at 1, 4, 16 processes (its ``raw_chain_worker``, imported, not copied); and
   ``GET /api/me/`` at the same concurrency — JWT, one query, a JSON body: what any authenticated
   request costs this stack.
4. Latency of ``GET /api/marketplace/`` (a mix of filters, orderings and pages) beside ``GET /healthz``,
   one client, requests alternating, p50/p99.
5. Checks afterwards: ``ledger_verify`` and ``replay`` report ok, and every open listing's block is
   the seller's, listed, and holds exactly what the listing offers.

The seed is ``bench/data.py``'s ``seed_listings`` (2,000 sellers by default; the ledger's own
entries built by ``ledger.entries`` and written with ``COPY``, see there). ``--reuse-db`` keeps a database that
``bench/data.py --listings N`` (or a previous run) built, and only adds the buyers' fixtures.
"""

import argparse
import asyncio
import contextlib
import logging
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import common, data, ledger_bench
from bench.common import percentile

ROOT = common.ROOT
WORKER_COUNTS = ledger_bench.WORKER_COUNTS
# What the benchmark's listings ask: 1 kg costs 0.01 USD (and a fee that rounds to 0.00), so every buy
# pays through the journal. ``--price 1`` makes 1 kg cost 0.001, which rounds to nothing to pay: the
# buy then writes no journal entry, as buys did before payments existed.
PRICE_PER_TONNE = "12.34"


def consistency_report() -> dict:
    """The ledger re-hashes, replays to the block table, and every open listing matches its block."""
    from django.db import connection

    from ledger.audit import ledger_verify, replay

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM marketplace_listing l JOIN ledger_creditblock b ON b.id = l.block_id
            WHERE l.status = 'open' AND (b.owner_id <> l.seller_id OR b.status <> 'listed'
                  OR b.serial_end - b.serial_start + 1 <> l.quantity_available_kg)
            """
        )
        (mismatched,) = cursor.fetchone()
        cursor.execute(
            """
            SELECT count(*) FROM marketplace_listing l
            WHERE l.quantity_sold_kg <> coalesce((SELECT sum(o.quantity_kg) FROM marketplace_order o
                                                 WHERE o.listing_id = l.id), 0)
            """
        )
        (unbalanced,) = cursor.fetchone()
        cursor.execute(
            """
            SELECT count(*) FROM (
                SELECT category, country, vintage, count(*) AS n FROM marketplace_listing WHERE status = 'open'
                GROUP BY 1, 2, 3) actual
            FULL JOIN (SELECT * FROM marketplace_openlistingcount WHERE listings > 0) counted
                USING (category, country, vintage)
            WHERE actual.n IS DISTINCT FROM counted.listings
            """
        )
        (miscounted,) = cursor.fetchone()
    verify, replayed = ledger_verify(), replay()
    return {
        "verify_ok": verify.ok,
        "entries": verify.entries_checked,
        "replay_ok": replayed.ok,
        "blocks": replayed.blocks_compared,
        "listings_not_matching_their_block": mismatched,
        "listings_not_matching_their_orders": unbalanced,
        "open_counts_wrong": miscounted,
    }


# --- gunicorn --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(*, port: int, workers: int, threads: int, log: Path) -> subprocess.Popen:
    """This checkout's WSGI app as production runs it, with throttling off, on ``port``."""
    env = {**os.environ, "THROTTLE_RATES": "off", "DEBUG": "0"}
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "carboncred.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--keep-alive",
        "30",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    import httpx

    for _ in range(300):  # up to 30 s: a busy machine starts workers slowly
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    server.kill()
    sys.exit(f"gunicorn did not answer /readyz; see {log}")


def stop_gunicorn(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)


# --- load ------------------------------------------------------------------------------------


def buy_fixtures(clients: int, price_per_tonne: str = PRICE_PER_TONNE) -> tuple[list[tuple[str, int]], int]:
    """``clients`` buyers, each with a token and its own big listing at ``price_per_tonne`` (USD);
    and one shared listing."""
    from decimal import Decimal

    from rest_framework_simplejwt.tokens import AccessToken

    from accounts.models import Organization, User
    from ledger.services import credits_issue
    from marketplace.services import listing_create
    from payments.services import top_up_fund
    from projects.models import Project

    def big_listing(name: str) -> int:
        # Only verified organisations list; the registration number is unique among verified ones.
        number = f"BENCH-{uuid.uuid4().hex[:12]}"
        seller = Organization.objects.create(
            name=name, country="IN", verification_status="verified", registration_number=number, registration_key=number
        )
        project = Project.objects.create(
            owner=seller, title=name, category="solar", country="IN", start_date="2025-01-01"
        )
        block = credits_issue(project=project, vintage=2025, quantity_kg=10**12, buffer_share=Decimal(0)).owner_block
        price = Decimal(price_per_tonne)
        return listing_create(seller=seller, block_id=block.pk, quantity_kg=10**12, price_per_tonne=price).pk

    fixtures = []
    run = uuid.uuid4().hex[:8]  # a reused database keeps the buyers of earlier runs
    for i in range(clients):
        buyer = Organization.objects.create(name=f"Buyer {i:02d} Ltd ({run})", country="GB")
        user = User.objects.create_user(email=f"buyer{i}-{run}@bench.example", organization=buyer)
        # Buying costs money: enough for every 1 kg buy a run makes (0.01 each), as a confirmed top-up.
        top_up_fund(organization=buyer, amount=Decimal("1000000.00"), currency="USD")
        fixtures.append((str(AccessToken.for_user(user)), big_listing(f"Bench seller {i:02d}")))
    return fixtures, big_listing("Bench shared seller")


async def _load(base: str, clients: list[tuple[str, int]], seconds: float, *, buy: bool) -> tuple[float, Counter]:
    """Each client in a loop: ``POST /api/buy/`` of 1 kg of its listing (``buy``), or ``GET /api/me/``."""
    import httpx

    statuses: Counter = Counter()
    expected = 201 if buy else 200
    limits = httpx.Limits(max_connections=len(clients), max_keepalive_connections=len(clients))
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as http:

        async def client(token: str, listing: int, until: float, count: bool) -> None:
            headers = {"Authorization": f"Bearer {token}"}
            while time.perf_counter() < until:
                if buy:
                    response = await http.post(
                        "/api/buy/",
                        json={"listing": listing, "quantity_kg": 1},
                        headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
                    )
                else:
                    response = await http.get("/api/me/", headers=headers)
                if count:
                    statuses[response.status_code] += 1
                elif response.status_code != expected:
                    raise RuntimeError(f"warm-up request answered {response.status_code}: {response.text}")

        # Warm-up: every connection open and every worker past its first request before the clock.
        warm_until = time.perf_counter() + 1
        await asyncio.gather(*(client(token, listing, warm_until, False) for token, listing in clients))
        started = time.perf_counter()
        await asyncio.gather(*(client(token, listing, started + seconds, True) for token, listing in clients))
        elapsed = time.perf_counter() - started
    if set(statuses) != {expected}:
        sys.exit(f"requests answered {dict(statuses)}; every one should succeed (and none may be a 5xx)")
    return statuses[expected] / elapsed, statuses


def buy_load(base: str, clients: list[tuple[str, int]], seconds: float) -> float:
    return asyncio.run(_load(base, clients, seconds, buy=True))[0]


def me_load(base: str, clients: list[tuple[str, int]], seconds: float) -> float:
    """The framework's floor for an authenticated API request: ``GET /api/me/`` (JWT, one query, JSON)."""
    return asyncio.run(_load(base, clients, seconds, buy=False))[0]


TICK = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def cpu_by_process(server: subprocess.Popen) -> dict[tuple[str, int], float]:
    """CPU seconds used so far by each process of gunicorn (master and workers), of PostgreSQL (every
    postgres process) and of this one (the load driver), keyed by (group, pid)."""
    workers = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    postgres = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and _comm(p) == "postgres"]
    seconds = {("gunicorn", pid): _cpu_seconds(pid) for pid in [server.pid, *map(int, workers)]}
    for pid in postgres:
        with contextlib.suppress(OSError):  # exited meanwhile
            seconds["postgres", pid] = _cpu_seconds(pid)
    own = os.times()
    return {**seconds, ("driver", os.getpid()): own.user + own.system}


def cpu_between(before: dict[tuple[str, int], float], after: dict[tuple[str, int], float]) -> dict[str, float]:
    """CPU seconds per group between two ``cpu_by_process`` readings, per process: a process that
    exited in between (a backend of the raw loop) is left out instead of subtracting its total."""
    groups: dict[str, float] = {"gunicorn": 0.0, "postgres": 0.0, "driver": 0.0}
    for (group, pid), seconds in after.items():
        groups[group] += seconds - before.get((group, pid), 0.0)
    return groups


def _comm(process: Path) -> str:
    try:
        return (process / "comm").read_text().strip()
    except OSError:  # gone meanwhile
        return ""


def head_lock_hold(token: str, listing: int, samples: int) -> tuple[float, float]:
    """Median milliseconds of one buy, and of its part that holds the ledger head lock: from
    the statement that takes it (``ledger_append``; ``ledger_move`` in checkouts before it was
    dropped) returning to the commit that releases it. In this
    process, one client, no contention: the serial part, which bounds buys/s however many cores
    serve them."""
    from django.db import connection, transaction
    from django.test import Client

    logging.getLogger("carboncred.request").setLevel(logging.WARNING)  # no access line per request here
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    marks: dict[str, float] = {}

    def note_lock(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if "ledger_append" in sql or "ledger_move" in sql:
            marks["locked"] = time.perf_counter()
            transaction.on_commit(lambda: marks.__setitem__("committed", time.perf_counter()))
        return result

    totals, holds = [], []
    with connection.execute_wrapper(note_lock):
        for _ in range(samples + 20):
            marks.clear()
            started = time.perf_counter()
            response = client.post(
                "/api/buy/",
                {"listing": listing, "quantity_kg": 1},
                content_type="application/json",
                headers={"Idempotency-Key": uuid.uuid4().hex},
            )
            totals.append(time.perf_counter() - started)
            if response.status_code != 201:
                sys.exit(f"in-process buy answered {response.status_code}")
            holds.append(marks["committed"] - marks["locked"])
    return statistics.median(totals[20:]) * 1000, statistics.median(holds[20:]) * 1000


MARKETPLACE_QUERIES = (
    "",
    "?page=2",
    "?page=5",
    "?category=solar",
    "?country=IN",
    "?vintage=2023",
    "?ordering=-created_at",
    "?ordering=-price_per_tonne&category=recycling",
    "?category=energy_efficiency&country=DE",
    "?min_price=10&max_price=20",
    "?country=KE&ordering=vintage",
    "?page_size=200",
)


def latency(base: str, requests: int) -> dict[str, list[float]]:
    """One client, keep-alive, alternating ``/healthz`` and a marketplace page from the mix; seconds each."""
    import httpx

    times: dict[str, list[float]] = {"healthz": [], "marketplace": [], "marketplace_default": []}
    with httpx.Client(base_url=base, timeout=30) as http:
        for i in range(requests + 100):
            query = MARKETPLACE_QUERIES[i % len(MARKETPLACE_QUERIES)]
            for name, path in (("healthz", "/healthz"), ("marketplace", f"/api/marketplace/{query}")):
                started = time.perf_counter()
                response = http.get(path)
                elapsed = time.perf_counter() - started
                if response.status_code != 200:
                    sys.exit(f"GET {path} answered {response.status_code}")
                if i >= 100:  # the first 100 warm the workers up
                    times[name].append(elapsed)
                    if name == "marketplace" and not query:
                        times["marketplace_default"].append(elapsed)
    return times


# --- the benchmark ---------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="repetitions of each measurement (median reported)")
    parser.add_argument("--seconds", type=float, default=5, help="duration of each throughput measurement")
    parser.add_argument("--listings", type=int, default=100_000, help="open listings to seed")
    parser.add_argument("--sellers", type=int, default=data.SELLERS, help="organisations the listings come from")
    parser.add_argument("--reuse-db", action="store_true", help="keep the database (and its listings) if it has any")
    parser.add_argument("--requests", type=int, default=1200, help="requests per endpoint per latency run")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (make run: 2)")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker (make run: 4)")
    parser.add_argument(
        "--price",
        default=PRICE_PER_TONNE,
        help="the buy listings' price per tonne in USD (1 kg of 1.00 rounds to nothing to pay: no journal entry)",
    )
    options = parser.parse_args()

    url = common.database_url()
    load_start = " ".join(f"{x:.2f}" for x in os.getloadavg())  # others' work on a shared machine shows here
    os.environ.setdefault("SECRET_KEY", f"bench-{uuid.uuid4().hex}{uuid.uuid4().hex}")  # shared with gunicorn
    os.environ.setdefault("JWT_ACCESS_MINUTES", "600")
    common.RESULTS.mkdir(exist_ok=True)
    if not options.reuse_db:
        common.recreate_database(url)
    common.django_setup()
    # Django's logging config would make httpx log every request as a JSON line: milliseconds of the
    # driver's CPU per request, taken from the cores the server is measured on.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    import django
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        ledger_bench.create_raw_chain_tables(cursor)
        cursor.execute("SELECT version(), current_setting('synchronous_commit'), current_setting('fsync')")
        pg_version, synchronous_commit, fsync = cursor.fetchone()

    from accounts.models import Organization
    from marketplace.models import Listing

    seed_seconds = None
    if not options.reuse_db or not Listing.objects.exists():
        seed_seconds = data.seed_listings(options.listings, sellers=options.sellers)
        print(f"seeded {options.listings:,} listings from {options.sellers:,} sellers in {seed_seconds:.0f}s")
    open_listings = Listing.objects.filter(status=Listing.Status.OPEN).count()
    organisations = Organization.objects.count()
    fixtures, shared_listing = buy_fixtures(max(WORKER_COUNTS), options.price)
    connection.close()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn(
        port=port,
        workers=options.workers,
        threads=options.threads,
        log=common.RESULTS / f"gunicorn-{common.stamp()}.log",
    )
    try:
        buy_load(base, fixtures[:1], 1)  # a first trade, so the raw loop hashes a real trade body
        body = data.sample_body("trade").decode()
        connection.close()
        rates: dict[str, dict[int, list[float]]] = {"buy": {}, "raw": {}, "me": {}, "hot": {}}
        cpu_per_buy: list[dict[str, float]] = []
        for workers in WORKER_COUNTS:
            for _ in range(options.runs):
                rates["buy"].setdefault(workers, []).append(buy_load(base, fixtures[:workers], options.seconds))
                rates["me"].setdefault(workers, []).append(me_load(base, fixtures[:workers], options.seconds))
                rates["raw"].setdefault(workers, []).append(
                    ledger_bench.run_workers(
                        ledger_bench.raw_chain_worker, lambda i: (url, body), workers, options.seconds
                    )
                )
                if workers == max(WORKER_COUNTS):
                    before = cpu_by_process(server)
                    rate = buy_load(base, fixtures[:workers], options.seconds)
                    used = cpu_between(before, cpu_by_process(server))
                    cpu_per_buy.append({k: seconds / (rate * options.seconds) for k, seconds in used.items()})
                    hot = [(token, shared_listing) for token, _ in fixtures]
                    rates["hot"].setdefault(workers, []).append(buy_load(base, hot, options.seconds))
                print(f"clients={workers}: " + ", ".join(f"{k} {v[workers][-1]:.0f}/s" for k, v in rates.items() if v))
        latencies = []
        for _ in range(options.runs):
            latencies.append(latency(base, options.requests))
            run = latencies[-1]
            print(
                f"latency: healthz p50 {percentile(run['healthz'], 0.5) * 1000:.2f} ms, "
                f"marketplace p50 {percentile(run['marketplace'], 0.5) * 1000:.2f} ms "
                f"p99 {percentile(run['marketplace'], 0.99) * 1000:.2f} ms"
            )
    finally:
        stop_gunicorn(server)

    buy_ms, hold_ms = head_lock_hold(fixtures[0][0], fixtures[0][1], 300)
    print(f"in-process buy {buy_ms:.2f} ms, of which {hold_ms:.2f} ms hold the ledger head lock")
    checks = consistency_report()
    print(checks)
    assert checks["verify_ok"] and checks["replay_ok"], checks
    assert not any(checks[key] for key in checks if key.startswith(("listings_", "open_counts"))), checks

    from django.conf import settings

    from marketplace.money import trade_amounts

    amounts = trade_amounts(
        price_per_tonne=Decimal(options.price), quantity_kg=1, fee_rate=settings.PLATFORM_FEE_RATE, currency="USD"
    )
    due = amounts.total + amounts.fee

    def ms(name: str, share: float) -> float:
        return statistics.median(percentile(run[name], share) for run in latencies) * 1000

    lines = [
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {common.machine()}; "
        f"{pg_version.split(' on ')[0]} (synchronous_commit={synchronous_commit}, fsync={fsync}), "
        f"Python {platform.python_version()}, Django {django.get_version()}; gunicorn --workers {options.workers} "
        f"--threads {options.threads}, THROTTLE_RATES=off; the load driver (asyncio + httpx) and PostgreSQL "
        "share the same cores.",
        f"{open_listings:,} open listings from {organisations:,} organisations ("
        + (f"seeded in {seed_seconds:.0f} s" if seed_seconds is not None else "a database reused")
        + f"). Each buy is 1 kg of a listing at {options.price} USD per tonne: "
        + (f"{due} USD paid from the buyer's balance" if due else "nothing to pay, so no journal entry")
        + f". Medians of {options.runs} runs "
        f"({options.seconds:g} s each for throughput, {options.requests:,} requests per endpoint for latency).",
        "",
        "| clients | `POST /api/buy/` through gunicorn (buys/s) | raw hash-chain append loop (appends/s) "
        "| buys / raw | `GET /api/me/` (requests/s) | buys / me |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for workers in WORKER_COUNTS:
        buy, raw, me = (statistics.median(rates[k][workers]) for k in ("buy", "raw", "me"))
        lines.append(f"| {workers} | {buy:,.0f} | {raw:,.0f} | {buy / raw:.0%} | {me:,.0f} | {buy / me:.0%} |")
    top = max(WORKER_COUNTS)
    hot_rate, raw_top = statistics.median(rates["hot"][top]), statistics.median(rates["raw"][top])
    cpu = {group: statistics.median(run[group] for run in cpu_per_buy) for group in cpu_per_buy[0]}
    cores = os.cpu_count() or 1
    lines += [
        f"| {top}, all on one listing | {hot_rate:,.0f} | {raw_top:,.0f} | {hot_rate / raw_top:.0%} | | |",
        "",
        f"One buy in-process (Django test client, one client, no contention): {buy_ms:.2f} ms, of which "
        f"{hold_ms:.2f} ms from the statement that takes the ledger head lock to the commit that releases it "
        f"(the serial part: at most {1000 / hold_ms:,.0f} buys/s however many cores serve them).",
        f"CPU per buy at {top} clients (separate {top}-client runs, from /proc): "
        + ", ".join(f"{group} {seconds * 1000:.2f} ms" for group, seconds in cpu.items())
        + f"; {sum(cpu.values()) * 1000:.2f} ms in all, so {cores} cores could serve at most "
        f"{cores / sum(cpu.values()):,.0f} buys/s.",
        f"Load average at start / end: {load_start} / {' '.join(f'{x:.2f}' for x in os.getloadavg())}.",
        "",
        "| latency, one client, keep-alive | p50 | p99 |",
        "|---|---:|---:|",
        f"| `GET /healthz` | {ms('healthz', 0.5):.2f} ms | {ms('healthz', 0.99):.2f} ms |",
        f"| `GET /api/marketplace/`, the {len(MARKETPLACE_QUERIES)}-query mix | {ms('marketplace', 0.5):.2f} ms "
        f"| {ms('marketplace', 0.99):.2f} ms |",
        f"| `GET /api/marketplace/` (no filter, first page) | {ms('marketplace_default', 0.5):.2f} ms "
        f"| {ms('marketplace_default', 0.99):.2f} ms |",
        f"| marketplace mix / healthz | {ms('marketplace', 0.5) / ms('healthz', 0.5):.1f}x "
        f"| {ms('marketplace', 0.99) / ms('healthz', 0.99):.1f}x |",
        "",
        f"Afterwards: `ledger_verify` ok over {checks['entries']:,} entries, `replay` ok over {checks['blocks']:,} "
        "blocks, every open listing matches its block, every listing's sold quantity its orders, and the "
        "open-listing counts the listings.",
    ]
    report_text = "\n".join(lines)
    print("\n" + report_text)
    common.save_report(
        "marketplace",
        report_text,
        {
            "open_listings": open_listings,
            "organisations": organisations,
            "buys_per_s": {w: statistics.median(rates["buy"][w]) for w in WORKER_COUNTS},
            "raw_per_s": {w: statistics.median(rates["raw"][w]) for w in WORKER_COUNTS},
            "me_per_s": {w: statistics.median(rates["me"][w]) for w in WORKER_COUNTS},
            "buy_cpu_ms": sum(cpu.values()) * 1000,
            "buy_in_process_ms": buy_ms,
            "head_lock_hold_ms": hold_ms,
            "healthz_ms": {"p50": ms("healthz", 0.5), "p99": ms("healthz", 0.99)},
            "marketplace_ms": {"p50": ms("marketplace", 0.5), "p99": ms("marketplace", 0.99)},
        },
    )


if __name__ == "__main__":
    main()
