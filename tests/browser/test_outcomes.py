"""The district's one page in Chromium (issue #17 item 5), on the tiny demo district: every
trend chart is drawn, no script or CSP error, at phone (390×844) and desktop (1366×900) sizes,
for the page and its big screen; the big screen is dark, its numbers large, and its automatic
reload can be paused. Screenshots go
to $LINLI_SCREENSHOTS when set (tests/browser/conftest.screenshots)."""

import io

import pytest

from tests.browser.conftest import screenshots, signed_in

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    from core.demo import build_demo, demo_logins

    settings.MEDIA_ROOT = tmp_path / "media"
    build_demo("tiny", stdout=io.StringIO())
    return {entry["role"]: entry for entry in demo_logins(limit_per_role=1)}


def _open(page, url, errors):
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.wait_for_selector(".figures")
    charts = page.locator("[data-chart]")
    for i in range(charts.count()):
        charts.nth(i).locator("canvas").wait_for()
    return charts.count()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_page_and_big_screen_draw_every_chart_without_errors(
    new_page, demo, viewport, one_database_user_at_a_time
):
    shot = screenshots(f"outcomes-{viewport['width']}-")
    for role in ("coordinator", "street_officer"):
        entry = demo[role]
        page = signed_in(new_page, entry["login"], viewport=viewport, password=entry["password"])
        errors = []
        drawn = _open(page, "/outcomes/", errors)
        assert drawn >= 4, drawn
        # No figure card is wider than the screen (nothing cut off on a phone).
        widths = page.eval_on_selector_all(".figure", "els => els.map(e => e.scrollWidth)")
        assert max(widths) <= viewport["width"], widths
        shot(page, role)
        drawn_big = _open(page, "/outcomes/big/", errors)
        assert drawn_big == drawn
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(13, 22, 36)"
        size = page.eval_on_selector(
            ".figure-number", "e => parseFloat(getComputedStyle(e).fontSize)"
        )
        assert size >= (40 if viewport is DESKTOP else 32), size  # 2.8rem; 2.2rem on a phone
        shot(page, f"{role}-big")
        # The wall reloads itself, and whoever stands before it can pause that.
        pause = page.locator("[data-refresh-toggle]")
        pause.click()
        assert pause.get_attribute("aria-pressed") == "true"
        assert not errors, errors
