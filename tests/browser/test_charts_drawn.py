"""A chart shows its values the moment it appears (issue #21, item 8): caught in a screenshot
just after load, 三率对比 stood at 7 % for departments whose table row says 100 % and the weekly
lines spanned two of five weeks — ECharts' entry animation, still growing. Here the bars ECharts
has drawn, read right after the chart appears, are as tall as their values."""

import pytest

from core.testing import PASSWORD
from services import services as request_services
from services.models import ServiceItem
from services.tests.conftest import World
from services.tests.test_lifecycle import to_state
from tests.browser.conftest import signed_in


@pytest.fixture
def rated(district):
    items = ServiceItem.objects.filter(district=district.district)
    world = World(district, {item.code: item for item in items})
    done = to_state(world, "closed")
    request_services.request_rate(actor=world.resident, request=done, rating="satisfied")
    return world


# The response-rate bars as drawn: each one's height in pixels and the plot's full height.
DRAWN = """() => {
  const chart = echarts.getInstanceByDom(document.getElementById("chart-rates"));
  const grid = chart.getModel().getComponent("grid").coordinateSystem.getRect();
  const bars = chart.getZr().storage.getDisplayList()
    .filter((e) => e.type === "rect" && e.shape && Math.abs(e.shape.height) > 0 && e.shape.width < grid.width / 2)
    .map((e) => Math.abs(e.shape.height));
  return {plot: grid.height, bars: bars};
}"""


def test_bars_stand_at_their_values_as_soon_as_the_chart_appears(new_page, rated):
    page = signed_in(new_page, rated.d.logins["coordinator:own"], password=PASSWORD)
    page.goto("/services/metrics/?group=department&days=30")
    page.wait_for_selector("#chart-rates canvas")
    drawn = page.evaluate(DRAWN)  # no waiting: what a glance (or a screenshot) sees
    table = page.locator("#metrics-table tbody tr").first.locator("td").nth(2).inner_text()
    assert table == "100.0"
    # The tallest bar is a 100 % one: it fills the plot from 0 to the axis' 100 %.
    assert drawn["bars"] and max(drawn["bars"]) == pytest.approx(drawn["plot"], abs=2), drawn
