"""Issue #17's walk-through of 财务公开, on phones: the district makes the finance board
quarterly; the street officer sets the year's budget; the community worker records a payment
in each month of last quarter with a photo of its receipt; the street officer approves; the
worker generates last quarter's board and submits it; the 居务监督委员会 member publishes it;
a resident reads it on a phone."""

import datetime
import io

from PIL import Image

from core import clock
from finance import periods
from finance.models import Disclosure, Spending
from tests.browser.conftest import DESKTOP, PHONE, screenshots, signed_in, submit

shot = screenshots("finance-")


def last_quarter() -> datetime.date:
    return periods.add_months(periods.period_containing(clock.today(), "quarterly"), -3)


def receipt(tmp_path, n: int) -> str:
    path = tmp_path / f"receipt-{n}.jpg"
    image = Image.new("RGB", (600, 800), (250, 250, 245))
    out = io.BytesIO()
    image.save(out, "JPEG")
    path.write_bytes(out.getvalue())
    return str(path)


def test_a_quarter_from_receipts_to_the_published_board(new_page, district, tmp_path):
    d = district
    start = last_quarter()
    community = d.communities[0]
    books = f"/finance/?community={community.pk}&year={start.year}"

    desk = signed_in(new_page, d.logins["coordinator:own"], DESKTOP)
    desk.goto("/finance/supervision/")
    desk.click("text=载入默认规则")
    desk.get_by_text("已载入默认规则。").wait_for()
    desk.select_option("#id_disclosure-board", "finance")
    desk.select_option("#id_disclosure-cadence", "quarterly")
    desk.fill("#id_disclosure-due_days", "15")
    desk.fill("#id_disclosure-source", "本区居务公开办法：财务每季度公开")
    desk.fill("#id_disclosure-effective_from", "2021-01-01")
    desk.click("#disclosure-rule button.primary")
    desk.get_by_text("已新增公开规则。").wait_for()

    officer = signed_in(new_page, d.logins["street_officer:own"], PHONE)
    officer.goto(books)
    officer.select_option("#id_budget-category", "activity")
    officer.fill("#id_budget-amount_fen", "20000")
    officer.click("text=核定预算 >> nth=-1")
    officer.get_by_text("预算已核定。").wait_for()

    worker = signed_in(new_page, d.logins["community_worker:own"], PHONE)
    for n, (amount, payee) in enumerate([("1200", "惠民文具店"), ("3560.50", "社区老年活动中心"),
                                         ("880", "便民印刷社")]):  # fmt: skip
        worker.goto(books)
        worker.select_option("#id_spending-category", "activity")
        worker.fill("#id_spending-amount_fen", amount)
        day = periods.add_months(start, n) + datetime.timedelta(days=9)
        worker.fill("#id_spending-spent_on", day.isoformat())
        worker.fill("#id_spending-payee", payee)
        worker.fill("#id_spending-purpose", "居民议事会与重阳节活动")
        worker.set_input_files("#id_spending-receipt", receipt(tmp_path, n))
        worker.click("button:has-text('登记支出') >> nth=-1")
        worker.get_by_text("支出已登记，等待街道审批。").wait_for()
    shot(worker, "1-books-phone")
    assert Spending.objects.filter(community=community).exclude(receipt="").count() == 3

    officer.goto(books)
    for _ in range(3):
        # (From the second on, the old page says 已审批 too: wait for the new one.)
        submit(officer, "button[value=approve] >> nth=0")
        officer.get_by_text("已审批。").wait_for()
    assert set(Spending.objects.values_list("status", flat=True)) == {"approved"}

    worker.goto(f"/finance/boards/?community={community.pk}")
    worker.select_option("#id_board", "finance")
    worker.fill("#id_period_start", start.isoformat())
    worker.click("button:has-text('生成草稿')")
    worker.get_by_text("已生成草稿").wait_for()
    worker.click("button:has-text('提交监督委员会审核')")
    worker.get_by_text("已提交居务监督委员会审核。").wait_for()

    member = signed_in(new_page, d.logins["supervision_member:own"], PHONE)
    # The workbench card lists the board waiting for the member's review (issue #17 item 4).
    card = member.locator("section[data-card='待审核的公开栏']")
    card.locator("li a[href^='/finance/boards/']").first.click()
    member.wait_for_url("**/finance/boards/*/")
    member.goto("/finance/boards/")
    submit(member, "#to-review a")
    member.fill("input[name=note]", "票据齐全，核对无误")
    member.click("button:has-text('审核通过并公开')")
    member.get_by_text("审核通过，已向居民公开。").wait_for()
    assert Disclosure.objects.get().status == "published"

    resident = signed_in(new_page, d.logins["resident:own"], PHONE)
    resident.goto("/finance/boards/")
    resident.click("#boards a")
    resident.locator("#board-spending").wait_for()
    text = resident.locator("#board").inner_text()
    assert "¥5,640.50" in text and "社区老年活动中心" in text and "有票据" in text
    shot(resident, "2-board-phone")
    width = resident.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the board scrolls sideways on a phone"

    # The street office's view and the board on a desktop.
    desk = signed_in(new_page, d.logins["street_officer:own"], DESKTOP)
    desk.goto("/finance/supervision/")
    shot(desk, "3-supervision-desktop")
    desk.goto(f"/finance/boards/{Disclosure.objects.get().pk}/")
    shot(desk, "4-board-desktop")
