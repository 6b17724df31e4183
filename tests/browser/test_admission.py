"""The admission gate in a browser: a department applies, the coordinator approves, the task
reaches a community, a worker completes it on a phone, and the ledger and burden pages show it;
an application on the negative list is refused at once."""

import datetime

import pytest
from playwright.sync_api import expect

from admission import services as admission
from admission.models import AdmissionRequest
from core import calendar as workcal
from core.testing import build_small_district
from tests.browser.conftest import PHONE, screenshots, signed_in, submit
from workload.models import Task

shot = screenshots()


@pytest.fixture
def district(transactional_db):
    d = build_small_district()
    admission.lists_seed(actor=d.root, district=d.district)
    return d


def fill_application(page, d, title, funding="3600"):
    today = workcal.local_today()
    page.goto("/admission/requests/new/")
    page.select_option("#id_kind", "work_item")
    page.fill("#id_title", title)
    page.fill("#id_description", "每月收集辖区高龄老人津贴申报材料并初审。")
    page.fill("#id_legal_basis", "《中华人民共和国老年人权益保障法》")
    for community in d.communities[:2]:  # the community picker's boxes (core.widgets)
        page.check(f"input[name=communities][value='{community.pk}']")
    page.select_option("#id_frequency", "monthly")
    page.fill("#id_minutes_per_community", "120")
    page.fill("#id_funding", funding)
    page.fill("#id_period_start", today.isoformat())
    page.fill("#id_period_end", (today + datetime.timedelta(days=365)).isoformat())
    submit(page, "#request-form button.primary")  # (its URL, requests/new/, is requests/*/ too)


def test_application_to_completed_task_and_negative_refusal(new_page, district):
    d = district
    officer = signed_in(new_page, d.logins["department_officer:own"])
    # The published lists are there for everyone; the certificate list says where to go instead.
    officer.goto("/admission/lists/?kind=certificate")
    assert "无犯罪记录证明" in officer.locator("table[data-list=certificate]").inner_text()
    fill_application(officer, d, "高龄津贴申报材料收集")
    assert officer.locator("[data-status]").inner_text() == "审核中"
    shot(officer, "request-under-review")
    request = AdmissionRequest.objects.get(title="高龄津贴申报材料收集")

    # A negative-list application is refused on the spot, citing the entry.
    fill_application(officer, d, "社区协助完成年度招商引资任务")
    assert officer.locator("[data-status]").inner_text() == "负面清单，不予准入"
    refusal = officer.locator("[data-finding=negative]").inner_text()
    assert "FM-01" in refusal and "厅字〔2022〕28号" in refusal
    shot(officer, "request-refused-negative")

    coordinator = signed_in(new_page, d.logins["coordinator:own"])
    assert "高龄津贴申报材料收集" in coordinator.locator("main").inner_text()  # workbench card
    coordinator.goto(f"/admission/requests/{request.pk}/")
    coordinator.fill("#id_opinion", "依据明确，经费落实，提请联席会议审议。")
    coordinator.click("#prepare button.primary")
    expect(coordinator.locator("[data-status]")).to_have_text("待联席会议审议")
    # The joint meeting: date, departments and attendees, then its decision on the request.
    coordinator.click("text=记录联席会议决定")
    coordinator.wait_for_url("**/admission/meetings/")
    assert "高龄津贴申报材料收集" in coordinator.locator("#waiting").inner_text()
    for department in d.departments:
        coordinator.check(f"#record input[name=departments][value='{department.pk}']")
    coordinator.fill("#id_attendees", "区减负办 张主任\n民政局 李科长\n城管局 王科长")
    shot(coordinator, "meeting-record")
    coordinator.click("#record button.primary")
    coordinator.wait_for_url("**/admission/meetings/*/")
    coordinator.select_option("#id_request", str(request.pk))
    coordinator.check("input[name=decision][value=approve_conditions]")
    coordinator.fill("#id_conditions", "材料由民政系统共享导入，社区只核对。")
    coordinator.click("#decide button.primary")
    expect(coordinator.locator("#decisions")).to_contain_text("高龄津贴申报材料收集")
    shot(coordinator, "meeting-decided")
    coordinator.goto(f"/admission/requests/{request.pk}/")
    assert coordinator.locator("[data-status]").inner_text() == "附条件准入"
    assert coordinator.locator("[data-meeting]").count() == 1
    number = coordinator.locator("[data-admitted]").get_attribute("data-admitted")
    shot(coordinator, "request-approved")

    officer.goto("/workload/tasks/")
    item = AdmissionRequest.objects.get(pk=request.pk).admitted_item
    submit(officer, f"a[href='/workload/dispatch/{item.pk}/']")
    officer.fill("#id_title", "本月高龄津贴申报材料")
    officer.check("#id_all_communities")
    officer.fill("#id_due_in_working_days", "5")
    officer.click("main button.primary")
    officer.wait_for_url("**/workload/tasks/")
    assert Task.objects.filter(item__number=number).count() == 2

    worker = signed_in(new_page, d.logins["community_worker:own"], PHONE)
    card = worker.locator("[data-card='待办的社区任务']")
    assert "本月高龄津贴申报材料" in card.inner_text()
    shot(worker, "worker-workbench-phone")
    submit(worker, card.locator("a", has_text="本月高龄津贴申报材料"))
    worker.fill("#id_minutes_spent", "95")
    worker.fill("#id_result", "已收齐12份申报材料并初审。")
    shot(worker, "task-phone")
    worker.click("#complete button.primary")
    expect(worker.locator("[data-status]")).to_have_text("已完成")
    worker.goto("/workload/ledger/")
    ledger = worker.locator("main table").inner_text()
    assert "任务完成" in ledger and number in ledger
    shot(worker, "ledger-phone")

    coordinator.goto(f"/workload/burden/?community={d.communities[0].pk}")
    table = coordinator.locator("#burden-table").inner_text()
    assert d.communities[0].name in table
    coordinator.wait_for_function("() => document.querySelector('#trend-chart canvas') !== null")
    shot(coordinator, "burden-desktop")
    # Every community sees the decision and its conditions.
    other = signed_in(new_page, d.logins["community_worker:other"])
    other.goto("/admission/decisions/")
    decisions = other.locator("main table").inner_text()
    assert "高龄津贴申报材料收集" in decisions and "只核对" in decisions
    assert "招商引资" in decisions
