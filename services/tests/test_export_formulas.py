"""Formula injection: the 三率 workbook writes department, street and community names (typed by
administrators) as inert text; the counts and rates stay numbers."""

import io

import pytest
from openpyxl import load_workbook

from core import services as core_services
from core.tests.test_exports import inert
from services import services as request_services
from services.tests.test_lifecycle import submit, to_state

pytestmark = pytest.mark.django_db

NAMES = {
    "department": '=HYPERLINK("http://x","y")',
    "street": "＝1+1",
    "community": "@SUM(A1)",
}


def test_metrics_workbook_writes_typed_names_as_text(world, client):
    d = world.d
    done = to_state(world, "closed")
    request_services.request_rate(actor=world.resident, request=done, rating="satisfied")
    submit(world)
    core_services.department_update(
        actor=d.root, department=d.departments[0], name=NAMES["department"], is_active=True
    )
    for place, name in [(d.streets[0], NAMES["street"]), (d.communities[0], NAMES["community"])]:
        core_services.place_update(
            actor=d.root, place=place, name=name, population=place.population,
            households=place.households,
        )  # fmt: skip
    client.force_login(world.dispatcher)
    for group, typed in NAMES.items():
        response = client.get("/services/metrics/", {"group": group, "format": "xlsx"})
        assert response.status_code == 200
        book = load_workbook(io.BytesIO(response.content))
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (group, cell.coordinate, cell.value)
                    if isinstance(cell.value, str):
                        assert cell.data_type == "s" and inert(cell.value), (group, cell.value)
        rows = list(book["三率统计"].iter_rows(min_row=2))
        ours = next(row for row in rows if row[0].value == "'" + typed)
        assert ours[1].value == (1 if group == "department" else 2)  # 诉求数
        assert ours[1].data_type == "n" and isinstance(ours[2].value, int | float)
        assert rows[-1][0].value == "合计" and rows[-1][1].data_type == "n"
