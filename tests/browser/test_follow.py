"""Issue #15's walk-through, on phones: a resident signs up with an SMS code (console backend)
and is linked, files a request; the community worker follows it; the request is dispatched,
answered and closed; the worker's 消息 shows each public step (never the internal note); the
resident rates it."""

import re

import pytest
from playwright.sync_api import expect

from core import services
from services.models import ServiceRequest, State
from tests.browser.conftest import DESKTOP, PHONE, screenshots, signed_in

shot = screenshots("follow-")
NUMBER = "13912340001"
ID = "320104195001011237"
PASSWORD = "Kaiyuan-2026-lu"  # noqa: S105 - a test account only
INTERNAL = "内部派单说明：勿外传"


@pytest.fixture
def console_sms(settings):
    from notify import sms

    settings.SMS = {"BACKEND": "console"}
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


def sign_up_and_link(new_page, d, console_sms):
    services.person_register(actor=d.root, place=d.grids[0], name="王秀英", id_number=ID)
    page = new_page(viewport=PHONE)
    page.goto("/signup/")
    page.fill("#id_mobile", NUMBER)
    page.click("#send-code")
    page.get_by_text("短信已发送到139****0001").wait_for()
    code = re.search(r"验证码是(\d{6})", console_sms[-1]["text"]).group(1)
    page.fill("#id_code", code)
    page.fill("#id_password", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.click("#finish")
    page.wait_for_url("**/account/link/")
    page.select_option("#id_community", str(d.communities[0].pk))
    page.fill("#id_name", "王秀英")
    page.fill("#id_id_number", ID)
    page.click("#account-link button.primary")
    page.locator("#link-pending").wait_for()
    worker = signed_in(new_page, d.logins["community_worker:own"], PHONE)
    worker.goto("/account/links/")
    worker.click("button[value=approve]")
    worker.get_by_text("已关联，居民账号可以使用了。").wait_for()
    return page, worker


def test_a_follower_sees_each_step_and_the_filer_rates(new_page, district, console_sms):
    d = district
    phone, worker = sign_up_and_link(new_page, d, console_sms)

    phone.goto("/services/new/")
    phone.click("a[data-item='CG-002']")
    phone.fill("#id_a_bins", "2")
    phone.fill("#id_description", "小区东门垃圾桶满溢三天，气味很大")
    phone.click("#submit-request")
    phone.wait_for_url("**/services/requests/*/")
    request = ServiceRequest.objects.get()
    n = request.number

    # The community worker, on a phone, follows it from the request page.
    worker.goto(f"/services/requests/{request.pk}/")
    worker.click("#follow")
    worker.locator("#unfollow").wait_for()
    shot(worker, "1-followed")

    # The dispatcher accepts (with an internal note) and dispatches to 民政局; it answers.
    desk = signed_in(new_page, d.logins["coordinator:own"], DESKTOP)
    desk.goto(f"/services/requests/{request.pk}/")
    desk.select_option("#department", str(d.departments[0].pk))
    desk.fill("#dispatch-internal_note", INTERNAL)
    desk.click("button[value=accept_dispatch]")
    expect(desk.locator("#state")).to_have_text("待签收")
    officer = signed_in(new_page, d.logins["department_officer:own"], DESKTOP)
    officer.goto(f"/services/requests/{request.pk}/")
    officer.click("#sign-form button")
    expect(officer.locator("#state")).to_have_text("办理中")
    officer.fill("#answer-note", "已安排环卫车当天清运。")
    officer.click("#answer-form button")
    expect(officer.locator("#state")).to_have_text("已答复")
    desk.reload()
    desk.click("#close-form button")
    expect(desk.locator("#state")).to_have_text("已办结")

    # The follower's 消息 shows the public steps, not the internal note.
    worker.goto("/notifications/")
    shown = worker.locator("main").inner_text()
    shot(worker, "2-messages")
    for step in (
        "（关注）已受理",
        "（关注）已派单，由民政局办理",
        "（关注）部门已答复",
        "（关注）已办结",
    ):
        assert f"{n} {step}" in shown, step
    assert INTERNAL not in shown and "请您评价" not in shown
    assert INTERNAL in desk.locator("#timeline").inner_text()  # it was written, for staff
    # The filer rates it.
    phone.goto(f"/services/requests/{request.pk}/")
    phone.check("#rate-form input[value=satisfied]")
    phone.click("#rate-form button")
    expect(phone.locator("#state")).to_have_text("已评价")
    request.refresh_from_db()
    assert request.state == State.RATED
    shot(phone, "3-rated")
