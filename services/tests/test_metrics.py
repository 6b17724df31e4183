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
    assert by_label["民政局"]["total"] == 2 and by_label["未分派"]["total"] == 1
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
    assert "metrics-data" in html and "投诉" in html
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
