"""The task list and the burden page read a fixed number of queries, however many tasks,
admitted items and months of work there are (issue #12: pinned at what they read now; a rise is
an N+1 to find, not a number to raise)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from workload import services
from workload.tests.test_burden import admitted, log

pytestmark = pytest.mark.django_db


def _busy(d, n: int, start: int = 0):
    """n more admitted work items, each dispatched to two communities, one task of each done and
    one refused un-admitted request and a logged hour per item."""
    worker = d.users["community_worker:own"]
    for k in range(start, start + n):
        item = admitted(d, "work_item", f"第{k}项：入户走访", f"q{k}")
        first, _second = services.tasks_dispatch(
            actor=d.users["department_officer:own"], item=item, communities=d.communities[:2],
            title=item.title, due_in_working_days=5, dispatch_token=f"q{k}",
        )  # fmt: skip
        services.task_complete(actor=worker, task=first, minutes_spent=30 + k)
        services.unadmitted_refuse(
            actor=worker, community=d.communities[0], department=d.departments[1],
            channel="meeting", description=f"会议布置的第{k}项巡查",
        )  # fmt: skip
        log(d, minutes=10 + k, submit_token=f"q{k}")


def _count(client, url, query=None) -> int:
    """The queries of one page view (after a first view, which also saves the new session)."""
    client.get(url, query or {})
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, query or {}).status_code == 200
    return len(queries)


# SQLite's numbers; PostgreSQL reads one fewer (the session is in Redis there).
TASK_LIST = [  # (who, status shown, at most)
    ("community_worker:own", "open", 8),  # was one more per admitted item: each item's district
    ("community_worker:own", "done", 9),
    ("department_officer:own", "open", 9),
    ("street_officer:own", "open", 9),
    ("coordinator:own", "open", 9),
]


@pytest.mark.parametrize(("who", "status", "pinned"), TASK_LIST)
def test_the_task_list_reads_as_many_queries_for_many_tasks_as_for_few(
    client, d, who, status, pinned
):
    client.force_login(d.users[who])
    url = reverse("workload:task_list")
    _busy(d, 1)
    few = _count(client, url, {"status": status})
    _busy(d, 4, start=1)
    many = _count(client, url, {"status": status})
    assert many == few <= pinned


# 22 (was 21, 16, before that 10): the shares from activity read one query per time source
# (services' steps, the time bank's communities and approvals, certificates answered, meetings,
# inspections, workforce's surge tasks, registry work: its communities and audit events,
# deliberation's meetings held) and
# the inspections, meetings and documents admission registers (two), plus the work moved to
# organisations by contract (civic, one), the same for one task as for many.
BURDEN = [  # (who, at most)
    ("community_worker:own", 22),
    ("street_officer:own", 22),
    ("coordinator:own", 22),
]


@pytest.mark.parametrize(("who", "pinned"), BURDEN)
def test_the_burden_page_reads_as_many_queries_for_many_tasks_as_for_few(client, d, who, pinned):
    client.force_login(d.users[who])
    url = reverse("workload:burden")
    _busy(d, 1)
    few = _count(client, url, {"community": d.communities[0].pk})
    _busy(d, 4, start=1)
    many = _count(client, url, {"community": d.communities[0].pk})
    assert many == few <= pinned
