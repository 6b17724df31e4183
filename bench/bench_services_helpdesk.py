"""Creating a service request (with routing and audit) vs. django-helpdesk 2.6 ticket creation.

Goal from issue #4: Linli creates requests with routing and audit at ≥ 3× the rate at which
django-helpdesk creates tickets, in the same benchmark run, on the same PostgreSQL server.

- **Baseline**: django-helpdesk 2.6.1 from PyPI in its own virtualenv (bench/helpdesk/.venv,
  made on first use, git-ignored), with a minimal settings module (bench/helpdesk/hd_settings.py)
  and a fresh database ``<bench db>_helpdesk`` on the same server. bench/helpdesk/hd_bench.py
  creates N tickets the way helpdesk's public "submit a ticket" view does: PublicTicketForm
  validated and saved (Ticket, the "opened" FollowUp, the submitter's e-mail through the locmem
  backend, backlinks, the ``new_ticket_done`` signal).
- **Linli**: the same N, in this code base: ``request_submit`` for a resident's free-text request
  over the H5 channel (permission check, validation, the request, its first timeline event, its
  metrics-summary counts and an audit event in one transaction) followed by ``routing.suggest``
  (jieba + naive-Bayes department and class with confidence, from the district's stored model).
  The requests land in a bench district of its own (code 320107, kept between runs) so the demo
  district's figures do not move.
- **Clients**: 1 and 4, processes on both sides (forked after a warm-up of 5 creations, each with
  its own database connection, all released at the same moment), as web workers are deployed.
  Until November 2026 the clients were threads of one process; on 2 cores that measured mostly
  which side lost less to the GIL, not what a deployment of either would do.
- **Load**: the machine is shared with other jobs. The sides take turns in ROUNDS rounds, and the
  row gives the load average before and after. A loaded machine slows the side with more round
  trips and commits per creation more (helpdesk: 10 statements, 5 commits; Linli: 3 statements,
  1 commit), so ratios measured under load are higher than on an idle machine.
"""

import json
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from timing import bench_district

DESCRIPTION = "service requests created (routing + audit) vs. django-helpdesk 2.6 tickets"
N = 600
CLIENT_COUNTS = (1, 4)  # one row per count; both sides use the same count and the same N
# Clients are processes on both sides (forked after the warm-up, each with its own connection,
# as web workers are deployed); they start together this long after the fork.
START_DELAY = 1.0
# The sides take turns in this many rounds of N / ROUNDS each, so a change in the machine's load
# (other jobs share it) falls on both rather than on whichever ran second.
ROUNDS = 3
DISTRICT_CODE = "320107"  # a GB/T 2260 county code neither the demo nor other benches use
HELPDESK_VERSION = "2.6.1"
HERE = Path(__file__).resolve().parent / "helpdesk"
VENV = HERE / ".venv"
TEXTS = [
    ("小区门口路灯不亮", "我们小区东门的路灯已经坏了一个星期，晚上出行很不方便，请尽快维修。"),
    ("楼道堆放杂物", "三单元楼道里堆满了纸箱和旧家具，存在消防隐患，请物业和社区处理。"),
    ("噪音扰民", "楼下饭店每天夜里十二点以后还在装卸货物，噪音很大，影响休息。"),
    ("咨询低保申请", "家里老人没有收入，想咨询一下低保怎么申请，需要准备哪些材料。"),
]


def _helpdesk_python() -> Path:
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    probe = subprocess.run(
        [str(python), "-c", "import helpdesk, psycopg, importlib.metadata as m;"
         "print(m.version('django-helpdesk'))"],
        capture_output=True, text=True,
    )  # fmt: skip
    if probe.returncode != 0 or probe.stdout.strip() != HELPDESK_VERSION:
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", f"django-helpdesk=={HELPDESK_VERSION}",
             "psycopg[binary]"],
            check=True,
        )  # fmt: skip
    return python


