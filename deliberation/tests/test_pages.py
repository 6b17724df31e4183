"""The pages: each role sees its own community's deliberation and no other; a step posted on a
page runs its service (a refusal is shown, nothing written); the public pages open without
login and show only what was published; the demo builds a published hearing."""

import pytest
from django.utils import timezone

from core.models import Role
from core.testing import PASSWORD
from deliberation import demo, services
from deliberation.models import Decision, Meeting, MeetingKind, Support
from deliberation.testing import held_meeting, noticed_meeting
from notify.models import Follow, Message

pytestmark = pytest.mark.django_db


def _login(client, d, key):
    client.force_login(d.users[key])
    return client


def test_roles_see_their_own_community_only(client, world):
    d, other = world
    worker = d.users[f"{Role.COMMUNITY_WORKER}:own"]
    meeting = noticed_meeting(actor=worker, community=d.communities[0], title="本社区听证会")
    url = f"/deliberation/meetings/{meeting.pk}/"
    for key, status in [(f"{Role.COMMUNITY_WORKER}:own", 200), (f"{Role.STREET_OFFICER}:own", 200),
                        ("r1", 200), (f"{Role.COMMUNITY_WORKER}:other", 404),
                        (f"{Role.STREET_OFFICER}:other", 404), (f"{Role.GRID_WORKER}:own", 404),
                        (f"{Role.DEPARTMENT_OFFICER}:own", 404)]:  # fmt: skip
        client.force_login(d.users[key])
        assert client.get(url).status_code == status, key
    client.force_login(other.users["r1"])
    assert client.get(url).status_code == 404
    client.force_login(d.users[f"{Role.DEPARTMENT_OFFICER}:own"])
    assert client.get("/deliberation/").status_code == 403
    page = _login(client, d, "r1").get("/deliberation/").content.decode()
    assert "本社区听证会" in page and "提出提议" in page and "召集会议" not in page
    page = _login(client, d, f"{Role.COMMUNITY_WORKER}:own").get("/deliberation/").content.decode()
    assert "召集会议" in page and "居民1" in page  # the representatives, by name, for staff


def test_the_public_notice_offers_sign_up_only_where_the_meeting_page_opens(client, world):
    """A signed-in reader whose deliberation pages do not hold the meeting (another
    community's resident, a department officer) gets no 去报名 link: it would lead to a 404."""
    d, other = world
    worker = d.users[f"{Role.COMMUNITY_WORKER}:own"]
    meeting = noticed_meeting(actor=worker, community=d.communities[0])
    notice = f"/deliberation/public/meetings/{meeting.pk}/"
    link = f'href="/deliberation/meetings/{meeting.pk}/"'
    for user, offered in [(d.users["r1"], True), (worker, True), (other.users["r1"], False),
                          (d.users[f"{Role.DEPARTMENT_OFFICER}:own"], False)]:  # fmt: skip
        client.force_login(user)
        page = client.get(notice).content.decode()
        assert (link in page) is offered, user
        if offered:
            assert client.get(f"/deliberation/meetings/{meeting.pk}/").status_code == 200
    client.logout()
    page = client.get(notice).content.decode()
    assert "登录报名" in page and f"next=/deliberation/meetings/{meeting.pk}/" in page


def test_a_resident_signs_up_and_supports_on_the_page_once(client, world):
    d, _other = world
    worker = d.users[f"{Role.COMMUNITY_WORKER}:own"]
    meeting = noticed_meeting(actor=worker, community=d.communities[0])
    _login(client, d, "r3")
    page = client.get(f"/deliberation/meetings/{meeting.pk}/").content.decode()
    assert 'value="sign_up"' in page and 'value="hold"' not in page
    assert "居民1" not in page  # residents see how many registered, not who
    client.post(f"/deliberation/meetings/{meeting.pk}/", {"action": "sign_up"})
    assert meeting.participants.filter(person=d.users["r3"].person).exists()
    proposal = services.proposal_file(actor=d.users["r1"], community=d.communities[0],
                                      title="增设座椅", text="在广场增设座椅")  # fmt: skip
    url = f"/deliberation/proposals/{proposal.pk}/"
    client.post(url, {"action": "support"})
    before = Support.objects.count()
    response = client.post(url, {"action": "support"}, follow=True)
    assert "只能支持一次" in response.content.decode()
    assert Support.objects.count() == before == 1


