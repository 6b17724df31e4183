"""The demo district's deliberation, in its first community, dated back from the day the demo
is built (so the district's one page compares two years of decisions on whatever day that is):
the default rules; three residents' representatives; about sixteen and fourteen months ago a
published 居民代表会议 that adopted the residents' convention and a 协商议事会 that voted down
parking on the green; in the last eight months a 协商议事会 on stairwell lights (done), a
居民代表会议 on the year's service-project funds (done) and a hearing on parking fees whose
decision is being carried out (60 %); a residents' proposal gathering supports; and a
deliberation meeting announced for next week, open for sign-up, which the first resident with a
login hears of as a follower of the community."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from core import clock
from core.models import Person, Place, PlaceLevel
from deliberation import services
from deliberation.models import MeetingKind
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


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _concluded(builder, community, days_ago, kind, title, people, minutes, decided):
    """A meeting held ``days_ago`` in the evening (announced ten days before, its participants
    registered two days before: for a 居民代表会议, the representatives then in office), its
    decision recorded that night and published three days later. ``decided`` is (title, text,
    votes against); the others present vote for. The decision (None without representatives)."""
    day = clock.today() - datetime.timedelta(days=days_ago)
    starts = _evening(day)
    role = "resident"
    if kind == MeetingKind.REPRESENTATIVES:
        role = "representative"
        in_office = services.representatives_in_office(community.pk, day).order_by("pk")
        people = [r.person for r in in_office.select_related("person")]
        if not people:
            return None
    with clock.moment(starts - datetime.timedelta(days=10)):
        meeting = services.meeting_create(actor=builder, community=community, kind=kind,
                                          title=title, topic=decided[1], venue=_("社区议事厅"),
                                          starts_at=starts)  # fmt: skip
        services.agenda_add(actor=builder, meeting=meeting, title=decided[0])
        services.meeting_notice(actor=builder, meeting=meeting)
    with clock.moment(starts - datetime.timedelta(days=2)):
        ids = [services.participant_register(actor=builder, meeting=meeting, person=p,
                                             role=role).pk for p in people]  # fmt: skip
    with clock.moment(starts + datetime.timedelta(hours=2)):
        services.meeting_hold(actor=builder, meeting=meeting, attended=ids, minutes=minutes)
        decision = services.decision_record(
            actor=builder, meeting=meeting, title=decided[0], text=decided[1],
            votes_for=len(ids) - decided[2], votes_against=decided[2], votes_abstain=0,
        )  # fmt: skip
    with clock.moment(_at(day + datetime.timedelta(days=3))):
        services.meeting_publish(actor=builder, meeting=meeting)
    return decision


def _later(days_ago: int):
    """The moment, that many days before the day the demo is built, of a decision's follow-up."""
    return clock.moment(_at(clock.today() - datetime.timedelta(days=days_ago), 15))


def _past_year(builder, community, people):
    """About sixteen and fourteen months ago: the residents' convention adopted by the
    representatives, and a proposal to pave part of the green for parking voted down."""
    adopted = _concluded(
        builder, community, 480, MeetingKind.REPRESENTATIVES, _("居民代表会议：修订居民公约"), [],
        _("居民代表逐条讨论居民公约修订稿，一致同意通过。"),
        (_("通过《居民公约》"), _("通过居民公约修订稿。"), 0),
    )  # fmt: skip
    if adopted is not None:
        with _later(476):
            services.document_adopt(
                actor=builder, decision=adopted, kind="convention", title=_("居民公约"),
                text=_("一、爱党爱国，遵纪守法。\n二、邻里和睦，互帮互助。\n三、爱护环境，垃圾分类。\n"
                       "四、文明养犬，规范停车。\n五、移风易俗，勤俭节约。"),
            )  # fmt: skip
        with _later(470):
            services.decision_complete(actor=builder, decision=adopted,
                                       text=_("居民公约已张贴公示。"))  # fmt: skip
    _concluded(
        builder, community, 420, MeetingKind.DELIBERATION, _("占用绿地增设停车位协商议事会"),
        people, _("多数居民认为绿地是小区仅有的活动场地，不同意占用；建议另行挖潜车位。"),
        (_("占用3号楼前绿地增设12个停车位"), _("拟将3号楼前部分绿地改建为停车位。"), len(people) - 1),
    )  # fmt: skip


