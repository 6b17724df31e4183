"""三率 and handling time from known requests; the page, its chart data and the Excel export."""

import io

import pytest
from openpyxl import load_workbook

from services import metrics
from services import services as request_services
from services.tests.test_lifecycle import submit, to_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def known(world):
    done = to_state(world, "closed")
    request_services.request_rate(actor=world.resident, request=done, rating="satisfied")
    to_state(world, "handling")
    submit(world)  # acceptance deadline still ahead: not counted for the response rate
    return world


def test_three_rates_by_department(known):
    data = metrics.metrics(known.dispatcher, group="department", days=30)
    total = data["total"]
    assert total["total"] == 3
    assert total["response_rate"] == 100.0
    assert total["resolution_rate"] == 33.3
    assert total["satisfaction_rate"] == 100.0
    assert total["on_time_rate"] == 100.0
    assert total["avg_hours"] is not None and total["avg_hours"] >= 0
    by_label = {row["label"]: row for row in data["rows"]}
    # The one not yet accepted is a grid item: the grid holds it (issue #14), not 未分派.
    assert by_label["民政局"]["total"] == 2 and by_label["网格处置"]["total"] == 1
    assert "未分派" not in by_label
    assert sum(row["total"] for row in data["trend"]) == 3


def test_metrics_are_scoped(known):
    other_street = known.d.users["street_officer:other"]
    assert metrics.metrics(other_street, days=30)["total"]["total"] == 0
    assert not metrics.may_see_metrics(known.resident)


