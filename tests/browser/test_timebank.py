"""Time bank on a phone: a volunteer offers help, a worker posts a need for an elder and sees
the volunteer suggested, the volunteer takes the matching need from the offers page, signs in and
out, the elder's daughter confirms, the worker approves, and both balances change."""

import pytest
from playwright.sync_api import expect

from core.testing import PASSWORD, build_small_district
from tests.browser.conftest import PHONE, screenshots, signed_in, submit
from timebank import services
from timebank.models import Account
from timebank.testing import resident, years_ago

shot = screenshots("timebank-")


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


TITLE = "陪王奶奶去社区医院配药"
VOLUNTEER, DAUGHTER = "13911110003", "13911110002"


def test_need_to_approved_service_on_a_phone(new_page, world):
    d, people, accounts = world
    _volunteer_offers_help(new_page)
    _worker_posts_the_need_and_sees_the_volunteer_suggested(new_page, d)
    _volunteer_takes_the_need_signs_in_and_out(new_page)
    _daughter_confirms_and_rates(new_page)
    _worker_approves(new_page, d)
    assert Account.objects.get(pk=accounts["volunteer"].pk).balance == 60
    assert Account.objects.get(pk=accounts["elder"].pk).balance == 60
    assert services.reconcile()["problems"] == []
    _volunteer_sees_the_balance_statement_and_certificate_and_rates(new_page)
    _daughter_disputes_and_a_street_officer_adjusts(new_page, d)
    assert Account.objects.get(pk=accounts["volunteer"].pk).balance == 45
    assert Account.objects.get(pk=accounts["elder"].pk).balance == 75
    assert services.reconcile()["problems"] == []


def _volunteer_offers_help(new_page):
    """0. The volunteer offers to escort elders to the doctor, on weekdays."""
    phone = signed_in(new_page, VOLUNTEER, PHONE)
    phone.goto("/timebank/")
    phone.click("text=我能提供的服务")
    phone.fill("#id_title", "陪老人看病、配药")
    phone.select_option("#id_category", "escort")
    phone.fill("#id_skills", "配药，轮椅")
    # The weekday boxes sit in a wrapping row on a phone, not one per line.
    monday, tuesday = (phone.get_by_label(day).bounding_box() for day in ("周一", "周二"))
    assert abs(monday["y"] - tuesday["y"]) < 4 and tuesday["x"] > monday["x"]
    for day in ("周一", "周二", "周三", "周四", "周五"):
        phone.get_by_label(day).check()
    phone.fill("#id_start_time", "08:00")
    phone.fill("#id_end_time", "17:00")
    phone.locator("button", has_text="发布").click()
    expect(phone.locator(".messages")).to_contain_text("服务已发布")
    assert (
        "周一、二、三、四、五 08:00–17:00" in phone.locator("[data-testid=my-offers]").inner_text()
    )
    shot(phone, "offers")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.context.close()


def _worker_posts_the_need_and_sees_the_volunteer_suggested(new_page, d):
    """1. The community worker posts the need for the elder; her daughter is the contact."""
    page = signed_in(new_page, d.logins["community_worker:own"])
    page.goto("/timebank/needs/new/")
    page.select_option("#id_recipient", label=f"王奶奶（{d.communities[0].name}）")
    page.fill("#id_contact_mobile", DAUGHTER)
    page.fill("#id_title", TITLE)
    page.select_option("#id_category", "escort")
    page.fill("#id_minutes", "60")
    page.select_option("#id_payer", "self")
    shot(page, "need-form")
    submit(page, "button.primary")  # (needs/new/ is needs/*/ too)
    expect(page.locator(".messages")).to_contain_text("需求已发布")
    # The need's page suggests the volunteer whose offer fits (same community, category).
    suggested = page.locator("[data-testid=suggestions]").inner_text()
    assert "陪老人看病、配药" in suggested and "同社区" in suggested and "类别相符" in suggested
    shot(page, "need-suggestions")
    page.context.close()


