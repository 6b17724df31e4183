"""Issue #18 item 3 walked through: a department signs a purchase-of-service contract for an
admitted item with a community's organisation (desktop); the organisation's member records a
delivery on a phone; a resident of the community rates it on a phone; the community's worker
sees the item as 已转移 on the burden page (phone)."""

import datetime

import pytest

from admission.services import local_today
from civic import services
from civic.models import ContractDelivery, ContractRating, ServiceContract
from civic.tests import contract_world
from civic.tests import world as helpers
from tests.browser.conftest import DESKTOP, PHONE, screenshots, signed_in

shot = screenshots("civic-contract-")


def _form(page, action):
    return page.locator(f"form:has(input[name=action][value={action}])")


@pytest.mark.django_db(transaction=True)
def test_work_moves_to_an_organisation_and_its_delivery_is_tracked(new_page, district):
    from admission import services as admission

    d = district
    admission.lists_seed(actor=d.root, district=d.district)
    item = contract_world.admitted_item(d)
    org = helpers.org(d, d.communities[0])
    services.org_member_add(actor=d.root, organisation=org, user=d.users["social_org_member:own"])
    today = local_today()

    officer = signed_in(new_page, d.logins["department_officer:own"], DESKTOP)
    officer.goto("/civic/contracts/")
    form = _form(officer, "sign")
    form.locator("select[name=item]").select_option(str(item.pk))
    form.locator("select[name=organisation]").select_option(str(org.pk))
    form.locator("textarea[name=content]").fill("高龄津贴申报材料收集与上门服务")
    form.locator("input[name=amount_fen]").fill("3000")
    form.locator("input[name=starts_on]").fill(today.isoformat())
    form.locator("input[name=ends_on]").fill((today + datetime.timedelta(days=180)).isoformat())
    form.locator("button").click()
    officer.get_by_text("合同已签订").wait_for()
    contract = ServiceContract.objects.get()
    assert contract.amount_fen == 300_000
    shot(officer, "list-desktop")

    member = signed_in(new_page, d.logins["social_org_member:own"], PHONE)
    member.goto("/civic/contracts/")
    member.click(f"#contracts a:has-text('{item.title}')")
    form = _form(member, "deliver")
    form.locator("input[name=day]").fill(today.isoformat())
    form.locator("input[name=content]").fill("上门收集申报材料")
    form.locator("input[name=served]").fill("12")
    form.locator("textarea[name=result]").fill("12户材料齐全，已报送。")
    form.locator("button").click()
    member.get_by_text("履约记录已登记。").wait_for()
    assert ContractDelivery.objects.get().served == 12
    shot(member, "deliver-phone")

    resident = signed_in(new_page, d.logins["resident:own"], PHONE)
    resident.goto(f"/civic/contracts/{contract.pk}/")
    form = _form(resident, "rate")
    form.locator("select[name=score]").select_option("4")
    form.locator("input[name=comment]").fill("上门很及时")
    form.locator("button").click()
    resident.get_by_text("评价已提交。").wait_for()
    assert ContractRating.objects.get().score == 4
    assert "4.0" in resident.locator("#rating").inner_text()
    shot(resident, "rated-phone")

    worker = signed_in(new_page, d.logins["community_worker:own"], PHONE)
    worker.goto(f"/workload/burden/?community={d.communities[0].pk}")
    worker.locator(f"#transferred [data-transferred='{item.pk}']").wait_for()
    assert "已转移" in worker.locator("#transferred").inner_text()
    shot(worker, "burden-phone")
    width = worker.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the burden page scrolls sideways on a phone"
