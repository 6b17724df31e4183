"""The demo district's civic data: two filed organisations in the first communities (each with
its community's 社会组织成员 account as member, the first in the street's incubation base), and
the first street's development fund with its yearly 公益创投, dated back from the day the demo is
built (so the district's one page compares two years of grants on whatever day that is):

- the call of the year before last, awarded about seventeen months ago: reviewed by a panel (the
  coordinator, the street's officer and a community worker who declared a conflict with one
  applicant), the first organisation's project funded and carried to its end, the other declined;
- last year's call, awarded about five months ago by the coordinator and the officer: both
  organisations funded, a little more than the year before, the first milestones due since
  reported (one of them paid, the other waiting to be checked);
- the next call open, with the first organisation's application."""

import datetime
import functools

from django.utils import timezone
from django.utils.translation import gettext as _

from civic import services
from core import clock
from core.models import Place, PlaceLevel, Role
from core.selectors import role_holders

ORGS = [
    ("夕阳红志愿服务队", "elderly", "为独居老人助餐、陪伴、读报。"),
    ("邻里书画社", "culture", "每周书画交流，节日为居民写春联。"),
]
AWARDED_DAYS_AGO = 150  # last year's call; the one before, a year earlier
YEAR = datetime.timedelta(days=365)
# Each call's project per organisation: (title, summary, requested, awarded or None, points by
# reviewer, milestones). A milestone: (title, days from the award to its due day, amount, report,
# days from the due day to the report and to its acceptance or None); a step still ahead of the
# day the demo is built is left undone. The first organisation alone (where the second is filed in
# another street) is funded a little more than the year before, too.
EARLIER = [
    ("长者助餐点", "在社区活动室设助餐点，工作日为高龄独居老人供应午餐。", 4_000_000, 3_600_000,
     [92, 88, 90], [
         ("助餐点开放，运营满三个月", 94, 1_800_000, "助餐点开放三个月，供餐3,120人次，服务老人86位。", -6, 2),
         ("全年运营和结项评估", 247, 1_800_000, "全年供餐1.1万人次；居民满意度调查满意率94%。结项报告见附件。", -11, 3),
     ]),
    # The third reviewer declared a conflict with the second organisation and does not score it.
    ("少儿书法课堂", "暑期和周末为社区儿童开设免费书法课。", 2_500_000, None, [76, 72], []),
]  # fmt: skip
LAST = [
    ("长者助餐点（第二年）", "助餐点延续运营，并为行动不便的老人送餐上门。", 4_500_000, 3_800_000,
     [90, 86], [
         ("送餐上门开通，运营满三个月", 94, 1_900_000, "送餐上门开通三个月，送餐960人次，助餐点供餐2,870人次。", -6, 2),
         ("全年运营和结项评估", 275, 1_900_000, "全年供餐和送餐1.2万人次，结项报告见附件。", -10, 3),
     ]),
    ("书画进楼栋", "书画社志愿者每月进楼栋开课，为老人和儿童上书画课。", 1_500_000, 1_200_000,
     [85, 83], [
         ("楼栋书画课开课十次", 140, 600_000, "已在8个楼栋开课12次，参加居民210人次，照片和签到表见附件。", -3, None),
         ("年度作品展和结项评估", 275, 600_000, "楼栋书画课全年开课30次，年度作品展展出作品86幅。", -10, 3),
     ]),
]  # fmt: skip


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _member(org):
    found = org.members.select_related("user").first()
    return found.user if found else None


def _panel(builder, call, district, street, orgs, *, conflicted):
    """The coordinator and the street's officer; with ``conflicted``, the third community's
    worker too, who declares a conflict with the second organisation (and does not score it)."""
    third = Place.objects.filter(parent=street, level=PlaceLevel.COMMUNITY).order_by("code")[2:3]
    people = [
        *role_holders({Role.COORDINATOR}, places=[district])[:1],
        *role_holders({Role.STREET_OFFICER}, places=[street])[:1],
        *(role_holders({Role.COMMUNITY_WORKER}, places=list(third))[:1] if conflicted else []),
    ]
    for user in people:
        services.seat_add(actor=builder, call=call, user=user)
    if conflicted and len(people) == 3:
        services.conflict_declare(actor=people[2], call=call, organisation=orgs[1],
                                  reason="本人是该组织负责人的亲属。")  # fmt: skip
    return people


def _call(builder, fund, street, year: int, closes_on: datetime.date):
    return services.call_open(
        actor=builder, fund=fund, title=f"{year}年度{street.name}社区公益创投",
        description="面向本街道社区社会组织，资助为老、助残、儿童和邻里互助项目。",
        budget_fen=20_000_000, max_grant_fen=5_000_000, closes_on=closes_on,
    )  # fmt: skip


def _milestones(builder, member, grant, awarded_on, plan) -> None:
    """The grant's milestones, set when it was awarded; each reported and accepted on its days
    when those have passed."""
    with clock.moment(_at(awarded_on, 11)):
        rows = [services.milestone_add(actor=builder, grant=grant, title=title,
                                       due_on=awarded_on + datetime.timedelta(days=due),
                                       amount_fen=fen)  # fmt: skip
                for title, due, fen, *_rest in plan]  # fmt: skip
    steps = []
    for row, (*_head, report, reported, accepted) in zip(rows, plan, strict=True):
        steps.append((row.due_on + datetime.timedelta(days=reported), functools.partial(
            services.milestone_report, actor=member, milestone=row, report=report)))  # fmt: skip
        if accepted is not None:
            steps.append((row.due_on + datetime.timedelta(days=accepted), functools.partial(
                services.milestone_accept, actor=builder, milestone=row)))  # fmt: skip
    for day, step in sorted(steps, key=lambda s: s[0]):
        if day < clock.today():  # a later step of the same milestone is later still
            with clock.moment(_at(day, 15)):
                step()


