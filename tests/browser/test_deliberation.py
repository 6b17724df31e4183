"""Issue #18 item 6's walk-through, on a phone: a hearing from notice to published decision.
The community worker drafts a hearing three days out; its notice is refused (the rule asks for
seven days) and given after moving it; a resident signs up on their phone and the worker
registers a representative; the days pass; the worker records the attendance and minutes, a
decision with its votes, publishes, and reports progress; anyone reads the decision and its
progress on the public page without logging in, and the minutes can no longer be edited."""

import datetime

import pytest

from core import clock
from deliberation.models import Decision, Meeting
from deliberation.testing import prepare_district
from tests.browser.conftest import DESKTOP, PHONE, screenshots, signed_in, submit

shot = screenshots("deliberation-")


@pytest.fixture
def residents(district):
    prepare_district(district)  # the default rules, residents r1–r3, r1 and r2 representatives
    return district


def _local(moment: datetime.datetime) -> str:
    return clock.shown(moment, "%Y-%m-%dT%H:%M")


def test_a_hearing_from_notice_to_published_decision(new_page, residents):
    d = residents
    worker = signed_in(new_page, d.logins["community_worker:own"], PHONE)
    worker.goto("/deliberation/")
    worker.click("text=召集会议")
    worker.select_option("#id_kind", "hearing")
    worker.fill("#id_title", "小区停车收费调整听证会")
    worker.fill("#id_topic", "物业拟将地面停车费由每月120元调整为150元，听取居民意见。")
    worker.fill("#id_venue", "社区议事厅")
    worker.fill("#id_starts_at", _local(clock.now() + datetime.timedelta(days=3)))
    worker.click("button[value=meeting]")
    worker.wait_for_url("**/deliberation/meetings/*/")
    meeting = Meeting.objects.get()
    worker.fill("#id_agenda-title", "停车收费标准")
    worker.click("button[value=agenda]")
    worker.get_by_text("议题已增加。").wait_for()
    worker.click("button[value=notice]")  # three days out: the hearing's rule asks for seven
    worker.get_by_text("听证会须提前7天公告").wait_for()
    shot(worker, "1-notice-refused")
    worker.click("text=会议改期")
    worker.fill("#id_reschedule-starts_at", _local(clock.now() + datetime.timedelta(days=8)))
    worker.click("button[value=reschedule]")
    worker.get_by_text("已改期。").wait_for()
    worker.click("button[value=notice]")
    worker.get_by_text("会议公告已发布。").wait_for()
    assert worker.locator("#meeting-state").inner_text() == "已公告"

    resident = signed_in(new_page, d.logins["r3"], PHONE)
    resident.goto("/deliberation/")
    submit(resident, "text=小区停车收费调整听证会")
    assert resident.locator("#participants").count() == 0  # who signed up is the staff's
    resident.click("button[value=sign_up]")
    resident.get_by_text("已报名。").wait_for()
    shot(resident, "2-signed-up")

    worker.reload()
    worker.select_option("#id_register-person", str(d.users["r1"].person.pk))
    worker.select_option("#id_register-role", "representative")
    worker.click("button[value=register]")
    worker.get_by_text("已登记。").wait_for()

    # Nine days pass: the notice and the hearing's time move into the past.
    shift = datetime.timedelta(days=9)
    meeting.refresh_from_db()
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=meeting.starts_at - shift, noticed_at=meeting.noticed_at - shift
    )
    worker.reload()
    for label in worker.locator("#hold input[type=checkbox]").all():
        label.check()
    worker.fill(
        "#id_hold-minutes",
        "两名报名居民到会。居民代表居民1认为应对老年人家庭给予优惠；物业说明了成本构成。",
    )
    worker.click("button[value=hold]")
    worker.get_by_text("已登记会议召开。").wait_for()
    worker.fill("#id_decide-title", "停车收费按月150元执行，老年人家庭减半")
    worker.fill("#id_decide-text", "自下月起按月150元收取地面停车费，70岁以上老人家庭减半。")
    worker.fill("#id_decide-votes_for", "2")
    worker.fill("#id_decide-votes_against", "0")
    worker.fill("#id_decide-votes_abstain", "0")
    worker.click("button[value=decide]")
    worker.get_by_text("决定已登记。").wait_for()
    worker.click("button[value=publish]")
    worker.get_by_text("纪要和决定已公布。").wait_for()
    shot(worker, "3-published")
    decision = Decision.objects.get()
    worker.goto(f"/deliberation/decisions/{decision.pk}/")
    worker.fill("#id_progress-progress", "40")
    worker.fill("#id_progress-text", "收费公示已张贴，物业正在调整道闸系统。")
    worker.click("button[value=progress]")
    worker.get_by_text("进度已更新。").wait_for()

    public = new_page(viewport=PHONE)
    public.goto("/deliberation/public/")
    submit(public, "text=停车收费按月150元执行，老年人家庭减半")
    text = public.locator("main").inner_text()
    assert "实施中" in text and "40%" in text and "道闸系统" in text
    assert "赞成2 反对0 弃权0" in text
    shot(public, "4-public-decision")
    submit(public, "text=小区停车收费调整听证会")
    assert "老年人家庭给予优惠" in public.locator("#minutes").inner_text()
    assert "居民3" not in public.locator("main").inner_text()

    worker.goto(f"/deliberation/meetings/{meeting.pk}/")
    assert worker.locator("#minutes").count() == 1 and worker.locator("#hold").count() == 0
    assert worker.locator("button[value=minutes]").count() == 0  # no edit after publishing
    desk = signed_in(new_page, d.logins["street_officer:own"], DESKTOP)
    desk.goto(f"/deliberation/meetings/{meeting.pk}/")
    desk.locator("#participants").get_by_text("居民3").wait_for()
    shot(desk, "5-street-desktop")
