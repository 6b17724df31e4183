"""The metrics page's charts say what its tables say (issue #21, item 8): each chart's data as
the page sends it equals the table beside it, and the charts are drawn still, at their values
(ECharts' entry animation left a chart caught mid-way at 7 % for rows the table says are 100 %,
and its lines over two of five weeks)."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from core.tests.page_charts import categories, chart_options, number, series_by_name, table_rows
from services import services as request_services
from services import summary
from services.models import ServiceRequest
from services.tests.test_lifecycle import submit, to_state
from services.tests.test_metrics import _busy_history

pytestmark = pytest.mark.django_db


# Monday 30 November 2026 to Sunday 6 December, 10:00 and 00:30 Beijing: the five weeks of the
# history below must show on every day of the week (on a Sunday, 27 days back was still the
# fourth week, and the test failed on Sundays).
DAYS = [
    datetime.datetime(2026, 11, 30, 2, 0, tzinfo=datetime.UTC) + datetime.timedelta(days=n)
    for n in range(7)
] + [datetime.datetime(2026, 12, 5, 16, 30, tzinfo=datetime.UTC)]


@pytest.fixture(params=DAYS, ids=lambda day: day.strftime("%a%H%M"))
def on_each_day(request):
    with time_machine.travel(request.param, tick=False):
        yield request.param


@pytest.fixture
def weeks_of_history(on_each_day, world):
    """Requests over five weeks, in every state; one week with nothing rated or answered."""
    _busy_history(world)
    done = to_state(world, "closed")
    request_services.request_rate(actor=world.resident, request=done, rating="satisfied")
    submit(world)
    pks = ServiceRequest.objects.filter(district_id=world.d.district.pk).values_list(
        "pk", flat=True
    )
    for offset, pk in zip((0, 3, 8, 9, 15, 16, 22, 23, 28, 1, 2), pks, strict=False):
        ServiceRequest.objects.filter(pk=pk).update(
            created_at=timezone.now() - timezone.timedelta(days=offset, hours=1)
        )
    summary.rebuild(world.d.district.pk)
    return world


@pytest.mark.parametrize("group", ["department", "street", "community", "category"])
def test_each_chart_on_the_metrics_page_equals_the_table_beside_it(weeks_of_history, client, group):
    client.force_login(weeks_of_history.dispatcher)
    html = client.get("/services/metrics/", {"group": group, "days": "30"}).content.decode()
    options = chart_options(html)
    assert set(options) == {"chart-rates", "chart-trend"}

    # 三率对比: one group of bars per row of the table, each bar its row's figure.
    rows = table_rows(html, "metrics-table")
    rates = options["chart-rates"]
    assert rows and categories(rates) == [row[0] for row in rows]
    bars = series_by_name(rates)
    for column, name in ((2, "响应率"), (3, "解决率"), (4, "满意率")):
        assert bars[name] == [number(row[column]) for row in rows], name
    drawn = [value for values in bars.values() for value in values if value is not None]
    assert drawn and max(drawn) <= rates["yAxis"]["max"] == 100 and rates["yAxis"]["min"] == 0

    # 按周趋势: one point per week of the weekly table, every week of the window.
    weeks = table_rows(html, "metrics-weeks")
    trend = options["chart-trend"]
    assert len(weeks) >= 5 and categories(trend) == [week[0] for week in weeks]
    lines = series_by_name(trend)
    assert lines["诉求数"] == [int(week[1]) for week in weeks]
    assert lines["满意率"] == [number(week[2]) for week in weeks]
    assert lines["按时办结率"] == [number(week[3]) for week in weeks]
    percent_axis = trend["yAxis"][1]
    for name in ("满意率", "按时办结率"):
        [entry] = [s for s in trend["series"] if s["name"] == name]
        assert entry["yAxisIndex"] == 1 and percent_axis["max"] == 100

    # Drawn at their values the moment they show: no entry animation.
    assert all(option.get("animation") is False for option in options.values())


def test_an_empty_window_has_no_weekly_table_and_empty_charts(world, client):
    client.force_login(world.dispatcher)
    html = client.get("/services/metrics/").content.decode()
    options = chart_options(html)
    assert categories(options["chart-rates"]) == [] and categories(options["chart-trend"]) == []
    assert 'id="metrics-weeks"' not in html and "这段时间没有诉求。" in html
