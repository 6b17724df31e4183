"""Issue #18 item 4's walk-through, on phones: a resident files a request of an item handled at
物业; it goes straight to the property company whose contract for the resident's compound is in
force; the company's staff member signs it and answers; the resident rates it; the community
reads the company's yearly evaluation with the request counted."""

import pytest
from playwright.sync_api import expect

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
    expect(staff.locator("#state")).to_have_text("办理中")
    staff.fill("#property_close-note", "已更换3幢楼道灯")
    staff.fill("#property_close-internal_note", "灯具费用走公共维修")
    shot(staff, "3-answer")
    staff.click("#property_close-form button")
    expect(staff.locator("#state")).to_have_text("已办结")

    phone.reload()
    assert "灯具费用" not in phone.content()
    assert "已更换3幢楼道灯" in phone.locator("#answer").inner_text()
    phone.check("#rate-form input[value=satisfied]")
    phone.click("#rate-form button")
    expect(phone.locator("#state")).to_have_text("已评价")
    request.refresh_from_db()
    assert request.state == State.RATED

    worker = signed_in(new_page, district.logins["community_worker:own"], PHONE)
    worker.goto(f"/owners/compounds/{setup.compound.pk}/property/")
    row = worker.locator("#evaluation tbody tr").first.inner_text()
    assert "金陵物业" in row and "100.0%" in row
    shot(worker, "4-evaluation")
    worker.set_viewport_size({"width": 1366, "height": 900})
    shot(worker, "5-evaluation-wide")


def test_the_street_links_staff_to_companies_and_the_district_sets_deadlines(
    new_page, district, setup
):
    street = signed_in(new_page, district.logins["street_officer:own"], PHONE)
    street.goto("/owners/property/staff/")
    row = street.locator("#property-staff tr:has-text('property_staff-own')")
    row.locator("select").select_option(str(setup.company.pk))
    row.locator("button:has-text('登记')").click()
    street.get_by_text("已登记为该企业的工作人员。").wait_for()
    shot(street, "6-staff")
    desk = signed_in(new_page, district.logins["coordinator:own"], PHONE)
    desk.goto("/owners/property/rules/")
    desk.fill("#id_accept_days", "1")
    desk.fill("#id_finish_days", "3")
    desk.fill("#id_source", "区住建局物业管理通知")
    desk.fill("#id_effective_from", "2026-01-01")
    desk.click("button:has-text('保存')")
    desk.locator("#property-rules").get_by_text("区住建局物业管理通知").wait_for()
    shot(desk, "7-rules")
