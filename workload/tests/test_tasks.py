"""Tasks reach communities only through admission; traces, ledgers and the burden index follow."""

import datetime
import io

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from admission import services as admission
from admission.models import AdmittedScope
from core import calendar as workcal
from core.models import AuditEvent, Notification
from core.testing import PASSWORD
from core.tests.refused import refused
from workload import selectors, services, summary
from workload.models import BurdenMonth, RefusedWork, Task, Trace
from workload.tests.conftest import page_as

# Deadlines, periods and months hang on the day: the module runs on each kind of day.
pytestmark = [pytest.mark.django_db, pytest.mark.each_kind_of_day]


def dispatch(d, item, **overrides):
    values = {
        "actor": d.users["department_officer:own"],
        "item": item,
        "communities": [d.communities[0]],
        "title": "收集本月高龄津贴申报材料",
        "description": "请于期限内收齐并初审。",
        "due_in_working_days": 10,
        "dispatch_token": "batch-1",
    }
    values.update(overrides)
    return services.tasks_dispatch(**values)


def counts():
    return (
        Task.objects.count(),
        Trace.objects.count(),
        AuditEvent.objects.count(),
        Notification.objects.count(),
    )


def test_dispatch_complete_trace_and_notify(d, item):
    worker = d.users["community_worker:own"]  # at communities[0]
    [task] = dispatch(d, item)
    assert task.item == item and task.scope.community == d.communities[0]
    assert task.street == d.streets[0] and task.district == d.district
    # Ten working days on the calendar; dispatched on a day off, the clock starts at the next
    # working day (so no day-count check that holds only on weekdays, Beijing time).
    assert task.due_at == workcal.add_working_days(task.created_at, 10)
    assert workcal.working_days_between(task.created_at, task.due_at) in (10, 11)
    assert Notification.objects.filter(user=worker, title__contains="新任务").exists()
    assert list(selectors.my_open_tasks(worker)) == [task]
    done = services.task_complete(actor=worker, task=task, minutes_spent=150, result="已收齐")
    assert done.status == "done" and done.minutes_spent == 150 and done.closed_by == worker
    actions = list(Trace.objects.filter(task=task).values_list("action", "minutes"))
    assert actions == [("assigned", item.minutes_per_community), ("completed", 150)]
    with pytest.raises(ValidationError, match="已完成"):
        services.task_complete(actor=worker, task=task, minutes_spent=1)


def test_a_dispatch_at_midnight_is_stamped_with_one_moment(d, item):
    """The clock is read once per write: a dispatch that straddles midnight (Beijing) is wholly on
    one day, its deadline counted from the very moment it was created, and it counts in the
    month of that moment."""
    last_instant = datetime.datetime.combine(
        workcal.local_today(),
        datetime.time(23, 59, 59, 999_000),
        tzinfo=timezone.get_default_timezone(),
    )
    with time_machine.travel(last_instant, tick=True):
        [task] = dispatch(d, item)
        assert timezone.now() > last_instant + datetime.timedelta(milliseconds=1)  # midnight passed
    assigned = Trace.objects.get(task=task, action=Trace.Action.ASSIGNED)
    audited = AuditEvent.objects.filter(action="workload.tasks_dispatch").latest("id")
    assert assigned.at == audited.at == task.created_at
    assert task.due_at == workcal.add_working_days(task.created_at, 10)
    month = summary.month_of(task.created_at)
    assert BurdenMonth.objects.get(community=task.community, month=month).tasks == 1


def test_frequency_of_the_admission_is_enforced(d, item):
    dispatch(d, item)
    before = counts()
    with refused("over_frequency"):
        dispatch(d, item, dispatch_token="batch-2")
    assert counts() == before
    # Another community in scope may still receive this month's task.
    assert len(dispatch(d, item, communities=[d.communities[1]], dispatch_token="batch-3")) == 1


def test_double_submit_writes_nothing(d, item):
    dispatch(d, item)
    before = counts()
    with refused("duplicate_submit", match="请勿重复提交"):
        dispatch(d, item)
    assert counts() == before


def test_community_outside_the_scope_is_refused(d, item):
    before = counts()
    with refused("outside_scope"):
        dispatch(d, item, communities=[d.communities[0], d.communities[2]])
    assert counts() == before


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": " "}, "任务名称不能为空"),
        ({"due_in_working_days": 0}, "1至250"),
        ({"due_in_working_days": "x"}, "整数"),
        ({"communities": []}, "请选择社区"),
        ({"dispatch_token": ""}, "提交标识"),
    ],
)
def test_bad_dispatches_write_nothing(d, item, changes, message):
    before = counts()
    with pytest.raises(ValidationError, match=message):
        dispatch(d, item, **changes)
    assert counts() == before


