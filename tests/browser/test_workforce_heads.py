"""Community heads and their staff on a phone (issue #16, roles): a community worker who is not
their community's head opens their own record from the menu, finds no roster there, and is
refused a colleague's file with a page that says why in Chinese, and still reads their
community's staffing figures (counts, no names); the head (正职) opens the
roster and sees the whole team, keeps an ordinary colleague's file with ordinary posts only,
finds a 副职 colleague's posts and leaving left to the street, and reads their own file with
nothing to change (the street or the district keeps it)."""

import datetime

import pytest

from core import services as core_services
from core.models import Role
from core.testing import PASSWORD, build_small_district
from tests.browser.conftest import PHONE, screenshots, signed_in
from workforce import services
from workforce.models import Worker

shot = screenshots("workforce-heads-")
DESK = {"width": 1366, "height": 900}
D = datetime.date


@pytest.fixture
def world(transactional_db):
    d = build_small_district()
    services.grade_schemes_seed(actor=d.root, district=d.district)
    services.staffing_rules_seed(actor=d.root, district=d.district)
    community = d.communities[0]
    head = d.users["community_worker:own"]
    services.worker_enrol(
        actor=d.root, community=community, person=head.person, kind="elected",
        education="bachelor", service_start=D(2012, 9, 1), post="chief",
        title="社区党组织书记、居委会主任", starts_on=D(2021, 1, 1), body="party",
        term_ends_on=D(2030, 12, 31),
    )  # fmt: skip
    staff = core_services.person_register(
        actor=d.root, place=community, name="周敏", username="zhoumin", password=PASSWORD,
        password_is_temporary=False, role=Role.COMMUNITY_WORKER,
    )  # fmt: skip
    services.worker_enrol(
        actor=d.root, community=community, person=staff,
        kind="hired", education="college", service_start=D(2019, 3, 1), post="other",
        title="网格员", starts_on=D(2021, 1, 1), contract_ends_on=D(2029, 12, 31),
    )  # fmt: skip
    d.colleague = services.worker_enrol(
        actor=d.root, community=community, name="王芳", kind="hired", education="bachelor",
        service_start=D(2016, 3, 1), post="other", title="社区专职工作者",
        starts_on=D(2020, 1, 1), contract_ends_on=D(2030, 12, 31),
    )  # fmt: skip
    d.deputy = services.worker_enrol(
        actor=d.root, community=community, name="李强", kind="hired", education="bachelor",
        service_start=D(2014, 5, 1), post="deputy", title="居委会副主任",
        starts_on=D(2021, 1, 1), contract_ends_on=D(2030, 12, 31),
    )  # fmt: skip
    return d


def test_a_worker_who_is_no_head_sees_their_own_record_only(new_page, world):
    page = signed_in(new_page, "zhoumin", PHONE)
    page.get_by_role("button", name="菜单").click()
    section = page.locator("summary", has_text="队伍建设")
    if section.count():  # a long menu is folded by area
        section.click()
    assert page.get_by_role("link", name="社区工作者", exact=True).count() == 0
    page.get_by_role("link", name="我的岗位等级").click()
    page.wait_for_url("**/workforce/me/")
    assert "网格员" in page.locator("main").inner_text()
    shot(page, "own-phone")
    response = page.goto(f"/workforce/workers/{world.colleague.pk}/")
    assert response.status == 403
    assert page.get_by_role("heading", name="无权访问").is_visible()
    text = page.locator("main").inner_text()
    assert "您只能查看本人的档案" in text and "王芳" not in text
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width}px)"
    shot(page, "refused-phone")
    assert page.goto("/workforce/workers/").status == 403
    # The staffing overview stays open: counts of their community, no one's name.
    assert page.goto("/workforce/staffing/").status == 200
    main = page.locator("main").inner_text()
    assert "第1街道第1社区" in main and "王芳" not in main and "突击性任务" not in main
    assert page.locator("#total-actual").inner_text() == "4"
    shot(page, "staffing-phone")


def test_the_head_sees_the_roster(new_page, world):
    page = signed_in(new_page, world.logins["community_worker:own"], PHONE)
    page.goto("/workforce/workers/")
    table = page.locator("table")
    assert "王芳" in table.inner_text() and "周敏" in table.inner_text()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width}px)"
    shot(page, "roster-phone")
    page.get_by_role("link", name="王芳").click()
    page.wait_for_url(f"**/workforce/workers/{world.colleague.pk}/")
    assert "新增合同" in page.locator("main").inner_text()  # the head keeps the file
    desk = signed_in(new_page, world.logins["community_worker:own"], DESK)
    desk.goto("/workforce/workers/")
    shot(desk, "roster-desk")


def test_the_head_cannot_raise_anyone_nor_keep_their_own_file(new_page, world):
    login = world.logins["community_worker:own"]
    own = Worker.objects.get(person__account=world.users["community_worker:own"])
    for viewport, name in ((PHONE, "phone"), (DESK, "desk")):
        page = signed_in(new_page, login, viewport)
        page.goto(f"/workforce/workers/{own.pk}/")
        main = page.locator("main")
        assert "这是您本人的档案" in main.inner_text()
        assert main.locator("details").count() == 0 and main.locator("form").count() == 0
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"the page scrolls sideways ({width}px)"
        shot(page, f"own-file-{name}")
        page.goto(f"/workforce/workers/{world.deputy.pk}/")
        assert "岗位变动、离职和提前离任由街道或区里办理" in main.inner_text()
        assert main.locator("summary", has_text="岗位变动").count() == 0
        assert main.locator("summary", has_text="登记假期").count() == 1
        shot(page, f"deputy-file-{name}")
    page.goto(f"/workforce/workers/{world.colleague.pk}/")
    page.locator("summary", has_text="岗位变动").click()
    options = page.locator("select[name=post] option").all_inner_texts()
    assert "正职" not in options and "副职" not in options and "委员" in options
    shot(page, "colleague-posting-desk")
