"""The burden index's time shares in a browser: a community worker logs service and
self-government time on a phone; the coordinator sees the shares beside the task hours."""

import pytest

from admission import services as admission
from admission.tests.conftest import application, decide
from core.testing import build_small_district
from tests.browser.conftest import PHONE, signed_in, submit
from workload import services
from workload.models import TimeLog


@pytest.fixture
def district(transactional_db):
    d = build_small_district()
    admission.lists_seed(actor=d.root, district=d.district)
    request = admission.request_submit(
        **application(d, d.users["department_officer:own"], frequency="monthly")
    )
    decide(d, request)
    request.refresh_from_db()
    [task] = services.tasks_dispatch(
        actor=d.users["department_officer:own"], item=request.admitted_item,
        communities=[d.communities[0]], title="本月高龄津贴申报材料", due_in_working_days=5,
        dispatch_token="browser-batch",  # noqa: S106 - a form token, not a password
    )  # fmt: skip
    services.task_complete(actor=d.users["community_worker:own"], task=task, minutes_spent=120)
    return d


def log_time(page, category, minutes, note):
    page.goto("/workload/time/")
    page.check(f"input[name=category][value={category}]")
    page.fill("#id_minutes", str(minutes))
    page.fill("#id_note", note)
    submit(page, "#log button.primary")  # (answered at workload/time/, where it was)


def test_worker_logs_time_and_the_burden_page_shows_the_shares(new_page, district):
    d = district
    worker = signed_in(new_page, d.logins["community_worker:own"], PHONE)
    log_time(worker, "service", 60, "为独居老人代购药品")
    log_time(worker, "self_government", 60, "楼道议事会")
    assert "楼道议事会" in worker.locator("#time-table").inner_text()
    assert TimeLog.objects.count() == 2
    coordinator = signed_in(new_page, d.logins["coordinator:own"])
    coordinator.goto(f"/workload/burden/?community={d.communities[0].pk}")
    shares = coordinator.locator("#time-shares")
    assert shares.locator("[data-share=administration]").inner_text() == "50%"
    assert shares.locator("[data-share=service]").inner_text() == "25%"
    assert shares.locator("[data-share=self_government]").inner_text() == "25%"
    row = coordinator.locator(f"[data-shares='{d.communities[0].pk}']").inner_text()
    assert row == "50% / 25% / 25%"
