"""django-helpdesk 2.6 ticket creation, timed the way helpdesk's public form creates a ticket.

Run by bench/bench_services_helpdesk.py with bench/helpdesk/.venv/bin/python:

    hd_bench.py N CLIENTS  → prints one JSON line {"seconds", "tickets", "per_second", ...}

Each of CLIENTS threads (its own database connection) fills and saves PublicTicketForm: the
form's queries, Ticket.save, the "Ticket Opened Via Web" FollowUp, the e-mail to the submitter
(locmem backend), backlinks and the new_ticket_done signal — helpdesk's own code, in-process,
autocommit as in its views.
"""

import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hd_settings")

import django  # noqa: E402

django.setup()

from django.core import mail  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

TEXTS = [
    ("小区门口路灯不亮", "我们小区东门的路灯已经坏了一个星期，晚上出行很不方便，请尽快维修。"),
    ("楼道堆放杂物", "三单元楼道里堆满了纸箱和旧家具，存在消防隐患，请物业和社区处理。"),
    ("噪音扰民", "楼下饭店每天夜里十二点以后还在装卸货物，噪音很大，影响休息。"),
    ("咨询低保申请", "家里老人没有收入，想咨询一下低保怎么申请，需要准备哪些材料。"),
]


def main() -> None:
    n, clients = int(sys.argv[1]), int(sys.argv[2])
    call_command("migrate", verbosity=0)
    from helpdesk.forms import PublicTicketForm
    from helpdesk.models import FollowUp, Queue, Ticket

    queue, _ = Queue.objects.get_or_create(
        slug="bench", defaults={"title": "基准队列", "allow_public_submission": True}
    )
    before = Ticket.objects.count()

    def create(i: int) -> None:
        title, body = TEXTS[i % len(TEXTS)]
        form = PublicTicketForm(
            data={
                "queue": str(queue.pk), "title": f"{title}（{i}）", "body": body,
                "priority": "3", "submitter_email": f"resident{i}@example.org",
            }
        )  # fmt: skip
        if not form.is_valid():
            raise RuntimeError(f"helpdesk form refused: {form.errors.as_json()}")
        form.save(user=None)

    for i in range(5):  # warm-up: templates, first queries, connection
        create(-1 - i)
    errors = []

    def worker(k: int) -> None:
        try:
            for i in range(k, n, clients):
                create(i)
        except Exception as exc:  # noqa: BLE001 - reported, not swallowed
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    created = Ticket.objects.count() - before - 5
    print(
        json.dumps(
            {
                "seconds": seconds,
                "tickets": created,
                "per_second": created / seconds if seconds else 0,
                "followups": FollowUp.objects.filter(ticket__queue=queue).count(),
                "emails": len(getattr(mail, "outbox", [])),
                "errors": errors[:3],
                "django": django.get_version(),
            }
        )
    )


if __name__ == "__main__":
    main()
