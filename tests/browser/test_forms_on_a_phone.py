"""Forms on a phone (issue #21 item 5): the community picker (core.widgets.PlacePicker with
static/js/place_picker.js) filters by name, ticks a whole street and counts what is chosen;
"使用当前定位" says so when the permission is refused instead of failing silently."""

import datetime

import pytest

from admission import services as admission
from admission.models import AdmissionRequest
from core import calendar as workcal
from core.testing import build_small_district
from tests.browser.conftest import DESKTOP, PHONE, screenshots, signed_in, submit

shot = screenshots("forms-")


@pytest.fixture
def district(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    d = build_small_district()
    admission.lists_seed(actor=d.root, district=d.district)
    return d


def _box(page, place):
    return page.locator(f"input[name=communities][value='{place.pk}']")


def _street_box(page, street):
    return page.locator(f"input[name=communities__street][value='{street.pk}']")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_picker_searches_and_chooses_a_whole_street(new_page, district, viewport):
    d = district
    page = signed_in(new_page, d.logins["department_officer:own"], viewport)
    page.goto("/admission/requests/new/")
    picker = page.locator("[data-place-picker]")
    search = picker.locator("[data-pp-search]")
    search.wait_for()  # the script shows the search box
    assert page.locator("label[for=id_communities_search]").inner_text().startswith("涉及社区")
    count = picker.locator("[data-pp-count]")
    assert count.inner_text() == "已选 0 个社区"
    # Searching by name leaves only the matching community; a street without one is hidden.
    search.fill("第2街道第1")
    assert _box(page, d.communities[2]).is_visible()
    for other in (d.communities[0], d.communities[1], d.communities[3]):
        assert not _box(page, other).is_visible()
    assert not _street_box(page, d.streets[0]).is_visible()
    shot(page, f"picker-search-{viewport['width']}")
    search.fill("没有这个社区")
    assert picker.locator("[data-pp-none]").is_visible()
    search.fill("")
    # The whole street: both its communities are ticked and counted; the other street is not.
    _street_box(page, d.streets[0]).check()
    assert _box(page, d.communities[0]).is_checked() and _box(page, d.communities[1]).is_checked()
    assert not _box(page, d.communities[2]).is_checked()
    assert count.inner_text() == "已选 2 个社区"
    # Unticking one community leaves the street half-ticked.
    _box(page, d.communities[1]).uncheck()
    street = _street_box(page, d.streets[0])
    assert not street.is_checked() and street.evaluate("box => box.indeterminate")
    assert count.inner_text() == "已选 1 个社区"
    _street_box(page, d.streets[1]).check()
    assert count.inner_text() == "已选 3 个社区"
    shot(page, f"picker-chosen-{viewport['width']}")
    # What is sent is what was ticked.
    page.select_option("#id_kind", "work_item")
    page.fill("#id_title", "居家养老服务需求摸底")
    page.fill("#id_legal_basis", "《江苏省养老服务条例》")
    page.select_option("#id_frequency", "once")
    page.fill("#id_minutes_per_community", "60")
    today = workcal.local_today()
    page.fill("#id_period_start", today.isoformat())
    page.fill("#id_period_end", (today + datetime.timedelta(days=90)).isoformat())
    submit(page, "#request-form button.primary")  # (its URL, requests/new/, is requests/*/ too)
    request = AdmissionRequest.objects.get(title="居家养老服务需求摸底")
    chosen = {c.pk for c in request.communities.all()}
    assert chosen == {d.communities[0].pk, d.communities[2].pk, d.communities[3].pk}


def test_a_refused_location_permission_is_said_on_the_page(new_page, district):
    phone = signed_in(new_page, district.logins["resident:own"], PHONE)
    phone.context.clear_permissions()  # geolocation not granted: the browser refuses it
    phone.goto("/services/new/?free=1")
    phone.wait_for_selector("#pin-map[data-ready='1']")
    status = phone.locator("[data-pin-status]")
    assert status.inner_text() == ""
    phone.click("[data-pin-locate]")
    status.filter(has_text="没有允许").wait_for()
    assert "点击地图" in status.inner_text() and "error" in status.get_attribute("class")
    assert phone.locator("[data-pin-locate]").is_enabled()  # may be tried again
    shot(phone, "geolocation-denied")


def test_a_granted_location_places_the_pin_and_says_so(new_page, district):
    phone = signed_in(new_page, district.logins["resident:own"], PHONE)
    phone.context.grant_permissions(["geolocation"])
    phone.context.set_geolocation({"latitude": 32.0415, "longitude": 118.7842})
    phone.goto("/services/new/?free=1")
    phone.wait_for_selector("#pin-map[data-ready='1']")
    phone.click("[data-pin-locate]")
    phone.locator("[data-pin-status]").filter(has_text="已按当前位置").wait_for()
    assert phone.locator("#id_lat").input_value() == "32.0415"
    assert phone.locator("#id_long").input_value() == "118.7842"
