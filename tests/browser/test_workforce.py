"""Workforce walk-throughs (issue #16 items 2-3): a community worker enrols a colleague and
keeps her file on a desk (an overlapping contract refused in words); the district sees staffing
beside the burden index and the grade rules; a worker on a phone opens 我的岗位等级 from the
menu and reads why their grade is what it is, rule by rule."""

import datetime

import pytest
from playwright.sync_api import expect

from core import clock
from core.testing import build_small_district
from tests.browser.conftest import PHONE, screenshots, signed_in, submit
from workforce import services

shot = screenshots("workforce-")
DESK = {"width": 1366, "height": 900}
D = datetime.date


@pytest.fixture
def world(transactional_db):
    d = build_small_district()
    services.staffing_rules_seed(actor=d.root, district=d.district)
    services.grade_schemes_seed(actor=d.root, district=d.district)
    account = d.users["community_worker:own"]
    worker = services.worker_enrol(
        actor=d.root, community=d.communities[0], person=account.person, kind="elected",
        education="bachelor", service_start=D(2012, 9, 1), post="chief",
        title="社区党组织书记、居委会主任", starts_on=D(2021, 1, 1), body="party",
        term_ends_on=D(2030, 12, 31),
    )  # fmt: skip
    services.qualification_add(actor=d.root, worker=worker, level="social_worker",
                               certificate_number="SG-2018-0042", obtained_on=D(2018, 6, 1))  # fmt: skip
    services.progression_pause_record(actor=d.root, worker=worker, year=2019, reason="2019年度考核不称职")  # fmt: skip
    return d


def test_a_worker_on_a_phone_reads_their_grade(new_page, world):
    page = signed_in(new_page, world.logins["community_worker:own"], PHONE)
    page.get_by_role("button", name="菜单").click()
    section = page.locator("summary", has_text="队伍建设")
    if section.count():  # a long menu is folded by area
        section.click()
    page.get_by_role("link", name="我的岗位等级").click()
    page.wait_for_url("**/workforce/me/")
    steps = page.locator(".grade-steps li")
    assert steps.count() == 5
    text = page.locator("#grade").inner_text()
    assert "正职岗位等级为7至18级" in text and "2019年度暂停晋级" in text and "社会工作师" in text
    assert page.locator("#grade-value").inner_text().endswith("级")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width}px)"
    shot(page, "me-phone")


def test_a_community_worker_enrols_a_colleague_and_the_district_sees_it(new_page, world):
    page = signed_in(new_page, world.logins["community_worker:own"], DESK)
    page.goto("/workforce/workers/")
    form = page.locator("form", has=page.get_by_role("button", name="登记"))
    form.get_by_label("姓名").fill("陈静")
    form.get_by_label("类别").select_option("hired")
    form.get_by_label("学历").select_option("master")
    form.get_by_label("参加社区工作时间").fill("2023-09-01")
    form.locator("select[name=post]").select_option("other")
    form.get_by_label("职务名称").fill("社区专职工作者")
    form.get_by_label("任职日期（合同或任期开始）").fill("2023-09-01")
    form.get_by_label("合同终止日期（聘用，不填为无固定期限）").fill("2028-08-31")
    form.get_by_label("试用期（月，聘用）").fill("3")
    form.get_by_role("button", name="登记").click()
    page.wait_for_url("**/workforce/workers/*/")
    assert "已登记社区工作者" in page.content()
    page.locator("summary", has_text="新增合同").click()
    contract = page.locator("details", has_text="新增合同")
    contract.get_by_label("合同起始日期").fill("2026-01-01")
    submit(page, contract.get_by_role("button", name="保存"))  # (the old page's was open too)
    assert "重叠" in page.locator("details[open]").inner_text()
    shot(page, "worker-desk")
    page.goto("/workforce/workers/")
    assert page.locator("#workers tbody tr").count() == 2
    shot(page, "roster-desk")
    boss = signed_in(new_page, world.logins["coordinator:own"], DESK)
    boss.goto("/workforce/staffing/")
    assert boss.locator("#total-actual").inner_text() == "2"
    assert "负担指数" in boss.locator("#staffing thead").inner_text()
    shot(boss, "staffing-desk")
    boss.goto("/workforce/grades/")
    assert "三岗十八级" in boss.content()
    shot(boss, "grades-desk")
    phone = signed_in(new_page, world.logins["street_officer:own"], PHONE)
    phone.goto("/workforce/workers/")
    shot(phone, "roster-phone")
    submit(phone, phone.locator("#workers a", has_text="陈静"))
    shot(phone, "worker-phone")
    assert "试用期" in phone.content()


def test_the_district_enters_the_average_wage_and_sees_who_is_below_the_floor(new_page, world):
    services.pay_scales_seed(actor=world.root, district=world.district)
    page = signed_in(new_page, world.logins["coordinator:own"], DESK)
    page.goto("/workforce/pay/")
    assert page.locator("#below-count").inner_text() == "0"
    form = page.locator("form", has=page.get_by_role("button", name="录入"))
    year = clock.today().year - 1  # Beijing's year, as the page's (not the UTC date's)
    form.get_by_label("年度").fill(str(year))
    form.get_by_label("城市非私营单位在岗职工年平均工资（元）").fill("160000")
    form.get_by_label("数据来源").fill("市统计局统计公报")
    submit(page, form.get_by_role("button", name="录入"))
    assert "保底线已按新数重新计算" in page.content()
    assert page.locator("#below-count").inner_text() == "1"
    table = page.locator("#below")
    assert "community_worker-own" in table.inner_text() and "••••" in table.inner_text()
    shot(page, "pay-desk")
    page.get_by_label("查看用途").fill("核对保底工资")
    page.get_by_role("button", name="查看金额").click()
    expect(page.locator("#below")).not_to_contain_text("••••")
    phone = signed_in(new_page, world.logins["community_worker:own"], PHONE)
    phone.goto("/workforce/me/")
    assert "低于保底线" in phone.locator("#my-pay").inner_text()
    shot(phone, "me-pay-phone")