def test_a_hearing_held_on_the_page_then_published_reads_without_login(client, world):
    d, _other = world
    worker = d.users[f"{Role.COMMUNITY_WORKER}:own"]
    people = [d.users[k].person for k in ("r1", "r2")]
    meeting = noticed_meeting(actor=worker, community=d.communities[0], title="收费听证")
    ids = [services.participant_register(actor=worker, meeting=meeting, person=p,
                                         role="resident").pk for p in people]  # fmt: skip
    _login(client, d, f"{Role.COMMUNITY_WORKER}:own")
    url = f"/deliberation/meetings/{meeting.pk}/"
    client.post(url, {"action": "hold", "hold-attended": [str(i) for i in ids],
                      "hold-minutes": "听取意见"})  # fmt: skip
    client.post(url, {"action": "decide", "decide-title": "按月150元", "decide-text": "执行",
                      "decide-votes_for": "2", "decide-votes_against": "0",
                      "decide-votes_abstain": "0"})  # fmt: skip
    decision = Decision.objects.get(meeting=meeting)
    assert decision.status == "planned"
    client.logout()
    assert client.get(f"/deliberation/public/decisions/{decision.pk}/").status_code == 404
    _login(client, d, f"{Role.COMMUNITY_WORKER}:own").post(url, {"action": "publish"})
    response = client.post(url, {"action": "minutes", "minutes-minutes": "改写"}, follow=True)
    assert "已经公布，不能再修改" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.PUBLISHED and meeting.minutes == "听取意见"
    client.post(f"/deliberation/decisions/{decision.pk}/",
                {"action": "progress", "progress-progress": "30", "progress-text": "已公示"})  # fmt: skip
    client.logout()
    page = client.get(f"/deliberation/public/decisions/{decision.pk}/").content.decode()
    assert "按月150元" in page and "30%" in page and "已公示" in page
    listing = client.get("/deliberation/public/").content.decode()
    assert "按月150元" in listing and "收费听证" in listing
    minutes = client.get(f"/deliberation/public/meetings/{meeting.pk}/").content.decode()
    assert "听取意见" in minutes and "居民1" not in minutes


def test_the_rules_page_lists_each_rule_with_its_source(client, world):
    d, _other = world
    _login(client, d, f"{Role.COORDINATOR}:own")
    page = client.get("/deliberation/rules/").content.decode()
    assert "城市居民委员会组织法" in page and "本区默认设置" in page
    response = client.post("/deliberation/rules/", {
        "action": "meeting", "kind": "hearing", "notice_days": "10", "quorum_num": "3",
        "quorum_den": "2", "pass_num": "1", "pass_den": "2", "source": "x",
        "effective_from": "2030-01-01"})  # fmt: skip
    assert "分子应大于0且不大于分母" in response.content.decode()
    _login(client, d, f"{Role.COMMUNITY_WORKER}:own")
    assert client.post("/deliberation/rules/", {"action": "seed"}).status_code == 403


def test_the_demo_publishes_a_hearing_and_a_convention(world):
    d, _other = world
    lines = []
    # The demo's community is the district's first; its residents with a login are r1–r3.
    demo.build(district=d.district, builder=d.root, seed=2026, out=lines.append)
    hearing = Meeting.objects.get(kind=MeetingKind.HEARING, state="published",
                                  title="小区停车收费调整听证会")  # fmt: skip
    decision = hearing.decisions.get()
    assert (decision.status, decision.progress) == ("in_progress", 60)
    upcoming = Meeting.objects.get(state="noticed", kind="deliberation")
    # The demo's follower heard the notice (and the published decisions, through the channel).
    follower = Follow.objects.get(target=f"core.place:{d.communities[0].pk}").user
    heard = Message.objects.filter(notification__user=follower).values_list("kind", flat=True)
    assert {"deliberation.meeting_noticed", "channel.post_published"} <= set(heard)
    assert upcoming.starts_at.astimezone(timezone.get_current_timezone()).hour == 19
    assert "协商议事" in lines[0]
    assert PASSWORD


def test_a_representatives_meeting_without_quorum_shows_the_rule(client, world):
    d, _other = world
    worker = d.users[f"{Role.COMMUNITY_WORKER}:own"]
    reps = [d.users[k].person for k in ("r1", "r2", f"{Role.RESIDENT}:own")]
    meeting = held_meeting(actor=worker, community=d.communities[0], people=reps,
                           kind=MeetingKind.REPRESENTATIVES, present=1)  # fmt: skip
    response = _login(client, d, f"{Role.COMMUNITY_WORKER}:own").post(
        f"/deliberation/meetings/{meeting.pk}/",
        {"action": "decide", "decide-title": "公约", "decide-text": "修订",
         "decide-votes_for": "1", "decide-votes_against": "0", "decide-votes_abstain": "0"},
    )  # fmt: skip
    assert "不足法定人数" in response.content.decode()
    assert not meeting.decisions.exists()


def test_pages_read_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    """Query pins: the lists do not grow a query per row (several meetings, decisions and
    participants are on each page)."""
    d, _other = world
    worker = d.users[f"{Role.COMMUNITY_WORKER}:own"]
    people = [d.users[k].person for k in ("r1", "r2", "r3")]
    meetings = [held_meeting(actor=worker, community=d.communities[0], people=people)
                for _ in range(3)]  # fmt: skip
    for meeting in meetings:
        for n in range(2):
            services.decision_record(actor=worker, meeting=meeting, title=f"决定{n}", text="t",
                                     votes_for=2, votes_against=0, votes_abstain=0)  # fmt: skip
        services.meeting_publish(actor=worker, meeting=meeting)
    client.force_login(worker)
    # The menu, session and assignments, the community list, five lists, the step forms.
    with django_assert_max_num_queries(40):
        assert client.get("/deliberation/").status_code == 200
    with django_assert_max_num_queries(30):
        assert client.get(f"/deliberation/meetings/{meetings[0].pk}/").status_code == 200
    client.logout()
    with django_assert_max_num_queries(8):  # session, three lists
        assert client.get("/deliberation/public/").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(f"/deliberation/public/meetings/{meetings[0].pk}/").status_code == 200
