"""The burden page's charts say what its table says (issue #21, item 8): the ranking's bars are
the table's heaviest communities with their index, the trend's current month is the focus
community's row, and the charts are drawn still, at their values."""

import pytest
from django.urls import reverse

from core.calendar import local_today
from core.testing import PASSWORD
from core.tests.page_charts import categories, chart_options, number, series_by_name, table_rows
from workload.tests.test_burden import busy  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def test_the_burden_charts_equal_the_table_beside_them(client, d, busy):  # noqa: F811
    assert client.login(username=d.logins["coordinator:own"], password=PASSWORD)
    focus = d.communities[0]
    html = client.get(reverse("workload:burden"), {"community": focus.pk}).content.decode()
    options = chart_options(html)
    assert set(options) == {"trend-chart", "rank-chart"}
    rows = table_rows(html, "burden-table")  # the month's ranking, heaviest first
    rank = options["rank-chart"]
    top = rows[:30][::-1]  # drawn bottom-up: the heaviest at the top
    assert categories(rank) == [row[0] for row in top]
    assert series_by_name(rank)["负担指数"] == [number(row[1]) for row in top]
    assert max(number(row[1]) for row in rows) > 0
    # The trend's last month is this month: the focus community's row of the table.
    trend = options["trend-chart"]
    [own] = [row for row in rows if row[0] == focus.name]
    assert categories(trend)[-1] == f"{local_today():%Y-%m}"
    lines = series_by_name(trend)
    assert lines["负担指数"][-1] == number(own[1])
    assert lines["任务"][-1] == int(own[3])
    assert lines["拒绝未准入"][-1] == int(own[9])
    assert all(option.get("animation") is False for option in options.values())
