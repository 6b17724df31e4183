"""Issue #18 item 4's walk-through, on phones: a resident files a request of an item handled at
物业; it goes straight to the property company whose contract for the resident's compound is in
force; the company's staff member signs it and answers; the resident rates it; the community
reads the company's yearly evaluation with the request counted."""

import pytest

from services.models import ServiceItem, ServiceRequest, State
from services.tests import property_world
from services.tests.conftest import World
from tests.browser.conftest import PHONE, screenshots, signed_in

shot = screenshots("property-")


@pytest.fixture
def setup(district):
    items = {item.code: item for item in ServiceItem.objects.filter(district=district.district)}
    world = World(district, items)
    made = property_world.make(world)
    property_world.property_item(world)
    return made


def test_a_property_request_goes_to_the_company_and_is_rated(new_page, district, setup):
    phone = signed_in(new_page, district.logins["resident:own"], PHONE)
    phone.goto("/services/new/")
    phone.click("a[data-item='CG-007']")
    phone.fill("#id_description", "3幢楼道灯坏了一个星期")
    phone.click("#submit-request")
    phone.wait_for_url("**/services/requests/*/")
    assert phone.locator("#state").inner_text() == "待签收"
    shot(phone, "1-routed")
    request = ServiceRequest.objects.get()
    assert request.property_routings.get().company == setup.company

    staff = signed_in(new_page, "wy-jinling", PHONE)
    staff.goto("/services/property/")
    shot(staff, "2-queue")
    staff.click(f"#queue-property a:has-text('{request.number}')")
    staff.locator("#property-routing").get_by_text("金陵物业").wait_for()
    staff.click("#property_accept-form button")
    assert staff.locator("#state").inner_text() == "办理中"
    staff.fill("#property_close-note", "已更换3幢楼道灯")
    staff.fill("#property_close-internal_note", "灯具费用走公共维修")
    shot(staff, "3-answer")
    staff.click("#property_close-form button")
    assert staff.locator("#state").inner_text() == "已办结"

    phone.reload()
    assert "灯具费用" not in phone.content()
    assert "已更换3幢楼道灯" in phone.locator("#answer").inner_text()
    phone.check("#rate-form input[value=satisfied]")
    phone.click("#rate-form button")
    assert phone.locator("#state").inner_text() == "已评价"
    request.refresh_from_db()
    assert request.state == State.RATED

    worker = signed_in(new_page, district.logins["community_worker:own"], PHONE)
    worker.goto(f"/owners/compounds/{setup.compound.pk}/property/")
    row = worker.locator("#evaluation tbody tr").first.inner_text()
    assert "金陵物业" in row and "100.0%" in row
    shot(worker, "4-evaluation")
    worker.set_viewport_size({"width": 1366, "height": 900})
    shot(worker, "5-evaluation-wide")
