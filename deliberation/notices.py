"""Who hears of a meeting (issue #18 item 6), through notify on each reader's own channels.

- **Announced**: ``meeting_notice`` tells everyone who follows the community
  (``notify.follows.tell_community_followers``) the meeting's kind, title, time and place, with
  a link to its public page. A meeting is announced once (the step leaves 拟定中 for good), so
  nothing after it — registrations, holding, minutes, publishing — tells them again.
- **Cancelled** after its notice: the same followers and the registered participants hear it.
- **Tomorrow**: the registered participants are reminded the day before, by the daily job
  ``deliberation.meeting_reminders`` (``deliberation/tasks.py``); a participant without an
  account gets a text.
- **Decided**: each published decision becomes a post of the community channel
  (``deliberation.publishing``), whose followers the channel tells.

A message carries only what the public page shows: never the topic's internal notes, the
participants, the rule's terms, the convener or a cancellation's reason."""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from deliberation.models import Meeting, MeetingKind

NOTICED = "deliberation.meeting_noticed"
CANCELLED = "deliberation.meeting_cancelled"
REMINDER = "deliberation.meeting_reminder"


def kinds() -> list:
    from notify.kinds import RESIDENT, Kind

    n = gettext_noop
    return [
        Kind(NOTICED, n("关注的社区发布议事会议公告"),
             n("%(community)s%(kind)s公告：%(title)s"), n("时间：%(at)s；地点：%(venue)s"),
             RESIDENT),
        Kind(CANCELLED, n("议事会议取消"), n("%(community)s%(kind)s取消：%(title)s"),
             n("原定%(at)s在%(venue)s召开，现已取消。"), RESIDENT),
        # Someone who registered to attend: a text unless they chose otherwise.
        Kind(REMINDER, n("报名参加的议事会议明天召开"), n("明天召开：%(title)s"),
             n("时间：%(at)s；地点：%(venue)s"), RESIDENT, channels=("sms",)),
    ]  # fmt: skip


def _params(meeting: Meeting) -> dict:
    return {
        "community": meeting.community.name,
        "kind": MeetingKind(meeting.kind).label,  # stored as its msgid, read in each language
        "title": meeting.title,
        "at": meeting.starts_at,  # shown in Beijing time
        "venue": meeting.venue,
    }


def _url(meeting: Meeting) -> str:
    return reverse("deliberation:public_meeting", args=[meeting.pk])


def _participants(meeting: Meeting) -> list:
    return [p.person for p in meeting.participants.select_related("person")]


def tell_noticed(*, actor, meeting: Meeting) -> int:
    """Inside ``meeting_notice``: the community's followers hear the notice. How many."""
    from notify import follows

    return follows.tell_community_followers(
        community=meeting.community, kind=NOTICED, params=_params(meeting), url=_url(meeting),
        subject=meeting, skip=[actor],
    )  # fmt: skip


def tell_cancelled(*, actor, meeting: Meeting, was_noticed: bool) -> None:
    """Inside ``meeting_cancel``: a meeting nobody was told of tells nobody; an announced one
    tells the followers and those registered (each once)."""
    if not was_noticed:
        return
    from notify import follows
    from notify import services as notify

    # notify.send tells an account once, however many ways it is named.
    recipients = [*follows.followers(meeting.community, skip=[actor.pk]), *_participants(meeting)]
    if recipients:
        notify.send(kind=CANCELLED, recipients=recipients, params=_params(meeting),
                    url=reverse("deliberation:public"), subject=meeting, actor=actor)  # fmt: skip


def remind_tomorrow(*, today: datetime.date) -> dict:
    """The daily job: each announced meeting that starts tomorrow (Beijing date) reminds its
    registered participants. Run once a day (core.jobs), so each meeting reminds once."""
    from notify import services as notify

    tomorrow = today + datetime.timedelta(days=1)
    start = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time.min))
    meetings = Meeting.objects.filter(
        state=Meeting.State.NOTICED, starts_at__gte=start,
        starts_at__lt=start + datetime.timedelta(days=1),
    ).select_related("community")  # fmt: skip
    told = 0
    for meeting in meetings:
        people = _participants(meeting)
        if people:
            notify.send(kind=REMINDER, recipients=people, params=_params(meeting),
                        url=_url(meeting), subject=meeting)  # fmt: skip
            told += len(people)
    return {"meetings": len(meetings), "told": told}
