"""A request from a phone to a rating: resident submits, dispatcher routes, the department
answers late (the warning and 催办 appear), the dispatcher closes, the resident rates — all
through the real pages in Chromium."""

import base64
import datetime

from django.utils import timezone
from playwright.sync_api import expect

from core.testing import PASSWORD
from services import supervision
from services.models import ServiceRequest, State
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    log_in,
    on_workbench,
    screenshots,
    signed_in,
    submit,
)

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)
shot = screenshots("services-")


def test_resident_to_rating_walkthrough(new_page, district):
    # The resident, on a phone, picks an item and describes the problem.
    phone = signed_in(new_page, district.logins["resident:own"], PHONE)
    phone.goto("/services/new/")
    shot(phone, "1-choose")
    phone.click("a[data-item='CG-002']")
    phone.fill("#id_a_bins", "2")
    phone.fill("#id_description", "小区东门垃圾桶满溢三天，气味很大")
    phone.fill("#id_address", "东门岗亭旁")
    phone.set_input_files(
        "#id_photo",
        files=[{"name": "bin.png", "mimeType": "image/png", "buffer": PNG}],
    )
    shot(phone, "2-form")
    phone.click("#submit-request")
    phone.wait_for_url("**/services/requests/*/")
    assert phone.locator("#state").inner_text() == "待受理"
    shot(phone, "3-submitted")
    request = ServiceRequest.objects.get()
    assert request.grid == district.grids[0] and request.photo

    # The dispatcher routes it to the item's lead department (preselected) with a co-handler.
    desk = signed_in(new_page, district.logins["coordinator:own"])
    desk.goto("/services/dispatch/")
    submit(desk, f"#queue-submitted a:has-text('{request.number}')")
    assert desk.locator("#department").input_value() == str(district.departments[1].pk)
    desk.select_option("#co", str(district.departments[0].pk))
    shot(desk, "4-dispatch")
    desk.click("button[value=accept_dispatch]")
    expect(desk.locator("#state")).to_have_text("待签收")

    # The department signs and answers.
    officer = new_page(viewport=DESKTOP)
    # 城管局 (the item's lead) gets an officer account of its own.
    from core import services as core_services
    from core.models import Role

    person = core_services.person_register(
        actor=district.root, place=district.district, name="城管局干部", mobile="13900001111",
        username="cg-officer", password=PASSWORD, password_is_temporary=False,
        role=Role.DEPARTMENT_OFFICER,
        department=district.departments[1],
    )  # fmt: skip
    assert person.account
    log_in(officer, "cg-officer", PASSWORD)
    officer.wait_for_url(on_workbench)
    officer.goto("/services/department/")
    submit(officer, f"#queue-lead a:has-text('{request.number}')")
    officer.click("#sign-form button")
    expect(officer.locator("#state")).to_have_text("办理中")
    # The department is late: the deadline passes, the hourly supervision job warns (red),
    # sends the formal 催办 and escalates; the dispatcher adds a 催办 of their own.
    ServiceRequest.objects.filter(pk=request.pk).update(
        due_at=timezone.now() - datetime.timedelta(hours=2)
    )
    assert supervision.warn_due()["red"] == 1
    officer.reload()
    assert "已超期" in officer.locator("#due").inner_text()
    assert "红色预警" in officer.locator("#timeline").inner_text()
    desk.reload()
    desk.fill("#urge-internal_note", "已超期，请今天内答复居民")
    submit(desk, "#urge-form button")  # done before the officer looks
    officer.goto("/")
    assert "催办：已超期" in officer.locator("[data-card='待阅消息']").inner_text()
    officer.goto(f"/services/requests/{request.pk}/")
    assert "请今天内答复居民" in officer.locator("#timeline").inner_text()
    officer.fill("#answer-note", "已安排环卫车当天清运，并增加清运频次。")
    shot(officer, "5-answer")
    officer.click("#answer-form button")
    expect(officer.locator("#state")).to_have_text("已答复")

    # The dispatcher closes; the resident sees every step and rates it.
    desk.reload()
    desk.click("#close-form button")
    expect(desk.locator("#state")).to_have_text("已办结")
    phone.reload()
    timeline = phone.locator("#timeline").inner_text()
    for step in ("提交诉求", "受理", "派单", "签收", "答复", "办结"):
        assert step in timeline, step
    assert "已安排环卫车" in phone.locator("#answer").inner_text()
    phone.check("#rate-form input[value=satisfied]")
    shot(phone, "6-rate")
    phone.click("#rate-form button")
    expect(phone.locator("#state")).to_have_text("已评价")
    request.refresh_from_db()
    assert request.state == State.RATED and request.rating == "satisfied"
    shot(phone, "7-rated")
