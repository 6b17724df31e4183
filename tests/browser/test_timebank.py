"""Time bank on a phone: a worker posts a need for an elder, a volunteer takes it, signs in and
out, the elder's daughter confirms, the worker approves, and both balances change."""

import os

import pytest

from core.testing import PASSWORD, build_small_district
from tests.browser.conftest import DESKTOP, PHONE, log_in
from timebank import services
from timebank.models import Account
from timebank.testing import resident, years_ago

SHOTS = os.environ.get("LINLI_SCREENSHOTS")  # a folder to keep screenshots in, if set


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"timebank-{name}.png"), full_page=True)


@pytest.fixture
def world(transactional_db):
    d = build_small_district()
    people = {
        "elder": resident(actor=d.root, place=d.grids[0], name="王奶奶", birth=years_ago(78),
                          mobile="13911110001", password=PASSWORD),
        "daughter": resident(actor=d.root, place=d.grids[0], name="王女儿", birth=years_ago(45),
                             mobile="13911110002", password=PASSWORD),
        "volunteer": resident(actor=d.root, place=d.grids[1], name="周志愿", birth=years_ago(24),
                              mobile="13911110003", password=PASSWORD),
    }  # fmt: skip
    accounts = {k: services.member_account_open(actor=d.root, person=p) for k, p in people.items()}
    worker = d.users["community_worker:own"]
    services.deposit(actor=worker, account=accounts["elder"], minutes=120, key="seed-elder")
    return d, people, accounts


def test_need_to_approved_service_on_a_phone(new_page, world):
    d, people, accounts = world
    # 1. The community worker posts the need for the elder; her daughter is the contact.
    page = new_page(viewport=DESKTOP)
    log_in(page, d.logins["community_worker:own"], PASSWORD)
    page.wait_for_url("**/")
    page.goto("/timebank/needs/new/")
    page.select_option("#id_recipient", label=f"王奶奶（{d.communities[0].name}）")
    page.fill("#id_contact_mobile", "13911110002")
    page.fill("#id_title", "陪王奶奶去社区医院配药")
    page.select_option("#id_category", "escort")
    page.fill("#id_minutes", "60")
    page.select_option("#id_payer", "self")
    shot(page, "need-form")
    page.click("button.primary")
    page.wait_for_url("**/timebank/")
    assert "需求已发布" in page.locator(".messages").inner_text()
    page.context.close()

    # 2. The volunteer takes it on a phone, signs in and out.
    phone = new_page(viewport=PHONE)
    log_in(phone, "13911110003", PASSWORD)
    phone.wait_for_url("**/")
    phone.goto("/timebank/")
    need = phone.locator("li", has_text="陪王奶奶去社区医院配药")
    shot(phone, "volunteer-home")
    need.locator("button", has_text="接单").click()
    assert "接单成功" in phone.locator(".messages").inner_text()
    phone.locator("button", has_text="签到").click()
    assert "已签到" in phone.locator(".messages").inner_text()
    phone.locator("button", has_text="签退").click()
    assert "已签退" in phone.locator(".messages").inner_text()
    shot(phone, "volunteer-signed-out")
    phone.context.close()

    # 3. The daughter confirms on her phone and rates the service.
    phone = new_page(viewport=PHONE)
    log_in(phone, "13911110002", PASSWORD)
    phone.wait_for_url("**/")
    phone.goto("/timebank/")
    box = phone.locator("section", has_text="待我确认的服务")
    assert "陪王奶奶去社区医院配药" in box.inner_text()
    box.locator("input[name$=minutes]").fill("60")
    box.locator("select[name$=rating]").select_option("5")
    shot(phone, "family-confirm")
    box.locator("button", has_text="确认服务").click()
    assert "已确认" in phone.locator(".messages").inner_text()
    phone.context.close()

    # 4. The worker approves: the volunteer's deposit and the elder's payment are posted.
    page = new_page(viewport=PHONE)
    log_in(page, d.logins["community_worker:own"], PASSWORD)
    page.wait_for_url("**/")
    page.goto("/timebank/approvals/")
    shot(page, "approvals")
    page.locator("tr", has_text="陪王奶奶去社区医院配药").locator(
        "button", has_text="通过并入账"
    ).click()
    assert "已审核" in page.locator(".messages").inner_text()
    page.context.close()

    assert Account.objects.get(pk=accounts["volunteer"].pk).balance == 60
    assert Account.objects.get(pk=accounts["elder"].pk).balance == 60
    assert services.reconcile()["problems"] == []

    # 5. The volunteer sees the new balance and the statement line.
    phone = new_page(viewport=PHONE)
    log_in(phone, "13911110003", PASSWORD)
    phone.wait_for_url("**/")
    phone.goto("/timebank/")
    assert phone.locator("[data-testid=balance]").inner_text() == "1小时"
    phone.click("text=查看账户明细")
    assert "陪同就医：陪王奶奶去社区医院配药" in phone.locator("table").inner_text()
    shot(phone, "statement")
    # The service certificate downloads as a PDF.
    with phone.expect_download() as download:
        phone.click("text=下载服务证明（PDF）")
    path = download.value.path()
    with open(path, "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
    # Nothing on the phone page is wider than the screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