def _this_year(builder, community, people):
    """In the last eight months: the stairwell lights replaced, the year's service-project funds
    allotted, and the hearing on parking fees whose decision is being carried out (60 %)."""
    lights = _concluded(
        builder, community, 230, MeetingKind.DELIBERATION, _("楼道照明改造协商议事会"), people,
        _("居民反映楼道灯损坏多、夜间出行不便，议定统一更换声控LED灯，费用由社区为民服务项目资金列支。"),
        (_("楼道统一更换声控LED灯"), _("全部楼道更换声控LED灯，年内完成。"), 0),
    )  # fmt: skip
    with _later(180):
        services.decision_complete(
            actor=builder, decision=lights, text=_("全部楼道已更换声控LED灯。")
        )
    funds = _concluded(
        builder, community, 130, MeetingKind.REPRESENTATIVES, _("居民代表会议：为民服务项目资金使用方案"),
        [], _("居民代表审议社区为民服务项目资金使用方案，同意用于助老餐桌、楼道照明和儿童托管。"),
        (_("通过为民服务项目资金使用方案"), _("本年度为民服务项目资金用于助老餐桌、楼道照明和儿童托管。"),
         0),
    )  # fmt: skip
    if funds is not None:
        with _later(100):
            services.decision_complete(actor=builder, decision=funds,
                                       text=_("资金使用方案已在居务公开栏公示。"))  # fmt: skip
    decision = _concluded(
        builder, community, 75, MeetingKind.HEARING, _("小区停车收费调整听证会"), people,
        _("与会居民对收费标准发表意见，物业说明了成本。会议建议按月150元执行，并对老年人家庭给予优惠。"),
        (_("停车收费按月150元执行"), _("自下月起按月150元收取停车费，70岁以上老人家庭减半。"),
         1),
    )  # fmt: skip
    with _later(20):
        services.decision_progress(actor=builder, decision=decision, progress=60,
                                   text=_("收费公示已张贴，物业正在调整道闸系统。"))  # fmt: skip


def build(*, district, builder, seed, out):
    services.rules_seed(actor=builder, district=district)
    community = (
        Place.objects.filter(district=district, level=PlaceLevel.COMMUNITY).order_by("code").first()
    )
    if community is None:
        return
    with_login, others = _people(community)
    people = [*with_login, *others][:4]
    if not with_login or len(people) < 3:
        return
    today = clock.today()
    reps = people[:3]
    for person in reps:
        if services.representatives_in_office(community.pk, today).filter(person=person).exists():
            continue
        services.representative_add(actor=builder, community=community, person=person,
                                    elected_on=today - datetime.timedelta(days=800),
                                    term_ends_on=today + datetime.timedelta(days=1000))  # fmt: skip
    # The first resident with a login follows the community: their inbox shows the decisions
    # published below (as the channel's posts) and the notice of the coming meeting.
    with clock.moment(_at(today - datetime.timedelta(days=600))):
        follows.follow(actor=with_login[0].account, target=follows.key_of(community))
    _past_year(builder, community, people)
    _this_year(builder, community, people)

    proposal = services.proposal_file(
        actor=with_login[0].account, community=community, title=_("小区东门增设电动自行车充电棚"),
        text=_("东门附近电动自行车多，楼道充电有火灾隐患，建议增设集中充电棚。"),
    )  # fmt: skip
    for person in with_login:
        services.proposal_support(actor=person.account, proposal=proposal)
    upcoming = services.meeting_create(
        actor=builder, community=community, kind=MeetingKind.DELIBERATION,
        title=_("楼道堆物整治协商议事会"), topic=_("商议楼道堆物清理办法和长效管理。"),
        venue=_("社区议事厅"), starts_at=_evening(clock.today() + datetime.timedelta(days=7)),
    )  # fmt: skip
    services.agenda_add(actor=builder, meeting=upcoming, title=_("楼道堆物清理办法"))
    services.meeting_notice(actor=builder, meeting=upcoming)
    out(_("协商议事：%(c)s，3名居民代表，1项提议；近两年公布5项决定（1次听证会、2次居民代表会议和2次议事会），"
          "1次议事会报名中")
        % {"c": community.name})  # fmt: skip
