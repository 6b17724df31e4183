"""Time-bank ledger throughput under 16 concurrent clients on PostgreSQL, against pgbench.

Goal from issue #6: postings per second with 16 clients at least half of pgbench's simple-update
TPS measured in the same run, with zero invariant violations at the end. Each client is a
separate process (forked, its own database connection; threads would share one GIL) making
relative transfers of 1 minute between random accounts of one bench district through
`timebank.services.transfer` — the same service the pages use. The service checks the
permission in Python from each account's kind and community (read once per client process and
remembered); the write is one call of the database function `timebank_post` (its own
transaction, no BEGIN/COMMIT round trips): it takes two row locks in id order, re-checks those
remembered facts, the idempotency key and the rules (non-negative balance, storage cap read from
the rule rows), and writes the transaction, two postings (each extending its account's hash chain
in SQL), both balances and chain tips, and the audit event. Retries of deadlocks and
serialization failures happen inside the service. The bench district (code 320106) and its 256
funded accounts are kept and reused between runs (a second run finds them and adds none); pgbench
runs in its own scratch database, before and after the clients (the machine is shared, so the
baseline is the mean of both). Each client transfers for WARMUP seconds before the counted
window (transfers stamped inside it count). The reconciliation job then recomputes every
balance, transaction hash and chain of the district in Python.
"""

import datetime
import multiprocessing
import os
import random
import re
import shutil
import subprocess
import time
from urllib.parse import urlsplit

from timing import bench_district

DESCRIPTION = "time-bank postings/s with 16 clients vs. pgbench simple-update TPS"
CLIENTS = 16
SECONDS = 10
WARMUP = 2  # seconds each client transfers before the timed window (see _client)
ACCOUNTS = 256  # pgbench -s 1 updates 100,000 accounts; ours must not be a lock queue either
DISTRICT_CODE = "320106"  # a real GB/T 2260 county code the demo (320104) does not use


