"""On a phone: a coordinator adds a catalogue item; a department objects to a dispatch (派单异议)
and the dispatcher upholds it, redispatching to the suggested department."""

from services import services as request_services
from services.models import ServiceItem, ServiceRequest, State
from tests.browser.conftest import PHONE, screenshots, signed_in, submit

shot = screenshots("services-steps-")


def test_coordinator_adds_a_catalogue_item_on_a_phone(new_page, district):
    phone = signed_in(new_page, district.logins["coordinator:own"], PHONE)
    phone.goto("/services/catalogue/")
    phone.click("#item-new")
    phone.fill("#id_code", "MZ-050")
    phone.fill("#id_name", "高龄津贴咨询")
    phone.select_option("#id_category", "enquiry")
    phone.select_option("#id_lead_department", str(district.departments[0].pk))
    shot(phone, "1-item-new")
    submit(phone, "#item-new-form button.primary")  # (catalogue/new/ is catalogue/*/ too)
    assert "v1" in phone.locator("h1").inner_text()
    item = ServiceItem.objects.get(code="MZ-050")
    assert item.deadline_days == 3 and item.version == 1
    assert phone.locator("#item-versions li").count() == 1
    # A taken code is refused on the page, in Chinese.
    phone.goto("/services/catalogue/new/")
    phone.fill("#id_code", "MZ-050")
    phone.fill("#id_name", "重复")
    phone.select_option("#id_lead_department", str(district.departments[0].pk))
    phone.click("#item-new-form button.primary")
    assert "已存在" in phone.locator(".form-errors").inner_text()
    shot(phone, "2-item-taken")


def test_department_objects_to_a_dispatch_and_it_is_upheld(new_page, district):
    resident = district.users["resident:own"]
    request = request_services.request_submit(
        actor=resident, place=district.grids[0], description="小区绿化带里堆满建筑垃圾",
        resident=resident.person,
    )  # fmt: skip
    coordinator = district.users["coordinator:own"]
    request_services.request_accept(actor=coordinator, request=request)
    request_services.request_dispatch(
        actor=coordinator, request=request, department=district.departments[0]
    )
    phone = signed_in(new_page, district.logins["department_officer:own"], PHONE)
    phone.goto(f"/services/requests/{request.pk}/")
    phone.click("#object-box summary")
    phone.fill("#object-note", "建筑垃圾清运属城管职责")
    phone.select_option("#object-suggested", str(district.departments[1].pk))
    shot(phone, "3-object")
    submit(phone, "#object-box button.danger")
    assert "派单异议" in phone.locator("#timeline").inner_text()
    desk = signed_in(new_page, district.logins["coordinator:own"])
    desk.goto(f"/services/requests/{request.pk}/")
    application = request.applications.get()
    select = f"#object-to-{application.pk}"
    assert desk.locator(select).input_value() == str(district.departments[1].pk)
    shot(desk, "4-decide")
    submit(desk, "button[value=approve]")
    assert "异议成立，改派" in desk.locator("#timeline").inner_text()
    request.refresh_from_db()
    assert request.state == State.DISPATCHED and request.lead_department == district.departments[1]
    assert ServiceRequest.objects.count() == 1
