"""The phone menu opens by keyboard and screen reader (issue #21, item 3): a real button, named
and saying whether the menu is open (aria-expanded, aria-controls), toggled by static/js/linli.js.
Without the script the menu is simply shown; on a desktop it is always shown."""

import pytest

from core.testing import PASSWORD, build_small_district
from tests.browser.conftest import DESKTOP, PHONE, log_in, on_workbench


@pytest.fixture
def district(transactional_db):
    return build_small_district()


def signed_in(new_page, district, viewport):
    page = new_page(viewport=viewport)
    log_in(page, district.logins["resident:own"], PASSWORD)
    page.wait_for_url(on_workbench)
    return page


def test_phone_menu_opens_and_closes_by_keyboard(new_page, district):
    page = signed_in(new_page, district, PHONE)
    button = page.get_by_role("button", name="菜单")
    menu = page.locator("nav#main-nav")
    assert button.get_attribute("aria-controls") == "main-nav"
    assert menu.get_attribute("aria-label") == "主菜单"
    assert button.get_attribute("aria-expanded") == "false"
    assert not menu.is_visible()
    # Reached with Tab like any control (nothing hides it from the accessibility tree).
    page.locator("body").focus()
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.hasAttribute('data-nav-toggle')"):
            break
    else:
        pytest.fail("Tab never reached the menu button")
    page.keyboard.press("Enter")
    assert button.get_attribute("aria-expanded") == "true"
    assert menu.is_visible()
    assert menu.get_by_role("link", name="诉求", exact=True).is_visible()
    page.keyboard.press("Escape")
    assert button.get_attribute("aria-expanded") == "false"
    assert not menu.is_visible()
    assert page.evaluate("document.activeElement.hasAttribute('data-nav-toggle')")
    page.keyboard.press("Space")
    assert menu.is_visible()
    button.click()
    assert not menu.is_visible()


def test_without_script_the_phone_menu_is_shown(
    browser, live_server, one_database_user_at_a_time, district
):
    context = browser.new_context(
        viewport=PHONE, locale="zh-CN", base_url=live_server.url, java_script_enabled=False
    )
    try:
        page = context.new_page()
        log_in(page, district.logins["resident:own"], PASSWORD)
        page.wait_for_url(on_workbench)
        assert not page.locator("button.nav-button").is_visible()
        assert page.locator("nav#main-nav").get_by_role("link", name="诉求").is_visible()
    finally:
        context.close()


def test_desktop_menu_needs_no_button(new_page, district):
    page = signed_in(new_page, district, DESKTOP)
    assert not page.locator("button.nav-button").is_visible()
    menu = page.get_by_role("navigation", name="主菜单")
    assert menu.is_visible()
    page.keyboard.press("Escape")  # nothing to close on a desktop
    assert menu.get_by_role("link", name="诉求", exact=True).is_visible()