def _pgbench(url: str) -> float:
    parts = urlsplit(url)
    env = {**os.environ}
    if parts.password:
        env["PGPASSWORD"] = parts.password
    args = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432)]
    args += ["-U", parts.username or "postgres"]
    subprocess.run(
        ["dropdb", "--if-exists", *args, "linli_pgbench"], env=env, check=True, capture_output=True
    )
    subprocess.run(["createdb", *args, "linli_pgbench"], env=env, check=True, capture_output=True)
    subprocess.run(
        ["pgbench", "-i", "-q", "-s", "1", *args, "linli_pgbench"],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    out = subprocess.run(
        ["pgbench", "-b", "simple-update", "-c", str(CLIENTS), "-j", "2", "-T", str(SECONDS),
         *args, "linli_pgbench"],
        env=env, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    subprocess.run(["dropdb", *args, "linli_pgbench"], env=env, capture_output=True)
    match = re.search(r"tps = ([\d.]+)", out)
    if not match:
        raise RuntimeError(f"no tps in pgbench output: {out[-300:]}")
    return float(match.group(1))


def _world():
    from core import services as core_services
    from core.models import Place
    from core.personal_data import find_by_id_number
    from timebank import services
    from timebank.models import Account, AccountKind
    from timebank.testing import id_number, years_ago

    district, root, _built = bench_district(DISTRICT_CODE, "基准区（鼓楼）")
    accounts = list(Account.objects.filter(district=district, kind=AccountKind.MEMBER))
    grids = list(Place.objects.filter(district=district, level="grid").order_by("pk"))
    while len(accounts) < ACCOUNTS:
        i = len(accounts)
        # The benchmark may share a database with the full demo district: take ID numbers
        # (浦口区 320111) that nobody there holds yet.
        birth = years_ago(30 + i % 40)
        number = next(
            n
            for n in (id_number(birth, division="320111", serial=s) for s in range(1000))
            if find_by_id_number(n) is None
        )
        person = core_services.person_register(
            actor=root, place=grids[i % len(grids)], name=f"基准{i}", id_number=number
        )
        account = services.member_account_open(actor=root, person=person)
        services.deposit(actor=root, account=account, minutes=480, key=f"bench-seed-{account.pk}")
        accounts.append(account)
    return root, district, accounts


def _client(n: int, root_pk: int, account_pks: list[int], run_id: str, start_at: float,
            stop_at: float, results) -> None:  # fmt: skip
    """One client process: transfers from `start_at` until `stop_at`; reports (done, errors,
    first errors). The first WARMUP seconds are not counted: a client starts cold (its
    connection, the prepared statement, the accounts' kind and community it remembers), as a
    long-running web worker does once, and pgbench's TPS excludes its connection time too."""
    from django.db import connections

    from core.models import User
    from timebank import services
    from timebank.models import Account

    connections.close_all()  # never reuse the parent's socket
    root = User.objects.get(pk=root_pk)
    accounts = [Account(pk=pk) for pk in account_pks]
    rng = random.Random(n)
    done, errors, sample = 0, 0, []
    time.sleep(max(0.0, start_at - time.time()))
    try:
        while time.time() < stop_at:
            a, b = rng.sample(accounts, 2)
            try:
                services.transfer(
                    actor=root, source=a, target=b, minutes=1, relation="基准",
                    key=f"bench-{run_id}-{n}-{done + errors}",
                )  # fmt: skip
                done += 1
            except Exception as exc:  # noqa: BLE001 - counted, reported in the row
                if getattr(exc, "code", "") != "insufficient_balance":
                    errors += 1
                    if len(sample) < 3:
                        sample.append(f"{type(exc).__name__}: {exc}")
    finally:
        connections.close_all()
        results.put((n, done, errors, sample, time.time()))


def run(context) -> dict:
    try:
        return _run()
    except Exception as exc:  # the row keeps its own name, so a failure replaces the last result
        import traceback

        traceback.print_exc()
        return {"benchmark": "timebank_postings", "error": f"{type(exc).__name__}: {exc}"}


def _run() -> dict:
    from django.conf import settings
    from django.db import connection, connections

    from timebank import services
    from timebank.models import Transaction

    if connection.vendor != "postgresql":
        return {"benchmark": "timebank_postings", "error": "needs PostgreSQL"}
    if not shutil.which("pgbench"):
        return {"benchmark": "timebank_postings", "error": "pgbench not installed"}
    url = os.environ.get("DATABASE_URL") or settings.DATABASES["default"].get("NAME", "")
    from django.test.utils import CaptureQueriesContext

    root, district, accounts = _world()
    run_id = f"{time.time_ns()}"
    for probe in ("warm", "probe"):  # the statements of one transfer, after the first
        with CaptureQueriesContext(connection) as one:  # (which also loads the actor's name)
            services.transfer(
                actor=root, source=accounts[0], target=accounts[1], minutes=1, relation="基准",
                key=f"bench-{run_id}-{probe}",
            )  # fmt: skip
    load = os.getloadavg()[0]  # other work on the same cores, for the reader of the row
    tps_before = _pgbench(url)
    connections.close_all()  # the forked clients must not inherit an open connection
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    warm_at = time.time() + 1.0
    window = (warm_at + WARMUP, warm_at + WARMUP + SECONDS)
    start_at, stop_at = warm_at, window[1]
    pks = [a.pk for a in accounts]
    clients = [
        ctx.Process(target=_client, args=(n, root.pk, pks, run_id, start_at, stop_at, results))
        for n in range(CLIENTS)
    ]
    for p in clients:
        p.start()
    reports = [results.get(timeout=SECONDS + 120) for _ in clients]
    for p in clients:
        p.join()
    errors = sum(r[2] for r in reports)
    samples = [s for r in reports for s in r[3]][:3]
    # Transfers stamped inside the timed window (created_at is taken just before the call).
    utc = datetime.UTC
    written = Transaction.objects.filter(
        district=district, idempotency_key__startswith=f"bench-{run_id}-",
        created_at__gte=datetime.datetime.fromtimestamp(window[0], utc),
        created_at__lt=datetime.datetime.fromtimestamp(window[1], utc),
    ).count()  # fmt: skip
    elapsed = window[1] - window[0]
    postings_per_s = 2 * written / elapsed
    problems = services.reconcile(district=district)["problem_count"]
    tps_after = _pgbench(url)
    # The machine is shared: pgbench before and after our clients, and the mean as baseline.
    tps = (tps_before + tps_after) / 2
    ratio = postings_per_s / tps if tps else 0
    row = {
        "benchmark": "timebank_postings",
        "measured": f"{postings_per_s:,.0f} postings/s ({written} transfers in {elapsed:.0f} s "
        f"after {WARMUP} s of warm-up, {CLIENTS} client processes, {len(accounts)} accounts, "
        f"{len(one.captured_queries)} SQL statement(s) per warm transfer: one `timebank_post` "
        f"call, its own transaction; {problems} invariant violations, {errors} errors; "
        f"load average {load:.1f} at the start)",
        "baseline": f"pgbench simple-update {tps:,.0f} TPS ({CLIENTS} clients; mean of "
        f"{tps_before:,.0f} before and {tps_after:,.0f} after)",
        "result": "pass" if ratio >= 0.5 and problems == 0 and not errors else "below goal",
        "ratio": f"{ratio:.2f}× (goal ≥ 0.5)",
    }
    if samples:
        row["measured"] += " — first errors: " + "; ".join(samples)
    return row