@pytest.mark.parametrize(
    "key", ["coordinator:own", "admin:own", "street_officer:own", "community_worker:own"]
)
def test_only_the_items_department_dispatches(d, item, key):
    before = counts()
    with pytest.raises(PermissionDenied):
        dispatch(d, item, actor=d.users[key])
    assert counts() == before


def test_withdrawn_item_cannot_dispatch_and_its_tasks_may_be_refused(d, item):
    [task] = dispatch(d, item)
    admission.item_withdraw(actor=d.users["coordinator:own"], item=item, reasons="年度复核退出")
    with refused("item_not_usable"):
        dispatch(d, item, dispatch_token="after")
    worker = d.users["community_worker:own"]
    done = services.task_refuse(actor=worker, task=task, reason="事项已退出准入目录")
    assert done.status == "refused"
    refusal = RefusedWork.objects.get(task=task)
    assert refusal.department == item.department and refusal.channel == "task"
    assert Trace.objects.filter(task=task, action="refused").exists()


def test_an_admitted_task_cannot_be_refused(d, item):
    [task] = dispatch(d, item)
    with pytest.raises(ValidationError, match="现行有效的准入事项"):
        services.task_refuse(actor=d.users["community_worker:own"], task=task, reason="太忙")


def test_only_the_communitys_workers_complete(d, item):
    [task] = dispatch(d, item)
    for key in ("community_worker:other", "street_officer:own", "department_officer:own"):
        with pytest.raises(PermissionDenied):
            services.task_complete(actor=d.users[key], task=task, minutes_spent=10)
    task.refresh_from_db()
    assert task.status == "open"


# ---------------------------------------------------------------- the database gate


def _raw_task(d, item, **changes):
    scope = AdmittedScope.objects.get(item=item, community=d.communities[0])
    values = {
        "district": d.district, "street": d.streets[0], "community": d.communities[0],
        "item": item, "scope": scope, "department": item.department, "title": "绕过服务",
        "due_at": timezone.now(), "created_by": d.root, "dispatch_token": "raw",
    }  # fmt: skip
    values.update(changes)
    return Task(**values)


def test_database_refuses_a_task_outside_the_items_scope(d, item):
    _raw_task(d, item).save()  # matching scope: allowed
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw_task(d, item, community=d.communities[2], dispatch_token="other").save()
    other_scope = AdmittedScope.objects.get(item=item, community=d.communities[1])
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw_task(d, item, scope=other_scope, dispatch_token="mismatch").save()


def test_database_refuses_a_task_of_a_withdrawn_item(d, item):
    admission.item_withdraw(actor=d.users["coordinator:own"], item=item, reasons="退出")
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw_task(d, item).save()


def test_database_refuses_moving_a_task_out_of_scope(d, item):
    [task] = dispatch(d, item)
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.filter(pk=task.pk).update(community=d.communities[3])


# ---------------------------------------------------------------- refusals, ledger, burden


def test_unadmitted_work_is_refused_and_counted_against_the_department(d, item):
    worker = d.users["community_worker:own"]
    refusal = services.unadmitted_refuse(
        actor=worker, community=d.communities[0], department=d.departments[1],
        channel="message", description="工作群要求每天上报巡查照片",
    )  # fmt: skip
    assert refusal.street == d.streets[0]
    assert Notification.objects.filter(
        user=d.users["coordinator:own"], title__contains="拒绝了城管局"
    ).exists()
    month = workcal.local_today()
    start, end = selectors.month_bounds(month)
    assert list(selectors.refusals_by_department(d.district.pk, start, end)) == [
        {"department__name": "城管局", "department__street": None, "n": 1}
    ]
    with pytest.raises(PermissionDenied):
        services.unadmitted_refuse(
            actor=worker, community=d.communities[2], department=d.departments[1],
            channel="message", description="x",
        )  # fmt: skip
    with refused("required", match="不能为空"):
        services.unadmitted_refuse(
            actor=worker, community=d.communities[0], department=d.departments[1],
            channel="phone", description=" ",
        )  # fmt: skip


