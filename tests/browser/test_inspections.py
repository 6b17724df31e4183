"""Issue #13 item 4's walk-through: a department and the first street's office each have an
inspection of the first community admitted; the page proposes merging them; the department's
officer records one joint inspection (联合检查) for both; the community worker, on a phone, rates
it; the department sees the rating."""

import pytest

from admission import services
from admission.models import Inspection, InspectionRating
from admission.tests.conftest import application, decide
from tests.browser.conftest import DESKTOP, PHONE, screenshots, signed_in, submit

shot = screenshots("inspections-")


@pytest.fixture
def items(district):
    d = district
    services.lists_seed(actor=d.root, district=d.district)
    officer = d.users["department_officer:own"]
    power = services.entries_in_force(d.district, "power").get(key="JD-03")
    ours = services.request_submit(
        **application(d, officer, kind="inspection", title="养老服务机构安全检查",
                      communities=d.communities[:1], frequency="yearly",
                      materials="消防设施检查记录", submit_token="b-1")  # noqa: S106
    )  # fmt: skip
    theirs = services.request_submit(
        **application(d, d.users["street_officer:own"], department=None, street=d.streets[0],
                      kind="inspection", title="议事协商年度督查", cited_entry=power,
                      legal_basis="", communities=d.communities[:1], frequency="yearly",
                      submit_token="b-2")  # noqa: S106
    )  # fmt: skip
    decide(d, ours)
    decide(d, theirs)
    return ours, theirs


def test_a_merged_inspection_is_recorded_and_rated(new_page, district, items):
    d = district
    desk = signed_in(new_page, d.logins["department_officer:own"], DESKTOP)
    desk.goto("/admission/inspections/")
    desk.get_by_text("建议合并的检查（联合检查）").wait_for()
    assert "第1街道办事处" in desk.locator("main").inner_text()
    desk.click("text=登记一次检查")
    desk.select_option("#inspection-community", str(d.communities[0].pk))
    desk.check("#inspection-items_0")
    desk.check("#inspection-items_1")
    desk.fill("#inspection-held_on", services.local_today().isoformat())
    shot(desk, "1-record")
    submit(desk, "form:has(#inspection-community) button.primary")
    desk.locator("td strong", has_text="联合检查").first.wait_for()
    assert Inspection.objects.get().merged

    phone = signed_in(new_page, d.logins["community_worker:own"], PHONE)
    phone.goto("/admission/inspections/")
    phone.select_option("select[name=score]", "4")
    phone.fill("input[name=comment]", "一次查完，没有另做迎检材料")
    shot(phone, "2-rate-phone")
    phone.click("text=提交评价")
    phone.get_by_text("评价已提交。").wait_for()
    assert InspectionRating.objects.get().score == 4

    desk.goto("/admission/inspections/")
    desk.get_by_text("4分：一次查完，没有另做迎检材料").wait_for()
    shot(desk, "3-rated")
