"""Meetings: drafted with an agenda, announced with the notice period of the rule in force for
their kind, participants registered (by the community's workers, or residents signing up), held
with the attendance and minutes recorded, and published with their decisions. Minutes are
edited until they are published, never after."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit, clock
from core.clock import one_write
from core.models import Place
from core.validation import clean_name, clean_text
from deliberation import notices, publishing
from deliberation.models import (
    AgendaItem,
    Decision,
    Meeting,
    MeetingKind,
    Participant,
    ParticipantRole,
)
from deliberation.services.common import (
    community_place,
    convener,
    lives_in_community,
    meeting_rule_in_force,
    person_of,
    require_state,
    resident,
)
from deliberation.services.rules import representatives_in_office

M = Meeting.State


def locked(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("community").get(pk=meeting.pk)


@one_write
def meeting_create(
    *, actor, community: Place, kind: str, title: str, topic: str, venue: str,
    starts_at: datetime.datetime,
) -> Meeting:  # fmt: skip
    community = community_place(community)
    convener(actor, community)
    if kind not in MeetingKind.values:
        raise ValidationError(_("请选择会议类型。"), code="kind")
    starts_at = _future(starts_at)
    meeting = Meeting.objects.create(
        district_id=community.district_id, community=community, kind=kind,
        title=clean_name(title, _("会议名称")), topic=clean_text(topic, _("议事事项"), limit=4000),
        venue=clean_name(venue, _("地点")), starts_at=starts_at, convened_by=actor,
    )  # fmt: skip
    audit.record(actor=actor, action="deliberation.meeting_create", obj=meeting,
                 changes={"kind": kind, "title": meeting.title,
                          "starts_at": starts_at.isoformat()})  # fmt: skip
    return meeting


def _future(starts_at) -> datetime.datetime:
    if not isinstance(starts_at, datetime.datetime) or timezone.is_naive(starts_at):
        raise ValidationError(_("请填写召开时间。"), code="starts_at")
    if starts_at <= clock.now():
        raise ValidationError(_("召开时间应晚于现在。"), code="past")
    return starts_at


@one_write
def meeting_reschedule(*, actor, meeting: Meeting, starts_at: datetime.datetime) -> Meeting:
    """Move a meeting not yet announced (an announced one is cancelled and announced anew)."""
    meeting = locked(meeting)
    convener(actor, meeting)
    require_state(meeting, M.DRAFT, message=_("会议公告后不能改期；请取消后重新公告。"))
    meeting.starts_at = _future(starts_at)
    meeting.save(update_fields=["starts_at"])
    audit.record(actor=actor, action="deliberation.meeting_reschedule", obj=meeting,
                 changes={"starts_at": meeting.starts_at.isoformat()})  # fmt: skip
    return meeting


@one_write
def agenda_add(*, actor, meeting: Meeting, title: str) -> AgendaItem:
    meeting = locked(meeting)
    convener(actor, meeting)
    require_state(meeting, M.DRAFT, message=_("会议公告后不能再增加议题。"))
    item = AgendaItem.objects.create(meeting=meeting, position=meeting.agenda.count() + 1,
                                     title=clean_name(title, _("议题")))  # fmt: skip
    audit.record(actor=actor, action="deliberation.agenda_add", obj=meeting,
                 changes={"item": item.title})  # fmt: skip
    return item


@one_write
def meeting_notice(*, actor, meeting: Meeting) -> Meeting:
    """Announce the meeting: its agenda must be set and its time at least the rule's notice
    period away (in Beijing days). The rule in force today is copied onto the meeting."""
    meeting = locked(meeting)
    convener(actor, meeting)
    require_state(meeting, M.DRAFT, message=_("会议已经公告过了。"))
    if not meeting.agenda.exists():
        raise ValidationError(_("请先列出会议议题，再发布公告。"), code="no_agenda")
    today = clock.today()
    rule = meeting_rule_in_force(meeting.district_id, meeting.kind, today)
    if rule is None:
        raise ValidationError(_("本区还没有“%(kind)s”的会议规则，请区里先载入或设定。"),
                              params={"kind": MeetingKind(meeting.kind).label}, code="no_rule")  # fmt: skip
    starts_on = timezone.localtime(meeting.starts_at).date()
    if (starts_on - today).days < rule.notice_days:
        earliest = today + datetime.timedelta(days=rule.notice_days)
        raise ValidationError(
            _("按规则（%(source)s，%(date)s起），%(kind)s须提前%(days)d天公告；今天公告，最早可在"
              "%(earliest)s召开。请改期后再公告。"),
            params={"source": rule.source, "date": rule.effective_from.isoformat(),
                    "kind": MeetingKind(meeting.kind).label, "days": rule.notice_days,
                    "earliest": earliest.isoformat()},
            code="notice_period",
        )  # fmt: skip
    meeting.rule = rule
    meeting.terms = {
        "notice_days": rule.notice_days,
        "quorum": [rule.quorum_num, rule.quorum_den, rule.quorum_inclusive],
        "passing": [rule.pass_num, rule.pass_den, rule.pass_inclusive],
        "source": rule.source,
    }
    meeting.state, meeting.noticed_at = M.NOTICED, clock.now()
    meeting.save(update_fields=["rule", "terms", "state", "noticed_at"])
    audit.record(actor=actor, action="deliberation.meeting_notice", obj=meeting,
                 changes={"rule": rule.pk, **meeting.terms})  # fmt: skip
    notices.tell_noticed(actor=actor, meeting=meeting)
    return meeting


@one_write
def meeting_cancel(*, actor, meeting: Meeting, reason: str) -> Meeting:
    meeting = locked(meeting)
    convener(actor, meeting)
    require_state(meeting, M.DRAFT, M.NOTICED, message=_("会议已经召开，不能取消。"))
    was_noticed = meeting.state == M.NOTICED
    meeting.cancel_reason = clean_text(reason, _("取消原因"), limit=2000)
    meeting.state = M.CANCELLED
    meeting.save(update_fields=["cancel_reason", "state"])
    meeting.proposals.update(state="qualified", meeting=None)
    AgendaItem.objects.filter(meeting=meeting, proposal__isnull=False).update(proposal=None)
    audit.record(actor=actor, action="deliberation.meeting_cancel", obj=meeting)
    notices.tell_cancelled(actor=actor, meeting=meeting, was_noticed=was_noticed)
    return meeting


def _registered(meeting: Meeting, person) -> None:
    if Participant.objects.filter(meeting=meeting, person=person).exists():
        raise ValidationError(_("%(name)s已经报名参加这次会议。"), params={"name": person.name},
                              code="duplicate")  # fmt: skip


def _is_representative(meeting: Meeting, person) -> bool:
    day = timezone.localtime(meeting.starts_at).date()
    return representatives_in_office(meeting.community_id, day).filter(person=person).exists()


@one_write
def participant_register(*, actor, meeting: Meeting, person, role: str) -> Participant:
    """Register a participant: a representative (in office on the day), a resident or a party
    concerned of the community, or an expert or unit from anywhere."""
    meeting = locked(meeting)
    convener(actor, meeting)
    require_state(meeting, M.NOTICED, message=_("只能在会议公告后、召开前登记参会人员。"))
    if role not in ParticipantRole.values:
        raise ValidationError(_("请选择参会身份。"), code="role")
    if person is None:
        raise ValidationError(_("请选择参会人员。"), code="person")
    if role != ParticipantRole.EXPERT and not lives_in_community(person, meeting.community):
        raise ValidationError(
            _("居民、居民代表和利害关系人须是本社区的居民。"), code="not_resident"
        )
    if role == ParticipantRole.REPRESENTATIVE and not _is_representative(meeting, person):
        raise ValidationError(
            _("所选人员在会议当天不是本社区的居民代表。"), code="not_representative"
        )
    _registered(meeting, person)
    participant = Participant.objects.create(meeting=meeting, person=person, role=role,
                                             registered_by=actor)  # fmt: skip
    audit.record(actor=actor, action="deliberation.participant_register", obj=meeting,
                 changes={"person": person.pk, "role": role})  # fmt: skip
    return participant


@one_write
def meeting_sign_up(*, actor, meeting: Meeting) -> Participant:
    """A resident of the community signs up (as a representative if they are one)."""
    meeting = locked(meeting)
    resident(actor, meeting)
    person = person_of(actor)
    require_state(meeting, M.NOTICED, message=_("这次会议现在不接受报名。"))
    _registered(meeting, person)
    role = (
        ParticipantRole.REPRESENTATIVE
        if _is_representative(meeting, person)
        else ParticipantRole.RESIDENT
    )
    participant = Participant.objects.create(meeting=meeting, person=person, role=role,
                                             registered_by=actor)  # fmt: skip
    audit.record(actor=actor, action="deliberation.meeting_sign_up", obj=meeting,
                 changes={"person": person.pk, "role": role})  # fmt: skip
    return participant


@one_write
def meeting_hold(*, actor, meeting: Meeting, attended, minutes: str) -> Meeting:
    """The meeting took place: who of the registered came, and the minutes (editable until
    published). Not before its announced time."""
    meeting = locked(meeting)
    convener(actor, meeting)
    require_state(meeting, M.NOTICED, message=_("只有已公告的会议可以登记召开。"))
    if clock.now() < meeting.starts_at:
        raise ValidationError(_("会议尚未到公告的召开时间（%(at)s），不能登记召开。"),
                              params={"at": clock.shown(meeting.starts_at, "%Y-%m-%d %H:%M")},
                              code="too_early")  # fmt: skip
    ids = {int(i) for i in (attended or [])}
    known = set(meeting.participants.values_list("pk", flat=True))
    if ids - known:
        raise ValidationError(_("到会人员须是本次会议已登记的参会人员。"), code="attendance")
    minutes = clean_text(minutes, _("会议纪要"), limit=20000)
    meeting.participants.filter(pk__in=ids).update(attended=True)
    meeting.minutes, meeting.state, meeting.held_at = minutes, M.HELD, clock.now()
    meeting.save(update_fields=["minutes", "state", "held_at"])
    audit.record(actor=actor, action="deliberation.meeting_hold", obj=meeting,
                 changes={"attended": len(ids), "registered": len(known)})  # fmt: skip
    return meeting


@one_write
def minutes_edit(*, actor, meeting: Meeting, minutes: str) -> Meeting:
    meeting = locked(meeting)
    convener(actor, meeting)
    if meeting.state == M.PUBLISHED:
        raise ValidationError(_("会议纪要已经公布，不能再修改。"), code="published")
    require_state(meeting, M.HELD, message=_("会议召开后才有纪要。"))
    meeting.minutes = clean_text(minutes, _("会议纪要"), limit=20000)
    meeting.save(update_fields=["minutes"])
    audit.record(actor=actor, action="deliberation.minutes_edit", obj=meeting,
                 changes={"length": len(meeting.minutes)})  # fmt: skip
    return meeting


@one_write
def meeting_publish(*, actor, meeting: Meeting) -> Meeting:
    """Publish the minutes and the decisions (on the public page, and on the community channel
    when there is one); nothing of them changes after, but the decisions' progress."""
    meeting = locked(meeting)
    convener(actor, meeting)
    require_state(meeting, M.HELD, message=_("只有已召开的会议可以公布。"))
    now = clock.now()
    decisions = list(meeting.decisions.all())
    Decision.objects.filter(meeting=meeting).update(published_at=now)
    meeting.state, meeting.published_at = M.PUBLISHED, now
    meeting.save(update_fields=["state", "published_at"])
    audit.record(actor=actor, action="deliberation.meeting_publish", obj=meeting,
                 changes={"decisions": len(decisions)})  # fmt: skip
    for decision in decisions:
        decision.published_at = now
        publishing.publish_decision(actor=actor, decision=decision)
    return meeting