def test_page_and_excel_export(known, client):
    client.force_login(known.dispatcher)
    page = client.get("/services/metrics/", {"group": "category", "days": "90"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "投诉" in html
    # The charts' options are written beside them, names in the user's language, categories
    # the rows of the table.
    import json
    import re

    option = json.loads(re.search(r'id="chart-rates-option"[^>]*>(.*?)</script>', html).group(1))
    assert [s["name"] for s in option["series"]] == ["响应率", "解决率", "满意率"]
    assert "投诉" in option["xAxis"]["data"]
    response = client.get(
        "/services/metrics/", {"group": "street", "format": "xlsx", "days": "bad"}
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book["三率统计"].values)
    assert rows[0][:3] == ("分组", "诉求数", "响应率%")
    assert rows[-1][0] == "合计" and rows[-1][1] == 3
    client.force_login(known.resident)
    assert client.get("/services/metrics/").status_code == 403


def _busy_history(world):
    """Requests in every state and through every kind of step that moves a count."""
    from django.utils import timezone

    from services.models import ServiceRequest

    d = world.d
    rated = to_state(world, "closed")
    request_services.request_rate(actor=world.resident, request=rated, rating="unsatisfied",
                                  note="没修好")  # fmt: skip
    request_services.rating_review(
        actor=world.dispatcher, request=rated, upheld=True, internal_note="重办"
    )
    basic = to_state(world, "closed")
    request_services.request_visit(actor=world.dispatcher, request=basic, internal_note="已回访")
    request_services.request_rate(actor=world.resident, request=basic, rating="basic")
    moved = to_state(world, "handling")
    request_services.request_redispatch(
        actor=world.dispatcher, request=moved, department=d.departments[1], reason="改派"
    )
    objected = to_state(world, "dispatched")
    application = request_services.dispatch_object(
        actor=world.officer,
        request=objected,
        reason="非本部门",
        suggested_department=d.departments[1],
    )
    request_services.application_decide(actor=world.dispatcher, application=application,
                                        approve=True, note="成立")  # fmt: skip
    returned = to_state(world, "handling")
    application = request_services.return_ask(actor=world.officer, request=returned, reason="退")
    request_services.application_decide(actor=world.dispatcher, application=application,
                                        approve=True)  # fmt: skip
    rejected = submit(world)
    request_services.request_reject(actor=world.dispatcher, request=rejected, reason="重复")
    target = to_state(world, "dispatched")
    duplicate = to_state(world, "accepted")
    request_services.request_merge(actor=world.dispatcher, duplicate=duplicate, into=target,
                                   note="同一问题")  # fmt: skip
    submit(world)  # acceptance deadline still ahead
    late = submit(world, item=None, description="夜间施工噪音", category="complaint")
    # An acceptance deadline already missed, written behind the services' back, then rebuilt.
    ServiceRequest.objects.filter(pk=late.pk).update(
        accept_due=timezone.now() - timezone.timedelta(hours=1)
    )


def test_summary_is_kept_exact_by_every_step_and_matches_a_recount(world):
    from services import summary

    _busy_history(world)
    district = world.d.district.pk
    # The update above went around the model: only that request's bucket is off, if at all
    # (its counts do not depend on accept_due); rebuild makes it exact either way.
    assert summary.stored(district) == summary.recount(district)
    assert summary.stored_weeks(district) == summary.weeks_of(summary.recount(district))
    summary.rebuild(district)
    assert summary.stored(district) == summary.recount(district)
    assert summary.stored_weeks(district) == summary.weeks_of(summary.recount(district))
    from services.models import ServiceRequest, State

    counted = ServiceRequest.objects.filter(district_id=district).exclude(state=State.MERGED)
    assert sum(c["total"] for c in summary.stored(district).values()) == counted.count() == 9


def test_the_weekly_summary_follows_steps_taken_after_the_requests_week(world):
    """A request filed weeks ago and answered, rated today moves its own week's counts (the
    daily and the weekly row in one statement), and both tables still equal a recount."""
    from django.utils import timezone

    from services import summary
    from services.models import RequestSummaryWeek, ServiceRequest

    district = world.d.district.pk
    old = to_state(world, "handling")
    ServiceRequest.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timezone.timedelta(days=40)
    )
    summary.rebuild(district)
    old = ServiceRequest.objects.get(pk=old.pk)
    request_services.request_answer(actor=world.officer, request=old, answer="已处理完毕")
    assert summary.stored(district) == summary.recount(district)
    assert summary.stored_weeks(district) == summary.weeks_of(summary.recount(district))
    week = summary.week_of(summary.local_day(old.created_at))
    row = RequestSummaryWeek.objects.get(district_id=district, week=week)
    assert (row.total, row.answered) == (1, 1)


@pytest.mark.parametrize("group", ["department", "community", "category"])
def test_metrics_over_many_weeks_equal_the_raw_aggregates(world, group):
    """History spread over 14 months: the window's first, partial week comes from the daily
    rows and the rest from the weekly ones, and every figure equals the raw aggregates."""
    from django.utils import timezone

    from services import summary
    from services.models import ServiceRequest

    _busy_history(world)
    for offset, pk in zip(
        (0, 3, 9, 26, 29, 31, 45, 88, 89, 92, 200, 364, 366, 420),
        ServiceRequest.objects.filter(district_id=world.d.district.pk).values_list("pk", flat=True),
        strict=False,
    ):
        ServiceRequest.objects.filter(pk=pk).update(
            created_at=timezone.now() - timezone.timedelta(days=offset, hours=1)
        )
    summary.rebuild(world.d.district.pk)
    for days in (30, 90, 365):
        for user in (world.dispatcher, world.d.root):
            fast = metrics.metrics(user, group=group, days=days)
            raw = metrics.metrics_raw(user, group=group, days=days)
            assert fast["rows"] == raw["rows"], days
            assert fast["total"] == raw["total"], days
            assert fast["trend"] == raw["trend"], days


@pytest.mark.parametrize("group", ["department", "street", "community", "category"])
def test_metrics_from_the_summary_equal_the_raw_aggregates(world, group):
    _busy_history(world)
    for user in (world.dispatcher, world.d.users["street_officer:own"], world.d.root):
        fast = metrics.metrics(user, group=group, days=30)
        raw = metrics.metrics_raw(user, group=group, days=30)
        assert fast["rows"] == raw["rows"]
        assert fast["total"] == raw["total"]
        assert fast["trend"] == raw["trend"]
    total = metrics.metrics(world.dispatcher, group=group, days=30)["total"]
    assert total["total"] == 9 and 0 < total["response_rate"] < 100


def test_summary_rebuild_command_repairs_a_damaged_table(world):
    from django.core.management import call_command

    from services import summary
    from services.models import RequestSummary

    _busy_history(world)
    RequestSummary.objects.filter(district_id=world.d.district.pk).update(total=0, finished=7)
    district = world.d.district.pk
    assert summary.stored(district) != summary.recount(district)
    out = io.StringIO()
    call_command("services_summary", "--check", stdout=out)
    assert "不一致" in out.getvalue()
    call_command("services_summary", "--rebuild", stdout=out)
    assert summary.stored(district) == summary.recount(district)
    out = io.StringIO()
    call_command("services_summary", "--check", stdout=out)
    assert "一致" in out.getvalue() and "不一致" not in out.getvalue()


def test_requests_settled_below_the_departments_are_shown_by_level_not_as_unassigned(world):
    """Issue #14: the by-department page showed what the grid, community and street settled as
    未分派; each level has its own row, and the summary and the raw figures agree."""
    from services.tests.test_levels import file

    worker = world.user("grid_worker:own")
    settled = request_services.request_local_accept(
        actor=worker, request=file(world, world.d.grids[0])
    )
    settled = request_services.request_answer(actor=worker, request=settled, answer="已清理")
    request_services.request_local_close(actor=worker, request=settled)
    up = request_services.request_local_accept(actor=worker, request=file(world, world.d.grids[0]))
    request_services.request_escalate(actor=worker, request=up, reason="需社区协调")
    submit(world, item=world.items["MZ-001"])  # a department's item, not yet dispatched: 未分派
    fast = metrics.metrics(world.dispatcher, group="department", days=30)
    raw = metrics.metrics_raw(world.dispatcher, group="department", days=30)
    assert fast["rows"] == raw["rows"] and fast["total"] == raw["total"]
    by_label = {row["label"]: row for row in fast["rows"]}
    assert by_label["网格处置"]["total"] == 1 and by_label["网格处置"]["resolution_rate"] == 100.0
    assert by_label["网格处置"]["satisfaction_rate"] is None  # not rated yet
    assert by_label["社区处置"]["total"] == 1
    assert by_label["未分派"]["total"] == 1
    assert [row["label"] for row in fast["rows"]][-3:] == ["网格处置", "社区处置", "未分派"]
