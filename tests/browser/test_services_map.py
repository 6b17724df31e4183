"""The map pin on a phone: a resident taps the map, the coordinates fill in, the request keeps
them and its page shows the pin. No map tiles are configured, so the map is the plain grid."""

import pytest

from core.testing import build_small_district
from services.models import ServiceRequest
from tests.browser.conftest import PHONE, screenshots, signed_in

shot = screenshots("services-map-")


@pytest.fixture
def district(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_small_district()


def test_resident_drops_a_pin_on_a_phone(new_page, district):
    phone = signed_in(new_page, district.logins["resident:own"], PHONE)
    phone.goto("/services/new/?free=1")
    phone.wait_for_selector("#pin-map[data-ready='1']")
    # The map sits right above the coordinate inputs and fits the phone's width.
    box = phone.locator("#pin-map").bounding_box()
    assert box["width"] <= PHONE["width"] and box["height"] >= 150
    assert phone.locator("#pin-field + .field #id_lat").count() == 1
    assert phone.locator("#id_lat").input_value() == ""
    phone.fill("#id_description", "人行道地砖松动，老人差点绊倒")
    phone.locator("#pin-map").click(position={"x": box["width"] / 2 + 30, "y": 80})
    lat, lng = phone.locator("#id_lat").input_value(), phone.locator("#id_long").input_value()
    assert lat and lng
    assert 31 < float(lat) < 33 and 118 < float(lng) < 119.5  # around the configured centre
    assert phone.locator("#pin-map .pin-marker").count() == 1
    shot(phone, "1-form")
    # Clearing removes the pin and the coordinates; a second tap puts them back.
    phone.click("[data-pin-clear]")
    assert phone.locator("#id_lat").input_value() == ""
    assert phone.locator("#pin-map .pin-marker").count() == 0
    phone.locator("#pin-map").click(position={"x": box["width"] / 2, "y": 100})
    lat, lng = phone.locator("#id_lat").input_value(), phone.locator("#id_long").input_value()
    phone.click("#submit-request")
    phone.wait_for_url("**/services/requests/*/")
    request = ServiceRequest.objects.get()
    assert abs(float(request.lat) - float(lat)) < 1e-6
    assert abs(float(request.long) - float(lng)) < 1e-6
    phone.wait_for_selector("#pin-map .pin-marker")
    assert lat[:6] in phone.locator("#pin-coords").inner_text()
    shot(phone, "2-detail")


def test_typed_coordinates_out_of_range_are_refused(new_page, district):
    phone = signed_in(new_page, district.logins["resident:own"], PHONE)
    phone.goto("/services/new/?free=1")
    phone.fill("#id_description", "路面积水")
    phone.fill("#id_lat", "95")
    phone.fill("#id_long", "118.8")
    phone.click("#submit-request")
    assert "纬度超出范围" in phone.locator(".form-errors").inner_text()
    assert ServiceRequest.objects.count() == 0
