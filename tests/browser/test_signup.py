"""A resident signs up on a phone with the console SMS backend (issue #15 item 5): from the login
page to a code, a password and the request to be linked to their registry record; the community
worker approves it and the resident's account is theirs."""

import re
from urllib.parse import urlsplit

import pytest

from core import services
from tests.browser.conftest import PHONE, on_workbench, screenshots, signed_in
from tests.browser.test_crawl import AXE, accessible_at_both_sizes

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
    page.context.add_init_script(path=str(AXE))  # WCAG 2.1 AA checks, as the crawl makes
    page.goto("/login/")
    page.click("#login-links >> text=居民注册")
    page.wait_for_url("**/signup/")
    assert fits_the_phone(page) and not accessible_at_both_sizes(page)
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
    page.goto("/account/link/")
    page.locator("#link-history").wait_for()
    assert not accessible_at_both_sizes(page)

    worker = signed_in(new_page, d.logins["community_worker:own"], PHONE)
    worker.context.add_init_script(path=str(AXE))
    worker.goto("/account/links/")
    worker.get_by_text("手机号不一致").wait_for()  # the record has no mobile number
    assert not accessible_at_both_sizes(worker)
    worker.click("button[value=approve]")
    worker.get_by_text("已关联，居民账号可以使用了。").wait_for()
    assert fits_the_phone(worker)

    page.goto("/account/link/")
    page.get_by_text("您的账号已关联居民信息：王秀英").wait_for()
    page.goto("/password-reset/")  # signed in: sent on to the workbench
    page.wait_for_url(on_workbench)
    # The account signs in by its mobile number and lands on the workbench now.
    again = signed_in(new_page, NUMBER, PHONE, password=PASSWORD)
    assert urlsplit(again.url).path == "/"


def test_a_staff_member_confirms_the_sign_in_by_sms_on_a_phone(
    new_page, district, console_sms, settings
):
    from core import personal_data
    from core.testing import PASSWORD as STAFF_PASSWORD

    settings.STAFF_SECOND_FACTOR = True
    d = district
    number = personal_data.decrypt(d.users["community_worker:own"].person.mobile_enc)
    page = new_page(viewport=PHONE)
    page.context.add_init_script(path=str(AXE))
    page.goto("/password-reset/")
    assert fits_the_phone(page) and not accessible_at_both_sizes(page)
    page.goto("/login/")
    page.fill("#id_username", d.logins["community_worker:own"])
    page.fill("#id_password", STAFF_PASSWORD)
    page.click("button.primary")
    page.wait_for_url("**/account/second-factor/**")
    page.click("#sms-enrol")
    page.locator("#sms-sent-to").wait_for()
    assert fits_the_phone(page) and not accessible_at_both_sizes(page)
    code = re.search(r"验证码是(\d{6})", console_sms[-1]["text"]).group(1)
    assert console_sms[-1]["phone"] == number
    page.fill("#id_code", code)
    page.click("button.primary")
    page.get_by_text("短信验证已设置").wait_for()
    assert urlsplit(page.url).path == "/"  # the workbench, signed in
