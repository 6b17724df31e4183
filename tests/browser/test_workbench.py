"""Each role logs in through the real login page and sees its own workbench."""

import pytest

from core.models import Role
from core.testing import PASSWORD, build_small_district
from tests.browser.conftest import PHONE, log_in, on_workbench, signed_in, submit

MOBILE_ROLES = {Role.RESIDENT, Role.GRID_WORKER}


@pytest.fixture
def district(transactional_db):
    return build_small_district()


def test_every_role_sees_its_workbench(new_page, district):
    for role in Role:
        viewport = PHONE if role in MOBILE_ROLES else None
        page = new_page(viewport=viewport) if viewport else new_page()
        log_in(page, district.logins[f"{role}:own"], PASSWORD)
        page.wait_for_url(on_workbench)
        assert page.locator("h1").inner_text() == "工作台"
        roles_line = page.locator("main p.muted").first.inner_text()
        assert str(role.label) in roles_line, (role, roles_line)
        # Cards are scoped: "my places" lists only the place where this account serves.
        home = district.users[f"{role}:own"].role_assignments.get().place
        assert home.name in page.locator("[data-card='我的岗位与辖区']").inner_text()
        # What only some roles may open is offered only to them.
        nav = page.locator("nav.nav")
        assert (nav.locator("text=操作记录").count() == 1) == (role in {Role.ADMIN, Role.AUDITOR})
        assert (nav.locator("text=工作日历").count() == 1) == (role == Role.ADMIN)
        page.context.close()


def test_wrong_password_is_refused_in_chinese_then_asks_for_a_captcha(new_page, district, settings):
    """Was a 15-minute lock; now a CAPTCHA and a short wait, then the right password works."""
    import datetime

    import time_machine
    from captcha.models import CaptchaStore

    page = new_page()
    login = district.logins["coordinator:own"]
    start = datetime.datetime(2026, 12, 2, 1, 30, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=True) as clock:
        for _attempt in range(settings.LOGIN_CAPTCHA_AFTER):
            log_in(page, login, "wrong-password-1")
            assert "用户名/手机号或密码不正确" in page.locator(".form-errors").inner_text()
        # Not locked: the page asks for the CAPTCHA it shows, with the reason. (Waited for: an
        # image still loading has no size, and a loaded machine serves it late.)
        page.locator("img.captcha").wait_for(state="visible", timeout=15_000)
        log_in(page, login, PASSWORD)
        assert "请在1秒后再试" in page.locator(".form-errors").inner_text()
        assert page.url.endswith("/login/")
        clock.shift(settings.LOGIN_DELAY_SECONDS)
        key = page.locator("input[name=captcha_0]").get_attribute("value")
        page.fill("#id_username", login)
        page.fill("#id_password", PASSWORD)
        page.fill("#id_captcha_1", CaptchaStore.objects.get(hashkey=key).response)
        submit(page, "button.primary")
        page.wait_for_url(on_workbench)
        assert page.locator("h1").inner_text() == "工作台"


def test_resident_logs_in_by_mobile_on_a_phone_and_switches_to_english(new_page, district):
    page = signed_in(new_page, district.logins["resident:own"], PHONE)
    assert page.locator("h1").inner_text() == "工作台"
    # The menu is folded on a phone and opens with the menu button.
    assert not page.locator("nav.nav").is_visible()
    page.click("button.nav-button")
    assert page.locator("nav.nav").is_visible()
    submit(page, "button[name=language][value=en]")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Workbench"
