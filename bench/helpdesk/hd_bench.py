"""django-helpdesk 2.6 ticket creation, timed the way helpdesk's public form creates a ticket.

Run by bench/bench_services_helpdesk.py with bench/helpdesk/.venv/bin/python:

    hd_bench.py N CLIENTS START_DELAY → prints one JSON line {"seconds", "tickets", ...}

Each of CLIENTS processes (forked after the warm-up, its own database connection, all starting
START_DELAY seconds after the fork, as Linli's clients) fills and saves PublicTicketForm: the
form's queries, Ticket.save, the "Ticket Opened Via Web" FollowUp, the e-mail to the submitter
(locmem backend), backlinks and the new_ticket_done signal — helpdesk's own code, in-process,
autocommit as in its views.
"""

import json
import multiprocessing
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hd_settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

TEXTS = [
    ("小区门口路灯不亮", "我们小区东门的路灯已经坏了一个星期，晚上出行很不方便，请尽快维修。"),
    ("楼道堆放杂物", "三单元楼道里堆满了纸箱和旧家具，存在消防隐患，请物业和社区处理。"),
    ("噪音扰民", "楼下饭店每天夜里十二点以后还在装卸货物，噪音很大，影响休息。"),
    ("咨询低保申请", "家里老人没有收入，想咨询一下低保怎么申请，需要准备哪些材料。"),
]


def _client(k: int, n: int, clients: int, queue_pk: int, start_at: float, results) -> None:
    """One client process: its share of the N tickets, from ``start_at`` on."""
    from django.db import connections

    connections.close_all()  # never reuse the parent's socket
    connection.ensure_connection()  # connected before the clock starts, as Linli's clients
    errors = []
    time.sleep(max(0.0, start_at - time.time()))
    try:
        for i in range(k, n, clients):
            create(queue_pk, i)
    except Exception as exc:  # noqa: BLE001 - reported, not swallowed
        errors.append(repr(exc))
    finally:
        connections.close_all()
        results.put((errors, time.time()))


def create(queue_pk: int, i: int) -> None:
    from helpdesk.forms import PublicTicketForm

    title, body = TEXTS[i % len(TEXTS)]
    form = PublicTicketForm(
        data={
            "queue": str(queue_pk), "title": f"{title}（{i}）", "body": body,
            "priority": "3", "submitter_email": f"resident{i}@example.org",
        }
    )  # fmt: skip
    if not form.is_valid():
        raise RuntimeError(f"helpdesk form refused: {form.errors.as_json()}")
    form.save(user=None)


def main() -> None:
    n, clients, start_delay = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    call_command("migrate", verbosity=0)
    from django.db import connections
    from helpdesk.models import FollowUp, Queue, Ticket

    queue, _ = Queue.objects.get_or_create(
        slug="bench", defaults={"title": "基准队列", "allow_public_submission": True}
    )
    for i in range(5):  # warm-up: templates, first queries, connection
        create(queue.pk, -1 - i)
    before = Ticket.objects.count()
    connections.close_all()  # the forked clients must not inherit an open connection
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    start_at = time.time() + start_delay
    processes = [
        ctx.Process(target=_client, args=(k, n, clients, queue.pk, start_at, results))
        for k in range(clients)
    ]
    for process in processes:
        process.start()
    reports = [results.get(timeout=600) for _ in processes]
    for process in processes:
        process.join()
    seconds = max(report[1] for report in reports) - start_at
    created = Ticket.objects.count() - before
    print(
        json.dumps(
            {
                "seconds": seconds,
                "tickets": created,
                "per_second": created / seconds if seconds else 0,
                "followups": FollowUp.objects.filter(ticket__queue=queue).count(),
                "errors": [error for report in reports for error in report[0]][:3],
                "django": django.get_version(),
            }
        )
    )


if __name__ == "__main__":
    main()
