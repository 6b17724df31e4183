"""Every category of a chart is labelled (issue #21, item 7): the burden ranking named only every
other community, as ECharts skips labels it finds crowded unless told not to."""

from core import charts

COMMUNITIES = [f"第{n}社区" for n in range(30)]
MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]


def test_a_ranking_labels_every_row():
    option = charts.categories_chart(
        COMMUNITIES, [charts.series("负担指数", "bar", range(30))], horizontal=True, legend=None
    )
    assert option["yAxis"]["type"] == "category"
    assert option["yAxis"]["axisLabel"]["interval"] == 0
    assert "rotate" not in option["yAxis"]["axisLabel"]


def test_many_categories_side_by_side_are_slanted_with_room_below():
    option = charts.categories_chart(
        MONTHS, [charts.series("任务", "bar", range(12))], legend="bottom", grid={"bottom": 56}
    )
    label = option["xAxis"]["axisLabel"]
    assert label["interval"] == 0 and label["rotate"] == 45
    assert option["grid"]["bottom"] >= charts.SLANTED_LABELS_ROOM + charts.LEGEND_ROOM


def test_a_few_categories_stay_level_and_a_chosen_slant_is_kept():
    few = charts.categories_chart(["投诉", "建议"], [charts.series("件", "bar", [1, 2])])
    assert few["xAxis"]["axisLabel"] == {"interval": 0}
    assert few["grid"]["bottom"] == 40
    chosen = charts.categories_chart(MONTHS, [], rotate_labels=30)
    assert chosen["xAxis"]["axisLabel"]["rotate"] == 30