def _reviewed(builder, fund, street, district, orgs, year, awarded_on, projects, conflicted) -> int:
    """One year's call, opened 58 days before ``awarded_on`` and reviewed (``conflicted``: with
    a reviewer who declared a conflict), its projects funded as ``projects`` says; the number
    funded."""
    day = awarded_on - datetime.timedelta(days=58)
    with clock.moment(_at(day - datetime.timedelta(days=1))):
        services.fund_deposit(actor=builder, fund=fund, amount_fen=10_000_000, note="年度注资")
    with clock.moment(_at(day)):
        call = _call(builder, fund, street, year, awarded_on - datetime.timedelta(days=13))
    applications = []
    for n, (org, project) in enumerate(zip(orgs, projects, strict=False)):
        member = _member(org)
        if member is None or not org.community.is_within(street):  # the street's call only
            continue
        with clock.moment(_at(day + datetime.timedelta(days=10 + n * 5))):
            applications.append((project, services.application_submit(
                actor=member, call=call, organisation=org, title=project[0], summary=project[1],
                requested_fen=project[2],
            )))  # fmt: skip
    with clock.moment(_at(awarded_on - datetime.timedelta(days=12))):
        panel = _panel(builder, call, district, street, orgs, conflicted=conflicted)
        if not panel or not applications:
            return 0
        services.call_review(actor=builder, call=call)
    with clock.moment(_at(awarded_on - datetime.timedelta(days=6))):
        for (*_head, points, _plan), application in applications:
            for user, given in zip(panel, points, strict=False):
                services.score_give(actor=user, application=application, points=given,
                                    comment="项目需求明确，预算合理。" if given > 80 else "")  # fmt: skip
    funded = 0
    for (*_head, awarded, _points, plan), application in applications:
        if awarded is not None:
            with clock.moment(_at(awarded_on)):
                grant = services.grant_award(actor=builder, application=application,
                                             amount_fen=awarded)  # fmt: skip
            _milestones(builder, application.submitted_by, grant, awarded_on, plan)
            funded += 1
    with clock.moment(_at(awarded_on, 16)):
        services.call_close(actor=builder, call=call)
    return funded


def _orgs(builder, communities, filed) -> list:
    orgs = []
    for community, (name, domain, purpose) in zip(communities, ORGS, strict=True):
        with clock.moment(filed):
            org = services.org_file(actor=builder, community=community, name=name, domain=domain,
                                    purpose=purpose)  # fmt: skip
            for account in role_holders({Role.SOCIAL_ORG_MEMBER}, places=[community]):
                services.org_member_add(actor=builder, organisation=org, user=account)
        orgs.append(org)
    return orgs


def build(*, district, builder, seed, out):
    communities = list(
        Place.objects.filter(district=district, level=PlaceLevel.COMMUNITY, is_active=True)
        .order_by("code")[:2]
    )  # fmt: skip
    if len(communities) < 2:
        return
    today = clock.today()
    last = today - datetime.timedelta(days=AWARDED_DAYS_AGO)
    earlier = last - YEAR
    year = (last - datetime.timedelta(days=58)).year  # the year last year's call opened
    orgs = _orgs(builder, communities, _at(earlier - datetime.timedelta(days=100)))
    street = communities[0].parent
    with clock.moment(_at(earlier - datetime.timedelta(days=70))):
        fund = services.fund_create(actor=builder, place=street, name=f"{street.name}社区发展基金",
                                    source="街道财政、福彩公益金")  # fmt: skip
        services.fund_deposit(actor=builder, fund=fund, amount_fen=20_000_000, note="设立注资")
    funded = sum(
        _reviewed(builder, fund, street, district, orgs, *call)
        for call in ((year - 1, earlier, EARLIER, True), (year, last, LAST, False))
    )
    base = services.base_create(actor=builder, street=street, name=f"{street.name}社会组织孵化基地",
                                address=f"{street.name}党群服务中心二楼", spaces=8)  # fmt: skip
    services.incubation_start(
        actor=builder, base=base, organisation=orgs[0], mentor="王老师", space="201室",
        rent_support_fen=80_000, started_on=today - datetime.timedelta(days=90),
    )  # fmt: skip
    with clock.moment(_at(today - datetime.timedelta(days=11))):
        services.fund_deposit(actor=builder, fund=fund, amount_fen=10_000_000, note="年度注资")
    with clock.moment(_at(today - datetime.timedelta(days=10))):
        call = _call(builder, fund, street, year + 1, today + datetime.timedelta(days=50))
    member = _member(orgs[0])
    if member is not None:
        with clock.moment(_at(today - datetime.timedelta(days=3))):
            services.application_submit(
                actor=member, call=call, organisation=orgs[0], title="助老餐桌",
                summary="每周三次为独居老人送餐，一年约450人次。", requested_fen=3_000_000,
            )  # fmt: skip
    out(_("共建共治：%(orgs)d个社会组织备案，1个孵化基地；近两年2期公益创投立项资助%(funded)d个项目，"
          "新一期公益创投征集中")
        % {"orgs": len(orgs), "funded": funded})  # fmt: skip
