"""The demo district's deliberation, in its first community: the default rules; three residents'
representatives; a residents' proposal gathering supports; a published hearing on parking fees
whose decision is being carried out (60 %); a published 居民代表会议 that adopted the residents'
convention; and a deliberation meeting announced for next week, open for sign-up, which the
first resident with a login hears of as a follower of the community."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from core import clock
from core.models import Person, Place, PlaceLevel
from deliberation import services
from deliberation.models import MeetingKind
from deliberation.testing import noticed_meeting
from notify import follows


def _people(community):
    in_community = Person.objects.filter(place__path__startswith=community.path)
    with_login = list(in_community.filter(account__isnull=False,
                                          account__role_assignments__role="resident",
                                          account__role_assignments__ended_at__isnull=True)
                      .distinct().order_by("pk")[:4])  # fmt: skip
    others = list(in_community.filter(account__isnull=True).order_by("pk")[:4])
    return with_login, others


def _evening(day: datetime.date) -> datetime.datetime:
    """Half past seven in the evening (Beijing), when residents can come."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(19, 30)))


def _held(builder, community, kind, title, people, minutes):
    meeting = noticed_meeting(actor=builder, community=community, kind=kind, title=title)
    role = "representative" if kind == MeetingKind.REPRESENTATIVES else "resident"
    ids = [services.participant_register(actor=builder, meeting=meeting, person=p, role=role).pk
           for p in people]  # fmt: skip
    return services.meeting_hold(actor=builder, meeting=meeting, attended=ids, minutes=minutes)


def build(*, district, builder, seed, out):
    services.rules_seed(actor=builder, district=district)
    community = (
        Place.objects.filter(district=district, level=PlaceLevel.COMMUNITY).order_by("code").first()
    )
    if community is None:
        return
    with_login, others = _people(community)
    people = [*with_login, *others]
    if not with_login or len(people) < 3:
        return
    today = clock.today()
    reps = people[:3]
    for person in reps:
        if services.representatives_in_office(community.pk, today).filter(person=person).exists():
            continue
        services.representative_add(actor=builder, community=community, person=person,
                                    elected_on=today - datetime.timedelta(days=400),
                                    term_ends_on=today + datetime.timedelta(days=1400))  # fmt: skip
    proposal = services.proposal_file(
        actor=with_login[0].account, community=community, title=_("小区东门增设电动自行车充电棚"),
        text=_("东门附近电动自行车多，楼道充电有火灾隐患，建议增设集中充电棚。"),
    )  # fmt: skip
    for person in with_login:
        services.proposal_support(actor=person.account, proposal=proposal)

    # The first resident with a login follows the community: their inbox shows the decisions
    # published below (as the channel's posts) and the notice of the coming meeting.
    follows.follow(actor=with_login[0].account, target=follows.key_of(community))

    hearing = _held(builder, community, MeetingKind.HEARING, _("小区停车收费调整听证会"),
                    people[:4], _("与会居民对收费标准发表意见，物业说明了成本。会议建议按月150元执行，"
                                  "并对老年人家庭给予优惠。"))  # fmt: skip
    decision = services.decision_record(
        actor=builder, meeting=hearing, title=_("停车收费按月150元执行"),
        text=_("自下月起按月150元收取停车费，70岁以上老人家庭减半。"),
        votes_for=3, votes_against=1, votes_abstain=0,
    )  # fmt: skip
    services.meeting_publish(actor=builder, meeting=hearing)
    services.decision_progress(actor=builder, decision=decision, progress=60,
                               text=_("收费公示已张贴，物业正在调整道闸系统。"))  # fmt: skip

    assembly = _held(builder, community, MeetingKind.REPRESENTATIVES, _("居民代表会议：修订居民公约"),
                     reps, _("居民代表逐条讨论居民公约修订稿，一致同意通过。"))  # fmt: skip
    adopted = services.decision_record(
        actor=builder, meeting=assembly, title=_("通过《居民公约》"), text=_("通过居民公约修订稿。"),
        votes_for=3, votes_against=0, votes_abstain=0,
    )  # fmt: skip
    services.document_adopt(
        actor=builder, decision=adopted, kind="convention", title=_("居民公约"),
        text=_("一、爱党爱国，遵纪守法。\n二、邻里和睦，互帮互助。\n三、爱护环境，垃圾分类。\n"
               "四、文明养犬，规范停车。\n五、移风易俗，勤俭节约。"),
    )  # fmt: skip
    services.meeting_publish(actor=builder, meeting=assembly)
    services.decision_complete(actor=builder, decision=adopted, text=_("居民公约已张贴公示。"))

    upcoming = services.meeting_create(
        actor=builder, community=community, kind=MeetingKind.DELIBERATION,
        title=_("楼道堆物整治协商议事会"), topic=_("商议楼道堆物清理办法和长效管理。"),
        venue=_("社区议事厅"), starts_at=_evening(clock.today() + datetime.timedelta(days=7)),
    )  # fmt: skip
    services.agenda_add(actor=builder, meeting=upcoming, title=_("楼道堆物清理办法"))
    services.meeting_notice(actor=builder, meeting=upcoming)
    out(_("协商议事：%(c)s，3名居民代表，1项提议，1次听证会和1次居民代表会议已公布，1次议事会报名中")
        % {"c": community.name})  # fmt: skip
