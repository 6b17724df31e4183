"""ECharts options built on the server, so a page's chart needs no script of its own:
templates/includes/chart.html writes the option as JSON beside its element and
static/js/charts.js draws every chart on the page. Names are translated here, in the user's
language; numbers come from the view's selectors."""

from typing import Any

# Charts are drawn still, at their values, the moment the page shows them: ECharts' entry
# animation (bars growing from the axis, lines drawn from the left over a second) made a chart
# caught mid-way (a screenshot, a print, a slow phone, a reader glancing) show bars at 7 % for
# rows the table beside them says are 100 %, and lines over two of five weeks (issue #21).
STILL = {"animation": False}
PALETTE = ["#b3261e", "#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#5d4037"]
PERCENT_AXIS = {"type": "value", "min": 0, "max": 100, "axisLabel": {"formatter": "{value}%"}}
# Side by side, more categories than this get slanted labels, and the grid this much room (px)
# below for them (and a legend's more when the legend is below too).
ROTATE_AFTER = 6
SLANTED_LABELS_ROOM = 64
LEGEND_ROOM = 28


def series(name: str, kind: str, data: list, *, axis: int = 0) -> dict[str, Any]:
    """One series: ``kind`` "bar" or "line"; ``axis`` the value axis it is read against."""
    entry = {"name": str(name), "type": kind, "data": list(data)}
    if axis:
        entry["yAxisIndex"] = axis
    return entry


def value_axis(name: str = "", **options) -> dict[str, Any]:
    return {"type": "value", **({"name": str(name)} if name else {}), **options}


def categories_chart(
    categories: list,
    all_series: list[dict],
    *,
    value_axes: list[dict] | None = None,
    horizontal: bool = False,
    legend: str | None = "top",
    grid: dict | None = None,
    rotate_labels: int = 0,
) -> dict[str, Any]:
    """Bars and lines over categories (months, weeks, communities). ``horizontal`` puts the
    categories on the left (a ranking); ``legend`` "top", "bottom" or None.

    Every category is labelled (ECharts would skip labels it finds crowded, leaving every other
    bar unnamed): side by side, more than ROTATE_AFTER labels are slanted (or by
    ``rotate_labels``) and the grid leaves room for them below; down the side, charts.js makes
    the chart tall enough for a row per category."""
    category_axis = {
        "type": "category",
        "data": [str(c) for c in categories],
        "axisLabel": {"interval": 0},
    }
    grid = dict(grid or {"left": 40, "right": 40, "top": 40, "bottom": 40})
    if not horizontal:
        rotate = rotate_labels or (45 if len(categories) > ROTATE_AFTER else 0)
        if rotate:
            category_axis["axisLabel"]["rotate"] = rotate
            room = SLANTED_LABELS_ROOM + (LEGEND_ROOM if legend == "bottom" else 0)
            grid["bottom"] = max(grid.get("bottom", 0), room)
    values = value_axes or [value_axis()]
    option: dict[str, Any] = {
        **STILL,
        "color": PALETTE,
        "tooltip": {"trigger": "axis"},
        "grid": grid,
        "xAxis": values[0] if horizontal else category_axis,
        "yAxis": category_axis if horizontal else (values if len(values) > 1 else values[0]),
        "series": all_series,
    }
    if legend:
        option["legend"] = {legend: 0, "type": "scroll"}
    return option


def pie_chart(slices: list[dict], *, tooltip: str) -> dict[str, Any]:
    """Shares of a whole: ``slices`` [{"name": …, "value": …}]; ``tooltip`` an ECharts format
    such as "{b}: {c} hours ({d}%)"."""
    return {
        **STILL,
        "color": PALETTE,
        "tooltip": {"trigger": "item", "formatter": str(tooltip)},
        "legend": {"bottom": 0, "type": "scroll"},
        "series": [
            {"type": "pie", "radius": ["30%", "60%"], "center": ["50%", "45%"],
             "label": {"show": False}, "data": slices}
        ],
    }  # fmt: skip
