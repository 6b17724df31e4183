"""Who hears of a meeting (issue #18 item 6, deliberation/notices.py): the community's followers
hear its notice once, on their own channels, with its public page; nobody else does; what a
message says is only what the public page shows; the registered participants are reminded the
day before by the daily job; a published decision reaches the followers through the channel."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core import clock, jobs
from core.models import Notification, Role
from deliberation import notices, services
from deliberation.models import MeetingKind
from notify import follows
from notify import services as notify_services
from notify.models import Delivery, Message

pytestmark = pytest.mark.django_db
SECRET = "内部备注：物业费成本明细暂不公开"


def _messages(user, kind):
    return Message.objects.filter(notification__user=user, kind=kind)


def _follow(user, community):
    follows.follow(actor=user, target=follows.key_of(community))


def _announce(worker, community, *, starts_at=None, title="东门充电棚听证会"):
    """A hearing announced ten days ago (its notice period met), starting at ``starts_at``."""
    now = clock.now()
    starts_at = starts_at or now + datetime.timedelta(hours=1)
    with clock.moment(now - datetime.timedelta(days=10)):
        meeting = services.meeting_create(
            actor=worker, community=community, kind=MeetingKind.HEARING, title=title,
            topic=SECRET, venue="社区议事厅", starts_at=starts_at,
        )  # fmt: skip
        services.agenda_add(actor=worker, meeting=meeting, title="充电棚选址")
        services.meeting_notice(actor=worker, meeting=meeting)
    meeting.refresh_from_db()
    return meeting


def test_followers_of_the_community_hear_the_notice_and_nobody_else(world):
    d, other = world
    community, worker = d.communities[0], d.users[f"{Role.COMMUNITY_WORKER}:own"]
    follower, bystander = d.users["r1"], d.users["r2"]
    elsewhere = d.users[f"{Role.RESIDENT}:other"]  # lives in the other street's community
    far = other.users["r3"]  # the other district's first community
    _follow(follower, community)
    _follow(elsewhere, d.communities[2])
    _follow(far, other.communities[0])
    notify_services.preferences_update(actor=follower, channels=["sms"])

    meeting = _announce(worker, community)

    told = list(_messages(follower, notices.NOTICED))
    assert len(told) == 1
    note = Notification.objects.get(pk=told[0].pk)
    at = clock.shown(meeting.starts_at, "%Y-%m-%d %H:%M")
    assert note.title == f"{community.name}听证会公告：东门充电棚听证会"
    assert note.body == f"时间：{at}；地点：社区议事厅"
    assert note.url == f"/deliberation/public/meetings/{meeting.pk}/"
    channels = set(Delivery.objects.filter(notification=note).values_list("channel", flat=True))
    assert channels == {"inapp", "sms"}  # the follower chose SMS
    for user in (bystander, elsewhere, far, worker):
        assert not Message.objects.filter(notification__user=user, kind=notices.NOTICED).exists()


def test_no_internal_field_reaches_the_message(world):
    d, _other = world
    community, worker = d.communities[0], d.users[f"{Role.COMMUNITY_WORKER}:own"]
    follower = d.users["r1"]
    _follow(follower, community)
    meeting = _announce(worker, community)
    services.participant_register(actor=worker, meeting=meeting, person=d.users["r2"].person,
                                  role="resident")  # fmt: skip
    services.meeting_cancel(actor=worker, meeting=meeting, reason="召集人另有安排（内部）")
    rows = Message.objects.filter(notification__user=follower)
    assert [m.kind for m in rows.order_by("pk")] == [notices.NOTICED, notices.CANCELLED]
    shown = " ".join(
        f"{n.title} {n.body} {m.params}" for m in rows for n in [Notification.objects.get(pk=m.pk)]
    )
    for internal in (
        SECRET,
        "物业费",
        "内部",
        worker.person.name,
        "居民2",
        meeting.terms["source"],
    ):
        assert internal not in shown, internal
    assert set(rows[0].params) == {"community", "kind", "title", "at", "venue"}


def test_a_notice_is_told_once_however_the_meeting_goes_on(world):
    d, _other = world
    community, worker = d.communities[0], d.users[f"{Role.COMMUNITY_WORKER}:own"]
    follower = d.users["r1"]
    _follow(follower, community)
    meeting = _announce(worker, community)
    with pytest.raises(ValidationError):
        services.meeting_notice(actor=worker, meeting=meeting)  # announced again: refused
    with pytest.raises(ValidationError):
        services.meeting_reschedule(actor=worker, meeting=meeting,
                                    starts_at=clock.now() + datetime.timedelta(days=20))  # fmt: skip
    people = [d.users[k].person for k in ("r1", "r2")]
    ids = [services.participant_register(actor=worker, meeting=meeting, person=p,
                                         role="resident").pk for p in people]  # fmt: skip
    with clock.moment(meeting.starts_at + datetime.timedelta(hours=2)):
        services.meeting_hold(actor=worker, meeting=meeting, attended=ids, minutes="纪要")
        services.minutes_edit(actor=worker, meeting=meeting, minutes="纪要（改）")
        services.decision_record(actor=worker, meeting=meeting, title="东门建充电棚",
                                 text="在东门建充电棚", votes_for=2, votes_against=0,
                                 votes_abstain=0)  # fmt: skip
        services.meeting_publish(actor=worker, meeting=meeting)
    assert _messages(follower, notices.NOTICED).count() == 1
    assert not _messages(follower, notices.CANCELLED).exists()
    # The published decision reached the follower once, as the channel's post.
    decided = list(_messages(follower, "channel.post_published"))
    assert len(decided) == 1
    assert "东门建充电棚" in Notification.objects.get(pk=decided[0].pk).title
    assert not _messages(d.users[f"{Role.RESIDENT}:other"], "channel.post_published").exists()


def test_a_draft_cancelled_tells_nobody(world):
    d, _other = world
    community, worker = d.communities[0], d.users[f"{Role.COMMUNITY_WORKER}:own"]
    _follow(d.users["r1"], community)
    draft = services.meeting_create(
        actor=worker, community=community, kind=MeetingKind.DELIBERATION, title="草拟",
        topic="t", venue="v", starts_at=clock.now() + datetime.timedelta(days=9),
    )  # fmt: skip
    before = Message.objects.count()
    services.meeting_cancel(actor=worker, meeting=draft, reason="不开了")
    assert Message.objects.count() == before


def test_registered_participants_are_reminded_the_day_before_once(world):
    d, _other = world
    community, worker = d.communities[0], d.users[f"{Role.COMMUNITY_WORKER}:own"]
    today = clock.today()
    tomorrow_3pm = timezone.make_aware(
        datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time(15, 0))
    )
    meeting = _announce(worker, community, starts_at=tomorrow_3pm)
    later = _announce(worker, community, title="后天的会",
                      starts_at=tomorrow_3pm + datetime.timedelta(days=1))  # fmt: skip
    for m in (meeting, later):
        services.participant_register(actor=worker, meeting=m, person=d.users["r2"].person,
                                      role="resident")  # fmt: skip
    services.participant_register(actor=worker, meeting=meeting, person=d.users["r3"].person,
                                  role="resident")  # fmt: skip

    run = jobs.run_once("deliberation.meeting_reminders", today.isoformat())
    assert run.result == {"meetings": 1, "told": 2}
    assert jobs.run_once("deliberation.meeting_reminders", today.isoformat()) is None
    for key in ("r2", "r3"):
        told = list(_messages(d.users[key], notices.REMINDER))
        assert len(told) == 1 and told[0].subject == f"deliberation.meeting:{meeting.pk}"
        note = Notification.objects.get(pk=told[0].pk)
        assert note.title == "明天召开：东门充电棚听证会"
        assert "15:00" in note.body and "社区议事厅" in note.body
        # Without a choice of their own, a reminder goes by SMS too.
        assert Delivery.objects.filter(notification=note, channel="sms").exists()
    assert not _messages(d.users["r1"], notices.REMINDER).exists()


def test_the_notice_link_opens_without_login_and_shows_no_participant(client, world):
    d, _other = world
    community, worker = d.communities[0], d.users[f"{Role.COMMUNITY_WORKER}:own"]
    meeting = _announce(worker, community)
    services.participant_register(actor=worker, meeting=meeting, person=d.users["r2"].person,
                                  role="resident")  # fmt: skip
    page = client.get(f"/deliberation/public/meetings/{meeting.pk}/").content.decode()
    assert "东门充电棚听证会" in page and "社区议事厅" in page and "充电棚选址" in page
    assert "居民2" not in page and 'id="minutes"' not in page
    listing = client.get("/deliberation/public/").content.decode()
    assert "东门充电棚听证会" in listing
    draft = services.meeting_create(
        actor=worker, community=community, kind=MeetingKind.DELIBERATION, title="草拟中的会",
        topic="t", venue="v", starts_at=clock.now() + datetime.timedelta(days=9),
    )  # fmt: skip
    assert client.get(f"/deliberation/public/meetings/{draft.pk}/").status_code == 404
