"""The property company's list (/services/property/) on the tiny demo district, as the first
community's property staff (qh-wy-c001 in the full demo) sees it: the demo's requests of 秀水苑
routed to 金陵物业, one not signed in time and one past its deadline to finish in red, on a phone
(390×844) and a desktop (1366×900), nothing wider than the screen. Screenshots go to
$LINLI_SCREENSHOTS when set (tests/browser/conftest.screenshots)."""

import io

import pytest

from tests.browser.conftest import PHONE, screenshots, signed_in

DESKTOP = {"width": 1366, "height": 900}
shot = screenshots("property-queue-")


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    from core.demo import build_demo, demo_logins

    settings.MEDIA_ROOT = tmp_path / "media"
    build_demo("tiny", stdout=io.StringIO())
    return next(entry for entry in demo_logins() if entry["role"] == "property_staff")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_companys_list_shows_the_demo_requests_and_what_is_late(new_page, demo, viewport):
    page = signed_in(new_page, demo["login"], viewport=viewport, password=demo["password"])
    page.goto("/services/property/")
    rows = page.locator("#queue-property tbody tr")
    assert rows.count() == 4
    assert page.locator("#queue-property .tone-alert").count() == 2
    late_sign = page.locator("#queue-property [data-due=sign].tone-alert")
    assert late_sign.count() == 1 and "签收" in late_sign.inner_text()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], width
    shot(page, f"{viewport['width']}")