def _fresh_database(url: str) -> str:
    """A new, empty database next to the benchmark database, for helpdesk's tables."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/") + "_helpdesk"
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return parts._replace(path=f"/{name}").geturl()


def _helpdesk(database_url: str, clients: int, n: int) -> dict:
    python = _helpdesk_python()
    env = {**os.environ, "HELPDESK_DATABASE_URL": database_url}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    out = subprocess.run(
        [str(python), str(HERE / "hd_bench.py"), str(n), str(clients), str(START_DELAY)],
        env=env, check=True, capture_output=True, text=True, cwd=HERE,
    ).stdout  # fmt: skip
    return json.loads(out.strip().splitlines()[-1])


def _world():
    from core.models import Role, RoleAssignment
    from services import routing
    from services import services as request_services

    district, root, built = bench_district(DISTRICT_CODE, "基准区（诉求创建）")
    if built:
        request_services.catalogue_seed(actor=root, district=district)
        routing.retrain(district)
    assignment = (
        RoleAssignment.objects.active()
        .filter(role=Role.RESIDENT, place__path__startswith=district.path)
        .select_related("user", "place")
        .order_by("pk")
        .first()
    )
    return district, assignment.user, assignment.place


def _create(resident, place, i: int):
    """One resident request over H5, then its routing suggestion (None: routing abstained)."""
    from services import routing
    from services import services as request_services

    title, body = TEXTS[i % len(TEXTS)]
    request = request_services.request_submit(
        actor=resident, place=place, title=f"{title}（{i}）", description=body,
        channel="h5", address="第1街道第1社区",
    )  # fmt: skip
    found = routing.suggest(request)
    return found if found is not None and found.department is not None else None


def _linli_client(k: int, n: int, clients: int, resident_pk: int, place_pk: int,
                  start_at: float, results) -> None:  # fmt: skip
    """One client process: its share of the N creations, from ``start_at`` on."""
    from django.db import connection, connections

    from core.models import Place, User

    connections.close_all()  # never reuse the parent's socket
    resident, place = User.objects.get(pk=resident_pk), Place.objects.get(pk=place_pk)
    connection.ensure_connection()  # connected before the clock starts, as helpdesk's clients
    routed, errors = 0, []
    time.sleep(max(0.0, start_at - time.time()))
    try:
        for i in range(k, n, clients):
            routed += _create(resident, place, i) is not None
    except Exception as exc:  # noqa: BLE001 - reported, not swallowed
        errors.append(repr(exc))
    finally:
        connections.close_all()
        results.put((routed, errors, time.time()))


def _linli(clients: int, n: int) -> dict:
    from django.db import connections

    from services.models import ServiceRequest

    district, resident, place = _world()
    for i in range(5):  # warm-up: jieba dictionary, gettext catalogues, the stored model
        _create(resident, place, -1 - i)
    before = ServiceRequest.objects.filter(district=district).count()
    connections.close_all()  # the forked clients must not inherit an open connection
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    start_at = time.time() + START_DELAY
    processes = [
        ctx.Process(
            target=_linli_client,
            args=(k, n, clients, resident.pk, place.pk, start_at, results),
        )
        for k in range(clients)
    ]
    for process in processes:
        process.start()
    reports = [results.get(timeout=600) for _ in processes]
    for process in processes:
        process.join()
    seconds = max(report[2] for report in reports) - start_at
    created = ServiceRequest.objects.filter(district=district).count() - before
    return {
        "seconds": seconds,
        "requests": created,
        "per_second": created / seconds if seconds else 0,
        "routed": sum(report[0] for report in reports),
        "errors": [error for report in reports for error in report[1]][:3],
    }


def run(context) -> list[dict]:
    url = os.environ["DATABASE_URL"]
    if not url.startswith(("postgres://", "postgresql://")):
        return [{"benchmark": "services_vs_helpdesk", "error": "needs PostgreSQL"}]
    rows = []
    for clients in CLIENT_COUNTS:
        load_before = os.getloadavg()[0]
        helpdesk_url = _fresh_database(url)
        parts = []
        for _round in range(ROUNDS):
            parts.append(
                (_helpdesk(helpdesk_url, clients, N // ROUNDS), _linli(clients, N // ROUNDS))
            )
        helpdesk = _total([h for h, _ in parts], "tickets")
        linli = _total([li for _, li in parts], "requests")
        load_after = os.getloadavg()[0]
        key = f"services_vs_helpdesk_{clients}c"
        row = {
            "key": key,
            "benchmark": key,
            "measured": (
                f"{N} creations, {clients} client process(es) each side, in {ROUNDS} alternating "
                "rounds (helpdesk, Linli, helpdesk, …): Linli `request_submit` (H5, free text; "
                "request + timeline event + metrics summary + audit, one transaction) + "
                "`routing.suggest` (jieba + naive Bayes, calibrated); machine load (1-minute average) "
                f"{load_before:.1f} → {load_after:.1f} on {os.cpu_count()} cores"
            ),
            "baseline": (
                f"django-helpdesk {HELPDESK_VERSION} PublicTicketForm.save (ticket, follow-up, "
                "submitter e-mail to locmem, signal), own venv and fresh database on the same "
                f"server: {helpdesk['tickets']} tickets in {helpdesk['seconds']:.2f} s = "
                f"{helpdesk['per_second']:.0f}/s"
            ),
            "result": (
                f"{linli['requests']} requests in {linli['seconds']:.2f} s = "
                f"{linli['per_second']:.0f}/s ({linli['routed']} with a routing suggestion)"
            ),
            "ratio": (
                f"{linli['per_second'] / helpdesk['per_second']:.2f}× (goal ≥ 3×)"
                if helpdesk["per_second"]
                else ""
            ),
        }
        problems = helpdesk.get("errors", []) + linli["errors"]
        expected = N // ROUNDS * ROUNDS
        if problems or linli["requests"] != expected or helpdesk["tickets"] != expected:
            row["error"] = f"incomplete run: {problems[:2]}"
        rows.append(row)
    return rows


def _total(parts: list[dict], counted: str) -> dict:
    """The rounds of one side added up: created rows over the seconds all rounds took."""
    seconds = sum(part["seconds"] for part in parts)
    total = {
        "seconds": seconds,
        counted: sum(part[counted] for part in parts),
        "errors": [error for part in parts for error in part.get("errors", [])],
    }
    total["per_second"] = total[counted] / seconds if seconds else 0
    if "routed" in parts[0]:
        total["routed"] = sum(part["routed"] for part in parts)
    return total
