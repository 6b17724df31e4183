"""Each role logs in through the real login page and sees its own workbench."""

import pytest

from core.models import Role
from core.testing import PASSWORD, build_small_district
from tests.browser.conftest import PHONE, log_in

MOBILE_ROLES = {Role.RESIDENT, Role.GRID_WORKER}


@pytest.fixture
def district(transactional_db):
    return build_small_district()


def test_every_role_sees_its_workbench(new_page, district):
    for role in Role:
        viewport = PHONE if role in MOBILE_ROLES else None
        page = new_page(viewport=viewport) if viewport else new_page()
        log_in(page, district.logins[f"{role}:own"], PASSWORD)
        page.wait_for_url("**/")
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


def test_wrong_password_is_refused_in_chinese_then_locks(new_page, district, settings):
    page = new_page()
    for _attempt in range(settings.LOGIN_MAX_FAILURES):
        log_in(page, district.logins["coordinator:own"], "wrong-password-1")
        assert "用户名/手机号或密码不正确" in page.locator(".form-errors").inner_text()
    # Locked now: even the right password is refused, with the reason.
    log_in(page, district.logins["coordinator:own"], PASSWORD)
    assert "已暂时锁定" in page.locator(".form-errors").inner_text()
    assert page.url.endswith("/login/")


def test_resident_logs_in_by_mobile_on_a_phone_and_switches_to_english(new_page, district):
    page = new_page(viewport=PHONE)
    log_in(page, district.logins["resident:own"], PASSWORD)
    page.wait_for_url("**/")
    assert page.locator("h1").inner_text() == "工作台"
    # The menu is folded on a phone and opens with the menu button.
    assert not page.locator("nav.nav").is_visible()
    page.click("label.nav-button")
    assert page.locator("nav.nav").is_visible()
    page.click("button[name=language][value=en]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Workbench"