def _volunteer_takes_the_need_signs_in_and_out(new_page):
    """2. The volunteer takes it from the needs matched to their offer, signs in and out."""
    phone = signed_in(new_page, VOLUNTEER, PHONE)
    phone.goto("/timebank/offers/")
    need = phone.locator("[data-testid=matched-needs] li", has_text=TITLE)
    assert "类别相符" in need.inner_text()
    shot(phone, "volunteer-matches")
    need.locator("button", has_text="接单").click()
    expect(phone.locator(".messages")).to_contain_text("接单成功")
    phone.goto("/timebank/")
    phone.locator("button", has_text="签到").click()
    expect(phone.locator(".messages")).to_contain_text("已签到")
    phone.locator("button", has_text="签退").click()
    expect(phone.locator(".messages")).to_contain_text("已签退")
    shot(phone, "volunteer-signed-out")
    phone.context.close()


def _daughter_confirms_and_rates(new_page):
    """3. The daughter confirms on her phone and rates the service."""
    phone = signed_in(new_page, DAUGHTER, PHONE)
    phone.goto("/timebank/")
    box = phone.locator("section", has_text="待我确认的服务")
    assert TITLE in box.inner_text()
    box.locator("input[name$=minutes]").fill("60")
    box.locator("select[name$=rating]").select_option("5")
    shot(phone, "family-confirm")
    box.locator("button", has_text="确认服务").click()
    expect(phone.locator(".messages")).to_contain_text("已确认")
    phone.context.close()


def _worker_approves(new_page, d):
    """4. The worker approves: the volunteer's deposit and the elder's payment are posted."""
    page = signed_in(new_page, d.logins["community_worker:own"], PHONE)
    page.goto("/timebank/approvals/")
    shot(page, "approvals")
    page.locator("tr", has_text=TITLE).locator("button", has_text="通过并入账").click()
    expect(page.locator(".messages")).to_contain_text("已审核")
    page.context.close()


def _volunteer_sees_the_balance_statement_and_certificate_and_rates(new_page):
    """5. The volunteer sees the new balance and the statement line; 6. rates the visit from
    the recently finished services."""
    phone = signed_in(new_page, VOLUNTEER, PHONE)
    phone.goto("/timebank/")
    assert phone.locator("[data-testid=balance]").inner_text() == "1小时"
    submit(phone, "text=查看账户明细")
    assert f"陪同就医：{TITLE}" in phone.locator("table").inner_text()
    shot(phone, "statement")
    # The service certificate downloads as a PDF.
    with phone.expect_download() as download:
        phone.click("text=下载服务证明（PDF）")
    path = download.value.path()
    with open(path, "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
    # Nothing on the phone page is wider than the screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.goto("/timebank/")
    phone.locator("[data-testid=recent-done] a", has_text=TITLE).click()
    phone.select_option("#id_rating", "4")
    phone.fill("#id_comment", "家属很配合")
    phone.locator("button", has_text="提交评价").click()
    expect(phone.locator(".messages")).to_contain_text("感谢您的评价")
    phone.context.close()


def _daughter_disputes_and_a_street_officer_adjusts(new_page, d):
    """7. The daughter disputes the minutes after approval; a street officer adjusts them,
    which reverses the postings and posts the corrected minutes."""
    phone = signed_in(new_page, DAUGHTER, PHONE)
    phone.goto("/timebank/")
    phone.locator("[data-testid=recent-done] a", has_text=TITLE).click()
    phone.fill("#id_reason", "实际只陪了45分钟")
    phone.locator("button", has_text="提出异议").click()
    expect(phone.locator(".messages")).to_contain_text("异议已提交")
    shot(phone, "dispute")
    phone.context.close()
    page = signed_in(new_page, d.logins["street_officer:own"])
    page.goto("/timebank/approvals/")
    page.locator("[data-testid=disputes] a", has_text=TITLE).click()
    page.select_option("#id_outcome", "adjust")
    page.fill("#id_minutes", "45")
    page.fill("#id_note", "与家属、志愿者核实为45分钟")
    shot(page, "resolve")
    page.locator("button", has_text="提交处理").click()
    expect(page.locator(".messages")).to_contain_text("异议已处理")
    assert "60 → 45" in page.locator("[data-testid=dispute-list]").inner_text()
    page.context.close()
