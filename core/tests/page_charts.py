"""Read a page as the browser gets it: each chart's ECharts option (the JSON that
templates/includes/chart.html writes beside the chart) and the cells of a table by its id, so a
test can hold a chart to the table beside it (issue #21: charts that disagreed with their
tables)."""

import json
import re
from html.parser import HTMLParser

OPTION = re.compile(r'<script id="([^"]+)-option" type="application/json">(.*?)</script>', re.S)


def chart_options(html: str) -> dict[str, dict]:
    """{chart id: its option} for every chart on the page."""
    return {chart_id: json.loads(text) for chart_id, text in OPTION.findall(html)}


class _Table(HTMLParser):
    def __init__(self, table_id):
        super().__init__()
        self.table_id, self.depth, self.rows, self.cell = table_id, 0, [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and (self.depth or dict(attrs).get("id") == self.table_id):
            self.depth += 1
        elif self.depth and tag == "tr":
            self.rows.append([])
        elif self.depth and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table" and self.depth:
            self.depth -= 1
        elif self.depth and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def table_rows(html: str, table_id: str) -> list[list[str]]:
    """The body rows of the table ``table_id`` (the header row left out), each a list of its
    cells' text."""
    parser = _Table(table_id)
    parser.feed(html)
    assert parser.rows, f"no table {table_id!r} on the page"
    return parser.rows[1:]


def number(cell: str):
    """A table cell as the chart would hold it: "—" (no figure) is None."""
    return None if cell in ("—", "") else float(cell)


def series_by_name(option: dict) -> dict[str, list]:
    return {entry["name"]: entry["data"] for entry in option["series"]}


def categories(option: dict) -> list[str]:
    axis = option["xAxis"] if option["xAxis"].get("type") == "category" else option["yAxis"]
    return axis["data"]
