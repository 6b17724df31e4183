"""A street office through the gate in a browser (issue #13): its street officer applies for the
street's communities citing the street power list, the joint meeting admits it, the officer
sends a task (other work under the item is refused on the page) and it reaches a community
worker's workbench on a phone."""

import datetime

import pytest

from admission import services as admission
from admission.models import AdmissionRequest, ListKind
from admission.tests.conftest import decide
from core import calendar as workcal
from core.testing import build_small_district
from tests.browser.conftest import PHONE, screenshots, signed_in, submit
from workload.models import Task

shot = screenshots("street-")


@pytest.fixture
def district(transactional_db):
    d = build_small_district()
    admission.lists_seed(actor=d.root, district=d.district)
    return d


def test_a_street_office_applies_and_its_task_reaches_a_community(new_page, district):
    d = district
    today = workcal.local_today()
    power = admission.entries_in_force(d.district, ListKind.POWER).get(key="JD-03")
    officer = signed_in(new_page, d.logins["street_officer:own"])
    officer.goto("/admission/requests/new/")
    heading = officer.locator("h1").inner_text()
    assert "第1街道办事处" in heading
    # Only the street's own communities are offered.
    assert officer.locator(f"input[name=communities][value='{d.communities[2].pk}']").count() == 0
    officer.select_option("#id_kind", "work_item")
    officer.fill("#id_title", "居民议事协商会议指导")
    officer.fill("#id_description", "指导居委会每季度召开一次居民议事协商会议。")
    officer.select_option("#id_cited_entry", str(power.pk))
    officer.check("#id_all_communities")
    officer.select_option("#id_frequency", "quarterly")
    officer.fill("#id_minutes_per_community", "120")
    officer.fill("#id_funding", "2000")
    officer.fill("#id_period_start", today.isoformat())
    officer.fill("#id_period_end", (today + datetime.timedelta(days=365)).isoformat())
    shot(officer, "apply")
    submit(officer, "#request-form button.primary")  # (requests/new/ is requests/*/ too)
    assert officer.locator("[data-status]").inner_text() == "审核中"
    request = AdmissionRequest.objects.get(title="居民议事协商会议指导")
    assert request.department.street == d.streets[0]

    decide(d, request)  # the coordinator and the joint meeting (their pages: test_admission)
    item = AdmissionRequest.objects.get(pk=request.pk).admitted_item

    officer.goto("/workload/tasks/")
    submit(officer, f"a[href='/workload/dispatch/{item.pk}/']")
    officer.fill("#id_title", "寒潮安全提醒")
    officer.check("#id_all_communities")
    submit(officer, "main button.primary")
    assert "内容不符" in officer.locator("main").inner_text()
    assert not Task.objects.exists()
    officer.fill("#id_title", "第二季度居民议事协商会议")
    officer.fill("#id_description", "请于本季度内召开居民议事协商会议，街道派员列席指导。")
    officer.check("#id_all_communities")
    officer.click("main button.primary")
    officer.wait_for_url("**/workload/tasks/")
    assert Task.objects.filter(item=item).count() == 2
    shot(officer, "tasks")

    worker = signed_in(new_page, d.logins["community_worker:own"], PHONE)
    card = worker.locator("[data-card='待办的社区任务']")
    assert "第二季度居民议事协商会议" in card.inner_text()
    submit(worker, card.locator("a", has_text="第二季度居民议事协商会议"))
    assert "第1街道办事处" in worker.locator("main").inner_text()
    shot(worker, "task-phone")
