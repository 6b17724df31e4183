"""On a phone: a grid worker settles a request in the grid (accepts, answers with a photo, closes);
a street blows the whistle (吹哨) to two departments, both report (报到) and the street rates them."""

from PIL import Image

from core import services as core_services
from core.models import Role
from core.testing import PASSWORD
from services import services as request_services
from services.models import Level, ServiceItem, State, Whistle
from tests.browser.conftest import PHONE, screenshots, signed_in, submit

shot = screenshots("services-levels-")


def _file(district, place):
    resident = district.users["resident:own"]
    return request_services.request_submit(
        actor=resident, place=place, item=ServiceItem.objects.get(code="CG-007"),
        description="单元门上贴满了小广告", resident=resident.person,
    )  # fmt: skip


def test_a_grid_worker_settles_a_request_in_the_grid_on_a_phone(new_page, district, tmp_path):
    req = _file(district, district.grids[0])
    assert req.level == Level.GRID
    phone = signed_in(new_page, district.logins["grid_worker:own"], PHONE)
    phone.goto("/services/")
    submit(phone, "#local-link")
    shot(phone, "0-local-queue")
    phone.click(f"#queue-local a[href='/services/requests/{req.pk}/']")
    phone.wait_for_url(f"**/services/requests/{req.pk}/")
    assert "网格" in phone.locator("#level").inner_text()
    shot(phone, "1-grid-accept")
    submit(phone, "button[value=local_accept]")
    assert phone.locator("#state").inner_text() == "办理中"
    picture = tmp_path / "scene.png"
    Image.new("RGB", (64, 48), (40, 150, 70)).save(picture)
    phone.fill("#answer-note", "已清理单元门小广告，并提醒物业加强巡查")
    phone.set_input_files("#answer-photo", str(picture))
    shot(phone, "2-grid-answer")
    submit(phone, "button[value=answer]")
    assert phone.locator("#timeline img.sr-photo").count() == 1
    submit(phone, "button[value=local_close]")
    shot(phone, "3-grid-closed")
    req.refresh_from_db()
    assert req.state == State.CLOSED and req.level == Level.GRID
    assert req.lead_department_id is None
    assert req.events.get(kind="answer").photo


def test_a_street_blows_the_whistle_and_two_departments_report(new_page, district):
    d = district
    core_services.person_register(
        actor=d.root, place=d.district, name="城管局干部", mobile="13912340002",
        username="cg-officer", password=PASSWORD, password_is_temporary=False,
        role=Role.DEPARTMENT_OFFICER, department=d.departments[1],
    )  # fmt: skip
    grid, community = d.users["grid_worker:own"], d.users["community_worker:own"]
    req = _file(d, d.grids[0])
    req = request_services.request_local_accept(actor=grid, request=req)
    req = request_services.request_escalate(actor=grid, request=req, reason="涉及占道，需社区")
    req = request_services.request_sign(actor=community, request=req)
    req = request_services.request_escalate(actor=community, request=req, reason="需执法")
    street = signed_in(new_page, d.logins["street_officer:own"], PHONE)
    street.goto(f"/services/requests/{req.pk}/")
    submit(street, "button[value=sign]")
    street.click("#whistle-box summary")
    street.select_option(
        "#whistle-departments", [str(d.departments[0].pk), str(d.departments[1].pk)]
    )
    street.fill("#whistle-internal_note", "小广告背后是无证经营，需城管执法、民政核实困难户")
    shot(street, "4-whistle")
    submit(street, "button[value=whistle]")
    assert street.locator("#whistles li").count() == 2
    for login, words in (
        (d.logins["department_officer:own"], "民政已到场"),
        ("cg-officer", "执法队已到场"),
    ):
        officer = signed_in(new_page, login, PHONE)
        officer.goto(f"/services/requests/{req.pk}/")
        officer.fill("#report-note", words)
        shot(officer, "5-report")
        submit(officer, "button[value=report]")
    assert Whistle.objects.filter(request=req, reported_at__isnull=False).count() == 2
    for _ in range(2):
        street.goto(f"/services/requests/{req.pk}/")
        street.locator("#rate_report-form input[value=satisfied]").check()
        shot(street, "6-rate-report")
        submit(street, "button[value=rate_report]")
    assert not Whistle.objects.filter(request=req, rating="").exists()
    shot(street, "7-rated")
    req.refresh_from_db()
    assert req.level == Level.STREET and req.state == State.HANDLING
    street.fill("#answer-note", "已规范摊点，清理小广告")
    submit(street, "button[value=answer]")
    submit(street, "button[value=local_close]")
    street.goto("/services/metrics/")
    assert "0.0%" in street.locator("#settled-grid").inner_text()
    shot(street, "8-metrics")