def test_burden_index_comes_from_tasks_and_refusals(d, item):
    worker = d.users["community_worker:own"]
    [task] = dispatch(d, item, communities=[d.communities[0]])
    dispatch(d, item, communities=[d.communities[1]], dispatch_token="b2")
    services.task_complete(actor=worker, task=task, minutes_spent=90)
    services.unadmitted_refuse(
        actor=worker, community=d.communities[0], department=d.departments[1],
        channel="phone", description="电话要求代收费用",
    )  # fmt: skip
    month = workcal.local_today().replace(day=1)
    rows = selectors.burden([c.pk for c in d.communities], month, month)
    first, second = rows[(d.communities[0].pk, month)], rows[(d.communities[1].pk, month)]
    assert (first.tasks, first.done, first.logged_minutes, first.refused_unadmitted) == (
        1,
        1,
        90,
        1,
    )
    assert first.admitted_items == 1 and first.burden_minutes == 90 and first.index_hours == 1.5
    assert (second.tasks, second.done, second.burden_minutes) == (1, 0, item.minutes_per_community)
    assert (d.communities[2].pk, month) not in rows


def test_ledger_page_and_excel_are_generated_from_traces(client, d, item):
    worker = d.users["community_worker:own"]
    [task] = dispatch(d, item)
    services.task_complete(actor=worker, task=task, minutes_spent=75, result="已完成初审")
    assert client.login(username=d.logins["community_worker:own"], password=PASSWORD)
    page = client.get(reverse("workload:ledger")).content.decode()
    assert item.number in page and "任务完成" in page
    response = client.get(reverse("workload:ledger_xlsx"), {"community": d.communities[0].pk})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("时间", "事件", "准入编号")
    assert [r[1] for r in rows[1:3]] == ["任务下达", "任务完成"]
    assert rows[2][7] == 75 and rows[2][2] == item.number
    pdf = client.get(reverse("workload:ledger_pdf"), {"community": d.communities[0].pk})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # Another street's community is not the worker's to read.
    other = client.get(reverse("workload:ledger"), {"community": d.communities[2].pk})
    assert other.status_code == 404


def test_pages_dispatch_complete_and_burden(client, d, item):
    assert client.login(username=d.logins["department_officer:own"], password=PASSWORD)
    tasks_page = client.get(reverse("workload:task_list")).content.decode()
    assert reverse("workload:dispatch", args=[item.pk]) in tasks_page
    form = client.get(reverse("workload:dispatch", args=[item.pk]))
    token = form.context["form"].initial["dispatch_token"]
    data = {
        "dispatch_token": token, "title": "本月申报材料", "communities": [d.communities[2].pk],
        "due_in_working_days": "5",
    }  # fmt: skip
    outside = client.post(reverse("workload:dispatch", args=[item.pk]), data)
    assert outside.status_code == 200 and Task.objects.count() == 0  # not a choice in scope
    data["all_communities"] = "on"
    del data["communities"]
    assert client.post(reverse("workload:dispatch", args=[item.pk]), data).status_code == 302
    assert Task.objects.filter(item=item).count() == 2
    again = client.post(reverse("workload:dispatch", args=[item.pk]), data)
    assert "请勿重复提交" in again.content.decode() and Task.objects.count() == 2
    client.logout()
    assert client.login(username=d.logins["community_worker:own"], password=PASSWORD)
    task = Task.objects.get(community=d.communities[0])
    url = reverse("workload:task_detail", args=[task.pk])
    assert client.post(url, {"action": "complete", "minutes_spent": "-5"}).status_code == 200
    assert client.post(url, {"action": "complete", "minutes_spent": "60"}).status_code == 302
    other_task = Task.objects.get(community=d.communities[1])
    # communities[1] is another community of the same street: not this worker's.
    assert client.get(reverse("workload:task_detail", args=[other_task.pk])).status_code == 404
    client.logout()
    assert client.login(username=d.logins["coordinator:own"], password=PASSWORD)
    burden = client.get(reverse("workload:burden"))
    assert burden.status_code == 200
    assert "echarts.min.js" in burden.content.decode()
    assert d.communities[0].name in burden.content.decode()
    excel = client.get(reverse("workload:burden_xlsx"))
    sheet = load_workbook(io.BytesIO(excel.content)).active
    assert sheet["A1"].value == "社区" and sheet.max_row >= 3


def test_residents_see_no_work_pages(client, d):
    assert client.login(username=d.logins["resident:own"], password=PASSWORD)
    for name in ("task_list", "burden", "refusals"):
        assert client.get(reverse(f"workload:{name}")).status_code == 403, name
    assert client.get(reverse("workload:ledger")).status_code == 403


def test_workbench_shows_tasks_to_workers_and_burden_to_coordinators(client, d, item):
    dispatch(d, item)
    page = page_as(client, d, "community_worker:own", "workbench")
    assert "待办的社区任务" in page and "收集本月高龄津贴申报材料" in page
    page = page_as(client, d, "coordinator:own", "workbench")
    assert "本月社区负担" in page and d.communities[0].name in page
