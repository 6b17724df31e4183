"""Issue #18 item 7's walk-through: a community worker writes an event on the desktop, the
street officer reviews and publishes it on a phone; a resident reads the channel on a phone
without signing in, signs in from the event, follows the community and signs up; the worker
sees the sign-up with the name masked."""

import datetime

from django.utils import timezone

from channel import services as channel_services
from core import clock
from core.testing import PASSWORD
from tests.browser.conftest import DESKTOP, PHONE, screenshots, signed_in, submit

shot = screenshots("channel-")


def local(moment: datetime.datetime) -> str:
    return clock.shown(moment, "%Y-%m-%dT%H:%M")


def test_a_resident_reads_the_channel_on_a_phone_and_signs_up(new_page, district):
    d = district
    community = d.communities[0]
    channel_services.rules_seed(actor=d.root, district=d.district)
    start = timezone.now() + datetime.timedelta(days=5)

    worker = signed_in(new_page, d.logins["community_worker:own"], DESKTOP)
    worker.goto("/channel/")
    worker.click("#manage-link")
    worker.select_option("#id_kind", "event")
    worker.fill("#id_title", "重阳节包饺子")
    worker.fill("#id_body", "欢迎社区老人和志愿者参加。\n<b>自带围裙</b>")
    worker.fill("#id_location", "社区活动室")
    worker.fill("#id_starts_at", local(start))
    worker.fill("#id_signup_deadline", local(start - datetime.timedelta(days=1)))
    worker.fill("#id_capacity", "20")
    shot(worker, "new-desktop")
    worker.click("#new-post button.primary")
    worker.get_by_text("草稿已保存，请提交审核。").wait_for()
    worker.click("button[value=submit]")
    worker.get_by_text("已提交审核。").wait_for()
    post_url = worker.url

    officer = signed_in(new_page, d.logins["street_officer:own"], PHONE)
    officer.goto(post_url)
    shot(officer, "review-phone")
    officer.click("button[value=approve]")
    officer.get_by_text("已发布，关注本社区的居民会收到通知。").wait_for()

    phone = new_page(viewport=PHONE)
    phone.goto("/channel/")
    shot(phone, "index-phone")
    submit(phone, f"a[href='/channel/c/{community.pk}/']")
    submit(phone, "text=重阳节包饺子")
    assert "<b>自带围裙</b>" in phone.inner_text("#body")  # typed text, shown as text
    assert "已报0 / 共20" in phone.inner_text("#places")
    shot(phone, "event-anonymous-phone")
    phone.click("#login-to-sign-up")
    phone.wait_for_url("**/login/**")  # with ?next= back to the event
    phone.fill("#id_username", d.logins["resident:own"])
    phone.fill("#id_password", PASSWORD)
    phone.click("button.primary")
    phone.wait_for_url("**/channel/p/*/")  # back to the event after signing in
    phone.click("#sign-up")
    phone.get_by_text("报名成功。").wait_for()
    assert "已报1 / 共20" in phone.inner_text("#places")
    shot(phone, "event-signed-up-phone")
    phone.goto(f"/channel/c/{community.pk}/")
    phone.click("#follow")
    phone.get_by_text("已关注").first.wait_for()
    shot(phone, "community-followed-phone")

    worker.goto(post_url)
    signups = worker.inner_text("#signups")
    assert "resident-own" not in signups and "r*" in signups
    shot(worker, "signups-desktop")
