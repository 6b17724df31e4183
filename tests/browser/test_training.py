"""Training walk-throughs (issue #16 item 7): a community worker on a phone opens 我的培训 from
the menu, sees this year's hours against the requirement, answers the needs survey and downloads
their certificate; the district, on a desk, sees who is behind, opens the course and is refused
attendance for a worker not enrolled, in words."""

import datetime

import pytest

from core import clock
from tests.browser.conftest import PHONE, screenshots, signed_in, submit
from training import services
from training.models import Attendance, ContentArea

shot = screenshots("training-")
DESK = {"width": 1366, "height": 900}


@pytest.fixture
def world(transactional_db):
    from core.testing import build_small_district
    from training.tests.conftest import held_day, make_worker

    d = build_small_district()
    services.defaults_seed(actor=d.root, district=d.district)
    d.worker = make_worker(d, d.communities[0], "李娜", account=d.users["community_worker:own"])
    d.other = make_worker(d, d.communities[1], "周强")
    day = held_day()
    plan = services.plan_create(actor=d.root, place=d.district, kind="periodic", year=day.year, title="年度在岗轮训")  # fmt: skip
    areas = list(ContentArea.objects.filter(district=d.district).order_by("order"))
    d.course = services.course_create(actor=d.root, plan=plan, title="居民沟通技巧", area=areas[3],
                                      format="sharing", held_on=day, hours=16, venue="区培训中心", capacity=20)  # fmt: skip
    services.enrol(actor=d.root, course=d.course, worker=d.worker)
    attendance = services.attendance_record(actor=d.root, course=d.course, worker=d.worker)
    d.certificate = services.certificate_issue(actor=d.root, attendance=attendance)
    services.survey_create(actor=d.root, district=d.district, year=day.year + 1, title="明年培训需求调查",
                           closes_on=clock.today() + datetime.timedelta(days=14))  # fmt: skip
    return d


def test_a_worker_on_a_phone_sees_their_hours_and_downloads_a_certificate(new_page, world):
    page = signed_in(new_page, world.logins["community_worker:own"], PHONE)
    page.get_by_role("button", name="菜单").click()
    page.locator("summary", has_text="队伍建设").click()  # the menu is folded by area
    page.get_by_role("link", name="我的培训").click()
    page.wait_for_url("**/training/me/")
    assert page.locator("#hours-done").inner_text() == "16"
    assert page.locator("#hours-due").inner_text() == "72"
    assert "还差56学时" in page.locator("#my-hours").inner_text()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width}px)"
    shot(page, "me-phone")
    with page.expect_download() as download:
        page.locator(".cert-link").first.click()
    assert download.value.suggested_filename == f"training-{world.certificate.number}.pdf"
    survey = page.locator("section", has_text="明年培训需求调查")
    survey.get_by_label("心理疏导").check()
    submit(page, survey.get_by_role("button", name="提交"))  # back to training/me/, where it was
    assert (
        "已提交培训需求" in page.content()
        and "明年培训需求调查" not in page.locator("main").inner_text()
    )
    shot(page, "me-after-survey-phone")
    page.goto(f"/training/verify/?code={world.certificate.verification_code}")
    assert page.locator("[data-verified='1']").count() == 1
    shot(page, "verify-phone")


def test_the_district_sees_who_is_behind_and_attendance_needs_an_enrolment(new_page, world):
    page = signed_in(new_page, world.logins["coordinator:own"], DESK)
    page.goto("/training/")
    assert page.locator("#behind").inner_text() == "2"
    assert "差56学时" in page.locator("#hours").inner_text()
    shot(page, "index-desk")
    page.get_by_role("link", name="居民沟通技巧").click()
    page.wait_for_url("**/training/courses/*/")
    form = page.locator("#attendance-form")
    form.get_by_label("社区工作者").select_option(label=f"周强 · {world.communities[1].name}")
    submit(page, form.get_by_role("button", name="登记"))
    assert "周强未报名该课程，不能登记出勤。" in page.locator("#attendance-form").inner_text()
    assert Attendance.objects.count() == 1
    shot(page, "course-refused-desk")
    phone = signed_in(new_page, world.logins["coordinator:own"], PHONE)
    phone.goto("/training/rules/")
    assert "继续教育" in phone.locator("#rules").inner_text()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the rules page scrolls sideways on a phone ({width}px)"
    shot(phone, "rules-phone")
