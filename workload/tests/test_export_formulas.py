"""Formula injection: task titles and results typed by people, and place names, come back from
the ledger (台账) and burden workbooks as inert text; minutes and shares stay numbers."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from admission import services as admission
from admission.tests.conftest import application, decide
from core import services as core_services
from core.testing import PASSWORD
from core.tests.test_exports import inert
from workload import services

pytestmark = pytest.mark.django_db

TYPED = ['=HYPERLINK("http://x","y")', "＝1+1", "+1+2", "-1+2", "@SUM(A1)", "\t=1"]


def text_cells(content: bytes):
    sheet = load_workbook(io.BytesIO(content)).active
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
            if isinstance(cell.value, str):
                assert cell.data_type == "s" and inert(cell.value), (cell.coordinate, cell.value)
    return sheet


def admitted(d, n):
    """Another admitted item (one task per community and month per item)."""
    request = admission.request_submit(
        **application(
            d, d.users["department_officer:own"], title=f"入户走访登记{n}",
            submit_token=f"formula-item-{n}", communities=d.communities[:2], frequency="monthly",
        )
    )  # fmt: skip
    decide(d, request)
    request.refresh_from_db()
    return request.admitted_item


def test_ledger_writes_typed_titles_and_results_as_text(client, d, item):
    officer, worker = d.users["department_officer:own"], d.users["community_worker:own"]
    items = [item, admitted(d, 1), admitted(d, 2)]
    for n, (each, title, result) in enumerate(zip(items, TYPED[:3], TYPED[3:], strict=True)):
        [task] = services.tasks_dispatch(
            actor=officer, item=each, communities=[d.communities[0]], title=title,
            description=each.title, due_in_working_days=5, dispatch_token=f"formula-{n}",
        )  # fmt: skip
        services.task_complete(actor=worker, task=task, minutes_spent=15 + n, result=result)
    assert client.login(username=d.logins["community_worker:own"], password=PASSWORD)
    response = client.get(reverse("workload:ledger_xlsx"), {"community": d.communities[0].pk})
    assert response.status_code == 200
    sheet = text_cells(response.content)
    rows = [row for row in sheet.iter_rows(min_row=2) if row[1].value == "任务完成"]
    assert len(rows) == 3
    # Titles and results as typed (clean_text folds the tab), each behind an apostrophe.
    typed = ["'" + " ".join(t.split()) for t in TYPED]
    assert sorted(row[5].value for row in rows) == sorted(typed[:3])  # 任务
    assert sorted(row[8].value for row in rows) == sorted(typed[3:])  # 说明: the result
    assert sorted(row[7].value for row in rows) == [15, 16, 17]  # minutes, still numbers
    assert all(row[7].data_type == "n" for row in rows)


def test_burden_writes_a_typed_community_name_as_text(client, d, item):
    community = d.communities[0]
    core_services.place_update(
        actor=d.root, place=community, name='=HYPERLINK("http://x","y")',
        population=community.population, households=community.households,
    )  # fmt: skip
    officer, worker = d.users["department_officer:own"], d.users["community_worker:own"]
    [task] = services.tasks_dispatch(
        actor=officer, item=item, communities=[community], title="＝1+1",
        description=item.title, due_in_working_days=5, dispatch_token="formula-burden",
    )  # fmt: skip
    services.task_complete(actor=worker, task=task, minutes_spent=30, result="-1+2")
    assert client.login(username=d.logins["coordinator:own"], password=PASSWORD)
    response = client.get(reverse("workload:burden_xlsx"))
    assert response.status_code == 200
    sheet = text_cells(response.content)
    ours = [row for row in sheet.iter_rows(min_row=2) if row[0].value.startswith("'=HYPER")]
    assert ours and ours[0][0].value == """'=HYPERLINK("http://x","y")"""
    for row in ours:
        assert all(cell.data_type == "n" for cell in row[2:])  # counts, minutes and shares
