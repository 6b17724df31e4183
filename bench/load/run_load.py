"""Load with a fault: N users for a while against two app processes, two task workers, one
PostgreSQL and Redis; one app process killed midway; afterwards, nothing lost or doubled.

    .venv/bin/python bench/load/run_load.py --users 100 --minutes 10      # the full proof
    .venv/bin/python bench/load/run_load.py --users 20 --minutes 1        # a quick one

Steps: a new database (linli_bk_load, dropped first) and Redis database 5 (flushed); migrate;
bench/load/world.py build; two gunicorn app processes (ports 8471, 8472; one worker with 8
threads each, as separate arbiters, like two machines) and two `manage.py db_worker` processes;
Locust (bench/load/locustfile.py) headless, its users split over both app processes; at half
time app process 1 is killed with SIGKILL (arbiter and worker at once, as a machine dies), and
restarted --restart-after seconds later (0: never); when Locust ends, bench/load/world.py check
holds every acknowledged write against the database and reconciles the ledger. The figures go
to bench/results.json and docs/benchmarks.md (row "load_fault", through bench/run.py's save),
and the logs to --var (default /tmp/linli-bk-load).

Rate limits: every client comes from 127.0.0.1 here, so the per-address write limit is raised
(LINLI_RATE_WRITE) and the per-account one too (two dispatcher accounts serve ten clients); the
limits themselves are proved in the test suite, not here.
"""

import argparse
import datetime
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
PORTS = (8471, 8472)


def environment(args) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINLI_")}
    env.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{args.database}",
        REDIS_URL="redis://127.0.0.1:6379/5",
        LINLI_VAR_DIR=str(args.var),
        LINLI_RATE_WRITE="100000/m",
        LINLI_RATE_WRITE_ACCOUNT="6000/m",
        LINLI_LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="linli.settings",
    )
    return env


def run(argv, env, **kw):
    print("$", " ".join(map(str, argv)), flush=True)
    subprocess.run(argv, env=env, cwd=ROOT, check=True, **kw)


def fresh_stores(args, env) -> None:
    import psycopg
    import redis

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{args.database}"')
    redis.Redis.from_url(env["REDIS_URL"]).flushdb()


def start_app(port: int, env, logs: Path) -> subprocess.Popen:
    log = open(logs / f"app-{port}.log", "a")  # noqa: SIM115 - open while the process runs
    return subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "linli.wsgi", "--config", "gunicorn.conf.py",
         "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "8", "--preload",
         "--no-control-socket", "--log-level", "warning", "--graceful-timeout", "5"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def wait_serving(port: int, seconds: int = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"app on port {port} did not answer within {seconds} s")


def kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            kill_group(process)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--spawn-rate", type=float, default=5)
    parser.add_argument("--restart-after", type=int, default=60, help="seconds; 0: never")
    parser.add_argument("--database", default="linli_bk_load")
    parser.add_argument("--var", type=Path, default=Path("/tmp/linli-bk-load"))
    parser.add_argument("--no-record", action="store_true", help="do not write the results row")
    args = parser.parse_args(argv)
    args.var.mkdir(parents=True, exist_ok=True)
    logs = args.var
    env = environment(args)
    residents = max(10, args.users)
    world = logs / "world.json"
    journal, summary, books = logs / "journal.jsonl", logs / "summary.json", logs / "books.json"
    for path in (journal, summary, books):
        path.unlink(missing_ok=True)

    fresh_stores(args, env)
    run([PY, "manage.py", "migrate", "-v", "0"], env)
    run([PY, "bench/load/world.py", "build", world, str(residents)], env)

    apps = {port: start_app(port, env, logs) for port in PORTS}
    workers = [
        subprocess.Popen([PY, "manage.py", "db_worker"], cwd=ROOT, env=env, start_new_session=True,
                         stdout=open(logs / f"worker-{k}.log", "a"), stderr=subprocess.STDOUT)  # noqa: SIM115
        for k in (1, 2)
    ]  # fmt: skip
    events, loads = [], []
    try:
        for port in PORTS:
            wait_serving(port)
        seconds = int(args.minutes * 60)
        load_env = {
            **env,
            "LOAD_HOSTS": ",".join(f"http://127.0.0.1:{p}" for p in PORTS),
            "LOAD_WORLD": str(world), "LOAD_JOURNAL": str(journal), "LOAD_SUMMARY": str(summary),
            "LOAD_DISPATCHERS": str(max(1, round(args.users / 10))),
        }  # fmt: skip
        started = time.monotonic()
        locust = subprocess.Popen(
            [str(ROOT / ".venv/bin/locust"), "-f", "bench/load/locustfile.py", "--headless",
             "--users", str(args.users), "--spawn-rate", str(args.spawn_rate),
             "--run-time", f"{seconds}s", "--stop-timeout", "60", "--only-summary",
             "--csv", str(logs / "locust")],
            cwd=ROOT, env=load_env, stdout=open(logs / "locust.log", "w"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        sampler = threading.Thread(target=sample_load, args=(locust, loads), daemon=True)
        sampler.start()
        time.sleep(seconds / 2)
        victim = apps[PORTS[0]]
        kill_group(victim)
        killed_at = time.monotonic() - started
        events.append(f"app :{PORTS[0]} killed (SIGKILL) at {killed_at:.0f} s")
        print(events[-1], flush=True)
        if args.restart_after:
            time.sleep(args.restart_after)
            apps[PORTS[0]] = start_app(PORTS[0], env, logs)
            wait_serving(PORTS[0])
            events.append(f"restarted, serving again at {time.monotonic() - started:.0f} s")
            print(events[-1], flush=True)
        locust.wait()
    finally:
        for process in [*apps.values(), *workers]:
            stop(process)

    check = subprocess.run([PY, "bench/load/world.py", "check", world, journal, books], env=env,
                           cwd=ROOT, capture_output=True, text=True)  # fmt: skip
    print(check.stdout, check.stderr)
    load = json.loads(summary.read_text())
    result = json.loads(books.read_text())
    print(json.dumps({"load": load, "books": result, "events": events}, ensure_ascii=False))
    if not args.no_record:
        record(args, env, load, result, events, loads)
    return 0 if load["failures"] == 0 and not result["problems"] else 1


def sample_load(locust: subprocess.Popen, loads: list[float]) -> None:
    """The machine's 1-minute load average every 10 s while Locust runs (the cores are shared)."""
    while locust.poll() is None:
        loads.append(os.getloadavg()[0])
        time.sleep(10)


def record(args, env: dict, load: dict, books: dict, events: list[str], loads: list) -> None:
    """The results row, through bench/run.py's save (as every benchmark's)."""
    sys.path.insert(0, str(ROOT / "bench"))
    sys.path.insert(0, str(ROOT))
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection
    from run import machine_info, save  # bench/run.py

    retries = ", ".join(f"{k} {v}" for k, v in sorted(load["retries"].items())) or "none"
    replayed = sum(load.get("replayed", {}).values())
    shared = (
        f"; machine load average {min(loads):.1f}–{max(loads):.1f} (mean "
        f"{sum(loads) / len(loads):.1f}) on {os.cpu_count()} cores shared with other work"
        if loads
        else ""
    )
    row = {
        "benchmark": "load_fault",
        "measured": (
            f"{args.users} users (locust, 9 residents : 1 dispatcher) for {args.minutes:g} min on "
            "2 gunicorn app processes (1 worker × 8 threads each) + 2 db_workers + PostgreSQL + "
            f"Redis; {'; '.join(events)}; clients retry on the other process with the same "
            f"Idempotency-Key (bench/load/run_load.py){shared}"
        ),
        "baseline": f"{load['requests']:,} requests, {load['rps']} req/s; p50 "
        f"{load['median_ms']} ms, p95 {load['p95_ms']} ms, p99 {load['p99_ms']} ms",
        "result": (
            f"errors seen by clients: {load['failures']}; retries: {load['retries_total']} "
            f"({retries}); {replayed} retried writes answered as already done "
            f"(Idempotent-Replayed); acknowledged: {books['requests_acknowledged']} requests, "
            f"{books['donations_acknowledged']} donations, {books['actions_acknowledged']} "
            f"accepts; lost: {books['lost']}, doubled: {books['doubled']}; ledger reconciles: "
            f"{'yes' if not books['ledger_problems'] else 'NO'} "
            f"({books['ledger_transactions']:,} transactions)"
        ),
        "ratio": "",
        "machine": machine_info(connection),
        "date": datetime.date.today().isoformat(),
    }
    save({"load_fault": row})


if __name__ == "__main__":
    raise SystemExit(main())
