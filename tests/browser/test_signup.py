"""A resident signs up on a phone with the console SMS backend (issue #15 item 5): from the login
page to a code, a password and the request to be linked to their registry record; the community
worker approves it and the resident's account is theirs."""

import re

import pytest

from core import services
from tests.browser.conftest import PHONE, screenshots, signed_in

shot = screenshots("signup-")
NUMBER = "13912345678"
ID = "320104195001011237"
PASSWORD = "Kaiyuan-2026-lu"  # noqa: S105 - a test account only


@pytest.fixture
def console_sms(settings):
    from notify import sms

    settings.SMS = {"BACKEND": "console"}
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_resident_signs_up_on_a_phone_and_is_linked(new_page, district, console_sms):
    d = district
    services.person_register(actor=d.root, place=d.grids[0], name="王秀英", id_number=ID)
    page = new_page(viewport=PHONE)
    page.goto("/login/")
    page.click("#login-links >> text=居民注册")
    page.wait_for_url("**/signup/")
    assert fits_the_phone(page)
    # The code first: the other fields may stay empty for this button.
    page.fill("#id_mobile", NUMBER)
    page.click("#send-code")
    page.get_by_text("短信已发送到139****5678").wait_for()
    code = re.search(r"验证码是(\d{6})", console_sms[-1]["text"]).group(1)
    assert console_sms[-1]["phone"] == NUMBER
    page.fill("#id_code", code)
    page.fill("#id_password", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    shot(page, "form")
    page.click("#finish")
    page.wait_for_url("**/account/link/")
    assert "注册成功" in page.content() and fits_the_phone(page)

    page.select_option("#id_community", str(d.communities[0].pk))
    page.fill("#id_name", "王秀英")
    page.fill("#id_id_number", ID)
    page.click("#account-link button.primary")
    page.locator("#link-pending").wait_for()
    shot(page, "pending")
    assert fits_the_phone(page)

    worker = signed_in(new_page, d.logins["community_worker:own"], PHONE)
    worker.goto("/account/links/")
    worker.get_by_text("手机号不一致").wait_for()  # the record has no mobile number
    worker.click("button[value=approve]")
    worker.get_by_text("已关联，居民账号可以使用了。").wait_for()
    assert fits_the_phone(worker)

    page.goto("/account/link/")
    page.get_by_text("您的账号已关联居民信息：王秀英").wait_for()
    # The account signs in by its mobile number and lands on the workbench now.
    again = signed_in(new_page, NUMBER, PHONE, password=PASSWORD)
    assert again.url.endswith("/")
