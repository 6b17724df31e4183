"""What the time bank's steps tell people, on a phone and a desk (issue #21 item 4): a sign-in
far from the agreed time is refused naming the window; the confirm form shows the signed and
agreed minutes and warns; the worker who confirmed is told a colleague approves, and who; the
colleague sees the mismatch flagged; the volunteer is notified."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core import services as core_services
from core.models import Role
from core.testing import PASSWORD, build_small_district
from tests.browser.conftest import PHONE, screenshots, signed_in, submit
from timebank import services
from timebank.testing import resident, years_ago

shot = screenshots("timebank-guidance-")
DESK = {"width": 1366, "height": 900}
VOLUNTEER = "13911120003"


@pytest.fixture
def world(transactional_db):
    d = build_small_district()
    elder = resident(actor=d.root, place=d.grids[0], name="王奶奶", birth=years_ago(80))
    volunteer = resident(actor=d.root, place=d.grids[1], name="周志愿", birth=years_ago(24),
                         mobile=VOLUNTEER, password=PASSWORD)  # fmt: skip
    for person in (elder, volunteer):
        services.member_account_open(actor=d.root, person=person)
    core_services.person_register(
        actor=d.root, place=d.communities[0], name="钱同事", mobile="13911120009",
        username="qian-colleague", password=PASSWORD, password_is_temporary=False,
        role=Role.COMMUNITY_WORKER,
    )  # fmt: skip
    worker = d.users["community_worker:own"]
    need = services.listing_create(
        actor=worker, kind="need", category="company", title="陪王奶奶聊天", minutes=60,
        recipient=elder,
    )  # fmt: skip
    order = services.order_take(actor=volunteer.account, listing=need)
    services.order_sign_in(actor=volunteer.account, order=order)
    services.order_sign_out(actor=volunteer.account, order=order)  # 1 minute against 60
    later = services.listing_create(
        actor=worker, kind="need", category="errand", title="帮王奶奶取药", minutes=30,
        recipient=elder, wanted_at=timezone.now() + datetime.timedelta(hours=32),
    )  # fmt: skip
    services.order_take(actor=volunteer.account, listing=later)
    return d, order


@pytest.mark.parametrize("size", [PHONE, DESK], ids=["phone", "desk"])
def test_the_steps_say_what_is_wrong_and_who_is_next(new_page, world, size):
    d, order = world
    worker = signed_in(new_page, d.logins["community_worker:own"], size)
    worker.goto("/timebank/")
    box = worker.locator("section", has_text="待我确认的服务")
    warning = box.locator("[data-testid=minutes-mismatch]")
    assert "约定 60 分钟，签到签退 1 分钟" in warning.inner_text()
    minutes = box.locator("input[name$=minutes]")
    assert minutes.input_value() == ""  # typed, not confirmed by habit
    assert worker.locator("[data-testid=my-needs]").inner_text().count("待确认") == 1
    shot(worker, f"confirm-{size['width']}")
    minutes.fill("60")
    submit(worker, box.locator("button", has_text="确认服务"))
    awaiting = worker.locator("[data-testid=awaiting-other]")
    assert "钱同事" in awaiting.inner_text() and "另一位社区工作者" in awaiting.inner_text()
    assert "待审核" in worker.locator("[data-testid=my-needs]").inner_text()
    shot(worker, f"confirmed-{size['width']}")
    worker.goto("/timebank/approvals/")
    assert "钱同事" in worker.locator("[data-testid=awaiting-other]").inner_text()
    shot(worker, f"confirmer-approvals-{size['width']}")
    assert worker.evaluate("document.documentElement.scrollWidth") <= size["width"]
    worker.context.close()

    colleague = signed_in(new_page, "qian-colleague", size)
    colleague.goto("/timebank/approvals/")
    row = colleague.locator("tr", has_text="陪王奶奶聊天")
    assert row.locator("[data-testid=mismatch-flag]").inner_text() == "时长与约定不符"
    assert "约定 60 分钟" in row.inner_text()
    shot(colleague, f"approvals-{size['width']}")
    colleague.goto(f"/timebank/orders/{order.pk}/")
    assert colleague.locator("[data-testid=minutes-mismatch]").is_visible()
    shot(colleague, f"order-{size['width']}")
    colleague.context.close()

    volunteer = signed_in(new_page, VOLUNTEER, size)
    volunteer.goto("/notifications/")
    assert "服务已确认：陪王奶奶聊天" in volunteer.locator("main, .page").first.inner_text()
    volunteer.goto("/timebank/")
    volunteer.locator("li", has_text="帮王奶奶取药").locator("button", has_text="签到").click()
    expect(volunteer.locator(".messages")).to_contain_text("现在不能签到")
    refused = volunteer.locator(".messages").inner_text()
    assert "只能在前后2小时内" in refused and "现在不能签到" in refused
    shot(volunteer, f"sign-in-refused-{size['width']}")
