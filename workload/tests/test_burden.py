"""The burden index: the monthly summary kept by the services equals a recount from the raw
rows; meetings and the administration / services / self-government time shares; quick time
logs; time from other apps through workload.hooks; translated exports."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from admission import services as admission
from admission.tests.conftest import application, decide
from core import calendar as workcal
from core.models import AuditEvent
from core.testing import PASSWORD
from core.tests.refused import refused
from workload import exports, hooks, selectors, services, summary
from workload.models import BurdenMonth, Task, TimeLog
from workload.tests.conftest import page_as

# Deadlines, periods and months hang on the day: the module runs on each kind of day.
pytestmark = [pytest.mark.django_db, pytest.mark.each_kind_of_day]


def admitted(d, kind, title, token, **overrides):
    request = admission.request_submit(
        **application(
            d, d.users["department_officer:own"], kind=kind, title=title, submit_token=token,
            communities=d.communities[:2], frequency="monthly", **overrides,
        )
    )  # fmt: skip
    decide(d, request)
    request.refresh_from_db()
    return request.admitted_item


def dispatch(d, item, communities, token):
    return services.tasks_dispatch(
        actor=d.users["department_officer:own"], item=item, communities=communities,
        title=item.title, due_in_working_days=5, dispatch_token=token,
    )  # fmt: skip


def log(d, community=None, **overrides):
    values = dict(
        actor=d.users["community_worker:own"], community=community or d.communities[0],
        category="service", day=workcal.local_today(), minutes=60, note="为独居老人代购药品",
        submit_token="log-1",
    )  # fmt: skip
    values.update(overrides)
    return services.time_log(**values)


def nonzero(rows):
    return {
        key: {name: value for name, value in values.items() if value}
        for key, values in rows.items()
    }


@pytest.fixture
def busy(d, item):
    """A month of work: a work item, a form and a meeting; done, open and refused tasks;
    refusals of un-admitted work; logged service and self-government time."""
    worker = d.users["community_worker:own"]
    form = admitted(d, "form", "困难群众季度摸排表", "f", form_fields=["困难类型"])
    meeting = admitted(d, "meeting", "季度安全生产例会", "m")
    [first, second] = dispatch(d, item, d.communities[:2], "w")
    dispatch(d, form, d.communities[:1], "f")
    [meet] = dispatch(d, meeting, d.communities[:1], "m")
    services.task_complete(actor=worker, task=first, minutes_spent=90)
    services.task_complete(actor=worker, task=meet, minutes_spent=120)
    services.unadmitted_refuse(
        actor=worker, community=d.communities[0], department=d.departments[1], channel="meeting",
        description="会议布置的巡查任务",
    )  # fmt: skip
    log(d, minutes=60, submit_token="a")
    log(d, category="self_government", minutes=30, note="议事协商会", submit_token="b")
    return {"form": form, "meeting": meeting, "tasks": (first, second, meet)}


def test_summary_kept_by_the_services_equals_a_recount(d, busy):
    stored = nonzero(summary.stored())
    assert stored == nonzero(summary.recount())
    month = workcal.local_today().replace(day=1)
    own = stored[(d.communities[0].pk, month)]
    assert own["tasks"] == 3 and own["forms"] == 1 and own["meetings"] == 1
    assert own["done"] == 2 and own["logged_minutes"] == 210
    assert own["refused_unadmitted"] == 1
    assert own["service_minutes"] == 60 and own["self_government_minutes"] == 30


def test_a_refused_task_keeps_the_summary_equal(d, item):
    [task] = dispatch(d, item, d.communities[:1], "r")
    admission.item_withdraw(actor=d.users["coordinator:own"], item=item, reasons="合并")
    services.task_refuse(actor=d.users["community_worker:own"], task=task, reason="事项已退出")
    assert nonzero(summary.stored()) == nonzero(summary.recount())
    month = workcal.local_today().replace(day=1)
    row = selectors.burden([d.communities[0].pk], month, month)[(d.communities[0].pk, month)]
    assert row.refused_unadmitted == 1 and row.burden_minutes == item.minutes_per_community


def test_rebuild_repairs_the_summary_and_months_are_local(d, busy):
    first = busy["tasks"][0]
    # A task sent at 23:30 on the last day of last month, Beijing time (15:30 UTC).
    this_month = workcal.local_today().replace(day=1)
    last_day = this_month - datetime.timedelta(days=1)
    late = timezone.make_aware(datetime.datetime.combine(last_day, datetime.time(23, 30)))
    Task.objects.filter(pk=first.pk).update(created_at=late)  # written around the services
    BurdenMonth.objects.filter(community=d.communities[1]).update(tasks=99)
    assert nonzero(summary.stored()) != nonzero(summary.recount())
    before = AuditEvent.objects.count()
    services.burden_rebuild(community_ids=None)
    assert AuditEvent.objects.count() == before + 1
    assert nonzero(summary.stored()) == nonzero(summary.recount())
    rows = selectors.burden([d.communities[0].pk], last_day, this_month)
    assert rows[(d.communities[0].pk, last_day.replace(day=1))].tasks == 1
    assert rows[(d.communities[0].pk, this_month)].tasks == 2


def test_shares_of_administration_services_and_self_government(d, busy):
    month = workcal.local_today().replace(day=1)
    rows = selectors.burden([c.pk for c in d.communities], month, month)
    own = rows[(d.communities[0].pk, month)]
    assert own.recorded_minutes == 210 + 60 + 30
    assert (own.administration_share, own.service_share, own.self_government_share) == (70, 20, 10)
    assert rows[(d.communities[1].pk, month)].administration_share is None  # nothing recorded


def test_time_reported_by_another_app_through_the_hook(d, busy):
    month = workcal.local_today().replace(day=1)
    seen = []

    def source(community_ids, first, last):
        seen.append((tuple(community_ids), first, last))
        return [
            (d.communities[0].pk, month, "service", 240),
            (d.communities[0].pk, month, "unknown", 999),  # ignored
            (d.communities[0].pk, month - datetime.timedelta(days=400), "service", 5),  # outside
        ]

    hooks.register_time_source("test", source)
    try:
        own = selectors.burden([d.communities[0].pk], month, month)[(d.communities[0].pk, month)]
    finally:
        hooks.unregister_time_source("test")
    assert seen and own.service_minutes == 300 and own.recorded_minutes == 540
    assert (own.administration_share, own.service_share) == (39, 56)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"category": "administration"}, "请选择类别"),
        # Days counted from the test's own today, not from the day the tests were collected.
        ({"day": datetime.timedelta(days=1)}, "不能晚于今天"),
        ({"day": -datetime.timedelta(days=63)}, "62天以内"),
        ({"day": None}, "请填写日期"),
        ({"minutes": 0}, "1至1440"),
        ({"minutes": 1441}, "1至1440"),
        ({"minutes": "abc"}, "应为整数"),
        ({"note": "  "}, "不能为空"),
    ],
)
def test_bad_time_logs_write_nothing(d, changes, message):
    if isinstance(changes.get("day"), datetime.timedelta):
        changes = {"day": workcal.local_today() + changes["day"]}
    before = (TimeLog.objects.count(), BurdenMonth.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError, match=message):
        log(d, **changes)
    assert (TimeLog.objects.count(), BurdenMonth.objects.count(), AuditEvent.objects.count()) == (
        before
    )


@pytest.mark.parametrize(
    "key",
    ["community_worker:other", "street_officer:own", "coordinator:own", "department_officer:own",
     "resident:own", "grid_worker:own"],
)  # fmt: skip
def test_only_the_communitys_workers_log_time(d, key):
    before = (TimeLog.objects.count(), AuditEvent.objects.count())
    with pytest.raises(PermissionDenied):
        log(d, actor=d.users[key])
    assert (TimeLog.objects.count(), AuditEvent.objects.count()) == before


def test_a_time_log_submitted_twice_counts_once(d):
    log(d)
    with refused("duplicate_submit", match="请勿重复提交"):
        log(d)
    assert TimeLog.objects.count() == 1
    assert BurdenMonth.objects.get(community=d.communities[0]).service_minutes == 60


def test_pages_log_time_and_show_the_shares(client, d, busy):
    assert client.login(username=d.logins["community_worker:own"], password=PASSWORD)
    page = client.get(reverse("workload:time_log"))
    assert page.status_code == 200
    token = page.context["form"].initial["submit_token"]
    data = {
        "submit_token": token, "community": d.communities[0].pk, "category": "self_government",
        "day": workcal.local_today().isoformat(), "minutes": "30", "note": "楼道议事会",
    }  # fmt: skip
    assert client.post(reverse("workload:time_log"), data).status_code == 302
    again = client.post(reverse("workload:time_log"), data)
    assert again.status_code == 200 and "请勿重复提交" in again.content.decode()
    client.logout()
    assert client.login(username=d.logins["coordinator:own"], password=PASSWORD)
    assert client.post(reverse("workload:time_log"), data).status_code == 403
    burden = client.get(reverse("workload:burden"), {"community": d.communities[0].pk})
    text = burden.content.decode()
    # 210 min administration, 60 service, 60 self-government
    assert 'data-share="administration">64%' in text and 'data-share="service">18%' in text
    assert f'data-shares="{d.communities[0].pk}">64% / 18% / 18%' in text
    excel = client.get(reverse("workload:burden_xlsx"))
    rows = list(load_workbook(io.BytesIO(excel.content)).active.iter_rows(values_only=True))
    header = rows[0]
    assert header[7] == "会议" and header[-3:] == ("行政事务占比", "为民服务占比", "居民自治占比")
    own = next(r for r in rows[1:] if r[0] == d.communities[0].name and r[7] == 1)
    assert own[12:] == (60, 60, 0.64, 0.18, 0.18)


def test_exports_and_the_pdf_title_follow_the_language(d, busy):
    month = workcal.local_today().replace(day=1)
    communities = list(d.communities)
    rows = selectors.burden([c.pk for c in communities], month, month)
    with translation.override("en"):
        content = exports.burden_workbook(months=[month], communities=communities, rows=rows)
        header = next(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
        ledger = exports.ledger_workbook(
            community=d.communities[0], month=month,
            traces=selectors.ledger_traces(d.communities[0], month),
        )  # fmt: skip
        html = render_to_string(
            "workload/ledger_pdf.html",
            {"community": d.communities[0], "month": datetime.date(2026, 11, 1), "traces": []},
        )
    # Titles already in the English catalogue come out in English: none is hard-coded.
    assert header[:2] == ("Community", "Month")
    ledger_header = next(load_workbook(io.BytesIO(ledger)).active.iter_rows(values_only=True))
    assert ledger_header[:2] == ("Time", "Event")
    assert "November 2026" in html and "2026年11月" not in html
    with translation.override("zh-hans"):
        html = render_to_string(
            "workload/ledger_pdf.html",
            {"community": d.communities[0], "month": datetime.date(2026, 11, 1), "traces": []},
        )
    assert "2026年11月" in html


def test_the_ranking_chart_appears_only_when_there_is_more_than_one_community_to_rank(client, d):
    district_page = page_as(client, d, "coordinator:own", "workload:burden")
    assert 'id="rank-chart"' in district_page and 'id="trend-chart"' in district_page
    # A community worker sees only their own community: a ranking of one is left out.
    own_page = page_as(client, d, "community_worker:own", "workload:burden")
    assert 'id="rank-chart"' not in own_page and 'id="trend-chart"' in own_page
