"""Workforce walk-throughs (issue #16 items 5, 6, 8): a worker on a phone sees their grade
explained, the next step with what it needs and their training hours; the community records
surge work on a phone (its head; refused without the district's instruction) and the street approves it
on a desk, the district seeing every task; the street records a community's annual assessment
and reads the results only after stating a purpose."""

import datetime

import pytest
from playwright.sync_api import expect

from core import clock
from core import services as core_services
from core.models import Role
from core.testing import PASSWORD, build_small_district
from tests.browser.conftest import PHONE, screenshots, signed_in, submit
from training import services as training
from training.models import ContentArea
from workforce import services

shot = screenshots("workforce-")
DESK = {"width": 1366, "height": 900}
D = datetime.date


@pytest.fixture
def world(transactional_db):
    d = build_small_district()
    for seed in (
        services.staffing_rules_seed,
        services.grade_schemes_seed,
        services.assessment_rules_seed,
        services.career_rules_seed,
        services.pay_scales_seed,
        services.surge_rates_seed,
    ):
        seed(actor=d.root, district=d.district)  # fmt: skip
    training.defaults_seed(actor=d.root, district=d.district)
    account = d.users["community_worker:own"]
    worker = services.worker_enrol(
        actor=d.root, community=d.communities[0], person=account.person, kind="hired",
        education="bachelor", service_start=D(2015, 9, 1), post="other", title="社区专职工作者",
        starts_on=D(2019, 1, 1), contract_ends_on=D(2031, 12, 31),
    )  # fmt: skip
    colleague = services.worker_enrol(
        actor=d.root, community=d.communities[0], name="陈静", kind="hired", education="college",
        service_start=D(2020, 3, 1), post="other", title="网格员", starts_on=D(2020, 3, 1),
    )  # fmt: skip
    year = clock.today().year
    for past in (year - 2, year - 1):
        services.assessment_record(actor=d.root, community=d.communities[0], year=past,
                                   results={worker.pk: "competent", colleague.pk: "competent"})  # fmt: skip
    plan = training.plan_create(
        actor=d.root, place=d.district, kind="periodic", year=year, title="轮训"
    )
    course = training.course_create(
        actor=d.root, plan=plan, title="社区矛盾调解", format="classroom", hours=40, capacity=30,
        area=ContentArea.objects.filter(district=d.district).first(), venue="区党校",
        held_on=clock.today(),
    )  # fmt: skip
    training.enrol(actor=d.root, course=course, worker=worker)
    training.attendance_record(actor=d.root, course=course, worker=worker)
    d.worker, d.colleague = worker, colleague
    # The second community's head (正职) records its surge work: a worker who is no head
    # (community_worker:own above) sees their own hours only.
    head = core_services.person_register(
        actor=d.root, place=d.communities[1], name="周主任", username="head-c2", password=PASSWORD,
        password_is_temporary=False, role=Role.COMMUNITY_WORKER,
    )  # fmt: skip
    services.worker_enrol(
        actor=d.root, community=d.communities[1], person=head, kind="elected", education="master",
        service_start=D(2012, 9, 1), post="chief", title="社区党组织书记、居委会主任",
        starts_on=D(2021, 1, 1), body="party", term_ends_on=D(2031, 12, 31),
    )  # fmt: skip
    return d


def test_a_worker_on_a_phone_sees_grade_next_step_and_training_hours(new_page, world):
    page = signed_in(new_page, world.logins["community_worker:own"], PHONE)
    page.goto("/workforce/me/")
    assert page.locator("#grade-value").inner_text().endswith("级")
    assert page.locator(".grade-steps li").count() == 5
    career = page.locator("#career").inner_text()
    assert "晋升副职岗位" in career and "尚不具备条件" in career
    assert "现岗位年限" in career and "年度考核" in career and "培训学时" in career
    training_card = page.locator("#training").inner_text()
    assert "已完成40学时，应完成72学时" in training_card
    assert "称职" in page.locator("#my-assessments").inner_text()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width}px)"
    shot(page, "me-career-phone")


def test_surge_work_recorded_on_a_phone_approved_by_the_street_seen_by_the_district(
    new_page, world
):
    today = clock.today()
    worker = signed_in(new_page, world.logins["community_worker:own"], PHONE)
    assert worker.goto("/workforce/surge/").status == 403  # no head: not the community's list
    page = signed_in(new_page, "head-c2", PHONE)
    page.goto("/workforce/surge/")
    form = page.locator("#record form[method=post]")
    form.get_by_label("类别").select_option("cold")
    form.get_by_label("事由").fill("寒潮期间入户走访独居老人")
    form.get_by_label("开始日期").fill(today.isoformat())
    form.get_by_label("结束日期").fill(today.isoformat())
    form.get_by_label("工作时长（小时）").first.fill("7.5")
    submit(page, form.get_by_role("button", name="登记"))
    assert "须写明区级指令" in page.locator("#record").inner_text()
    shot(page, "surge-refused-phone")
    form = page.locator("#record form[method=post]")
    form.get_by_label("区级指令").fill("区应急管理局寒潮防御紧急通知")
    form.get_by_role("button", name="登记").click()
    page.wait_for_url("**/workforce/surge/*/")
    assert page.locator("#state").inner_text() == "待审核"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width}px)"
    shot(page, "surge-task-phone")
    task_url = page.url
    street = signed_in(new_page, world.logins["street_officer:own"], DESK)
    street.goto(task_url)
    street.locator("#approve").get_by_label("审核意见").fill("经核实属实")
    street.get_by_role("button", name="审核通过").click()
    expect(street.locator("#state")).to_have_text("已审核")
    assert street.locator("#subsidy").inner_text() == "225.00"  # 7.5 h × 30 元
    shot(street, "surge-approved-desk")
    district = signed_in(new_page, world.logins["coordinator:own"], DESK)
    district.goto("/workforce/surge/")
    rows = district.locator("#surge-tasks tbody").inner_text()
    assert "区应急管理局寒潮防御紧急通知" in rows and "已审核" in rows
    shot(district, "surge-list-desk")


def test_the_street_records_an_assessment_and_reads_results_with_a_purpose(new_page, world):
    year = clock.today().year
    page = signed_in(new_page, world.logins["street_officer:own"], DESK)
    page.goto(f"/workforce/assessments/?year={year}&community={world.communities[0].pk}")
    assert page.locator("#quota").inner_text() == "1"
    form = page.locator("form", has=page.get_by_role("button", name="评定"))
    form.locator(f"select[name=result_{world.worker.pk}]").select_option("excellent")
    submit(page, form.get_by_role("button", name="评定"))
    assert "须为每一名在岗社区工作者评定结果" in page.content() and "陈静" in page.content()
    form = page.locator("form", has=page.get_by_role("button", name="评定"))
    form.locator(f"select[name=result_{world.colleague.pk}]").select_option("competent")
    form.locator(f"input[name=review_{world.worker.pk}]").fill("91")
    submit(page, form.get_by_role("button", name="评定"))
    assert "已评定年度考核结果" in page.content()
    assert "优秀" not in page.locator("#results").inner_text()
    shot(page, "assessment-masked-desk")
    page.get_by_label("查看用途").fill("核对绩效工资")
    page.get_by_role("button", name="查看结果").click()
    expect(page.locator("#results")).to_contain_text("优秀")
    shot(page, "assessment-desk")
