"""The demo district's civic data: two filed organisations in the first communities (each with
its community's 社会组织成员 account as member, the first in the street's incubation base), and
the first street's development fund: last year's 公益创投 call reviewed by a panel (the
coordinator, the street's officer and a community worker who declared a conflict with one
applicant), the first organisation's project awarded with its first milestone paid and the
second reported, the other declined; and this year's call open, with the first organisation's
application."""

import datetime

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


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _member(org):
    found = org.members.select_related("user").first()
    return found.user if found else None


def _panel(builder, call, district, street, orgs):
    """The coordinator, the street's officer and the third community's worker; the worker
    declares a conflict with the second organisation (and so does not score it)."""
    third = Place.objects.filter(parent=street, level=PlaceLevel.COMMUNITY).order_by("code")[2:3]
    people = [
        *role_holders({Role.COORDINATOR}, places=[district])[:1],
        *role_holders({Role.STREET_OFFICER}, places=[street])[:1],
        *role_holders({Role.COMMUNITY_WORKER}, places=list(third))[:1],
    ]
    for user in people:
        services.seat_add(actor=builder, call=call, user=user)
    if len(people) == 3:
        services.conflict_declare(actor=people[2], call=call, organisation=orgs[1],
                                  reason="本人是该组织负责人的亲属。")  # fmt: skip
    return people


def _past_call(builder, street, orgs, district):
    """The street's fund, opened last year with its first call carried through to a grant."""
    year = clock.today().year - 1
    day = datetime.date
    with clock.moment(_at(day(year, 2, 20))):
        fund = services.fund_create(actor=builder, place=street, name=f"{street.name}社区发展基金",
                                    source="街道财政、福彩公益金")  # fmt: skip
        services.fund_deposit(actor=builder, fund=fund, amount_fen=50_000_000, note="年度注资")
    with clock.moment(_at(day(year, 3, 1))):
        call = services.call_open(
            actor=builder, fund=fund, title=f"{year}年{street.name}社区公益创投",
            description="面向本街道社区社会组织，资助为老、助残、儿童和邻里互助项目。",
            budget_fen=20_000_000, max_grant_fen=5_000_000, closes_on=day(year, 4, 15),
        )  # fmt: skip
    projects = [("长者助餐点", "在社区活动室设助餐点，工作日为高龄独居老人供应午餐。", 4_000_000),
                ("少儿书法课堂", "暑期和周末为社区儿童开设免费书法课。", 2_500_000)]  # fmt: skip
    applications = []
    for n, (org, (title, summary, fen)) in enumerate(zip(orgs, projects, strict=True)):
        member = _member(org)
        if member is None or not org.community.is_within(street):  # the street's call only
            continue
        with clock.moment(_at(day(year, 3, 10 + n * 5))):
            applications.append(services.application_submit(
                actor=member, call=call, organisation=org, title=title, summary=summary,
                requested_fen=fen,
            ))  # fmt: skip
    with clock.moment(_at(day(year, 4, 16))):
        panel = _panel(builder, call, district, street, orgs)
        if not panel or not applications:
            return fund
        services.call_review(actor=builder, call=call)
    points = [[92, 88, 90], [76, 72]]  # the third reviewer declared a conflict with the second
    with clock.moment(_at(day(year, 4, 22))):
        for application, given_by in zip(applications, points, strict=False):
            for user, given in zip(panel, given_by, strict=False):
                services.score_give(actor=user, application=application, points=given,
                                    comment="项目需求明确，预算合理。" if given > 80 else "")  # fmt: skip
    with clock.moment(_at(day(year, 4, 28))):
        grant = services.grant_award(actor=builder, application=applications[0],
                                     amount_fen=3_600_000)  # fmt: skip
        services.call_close(actor=builder, call=call)
        first = services.milestone_add(actor=builder, grant=grant, title="助餐点开放，运营满三个月",
                                       due_on=day(year, 7, 31), amount_fen=1_800_000)  # fmt: skip
        second = services.milestone_add(actor=builder, grant=grant, title="全年运营和结项评估",
                                        due_on=day(year, 12, 31), amount_fen=1_800_000)  # fmt: skip
    member = applications[0].submitted_by
    with clock.moment(_at(day(year, 7, 25))):
        services.milestone_report(actor=member, milestone=first,
                                  report="助餐点5月开放，三个月供餐3,120人次，服务老人86位。")  # fmt: skip
    with clock.moment(_at(day(year, 8, 2))):
        services.milestone_accept(actor=builder, milestone=first)
    with clock.moment(_at(day(year, 12, 20))):
        services.milestone_report(actor=member, milestone=second,
                                  report="全年供餐1.1万人次；居民满意度调查满意率94%。结项报告见附件。")  # fmt: skip
    return fund


def build(*, district, builder, seed, out):
    communities = list(
        Place.objects.filter(district=district, level=PlaceLevel.COMMUNITY, is_active=True)
        .order_by("code")[:2]
    )  # fmt: skip
    if len(communities) < 2:
        return
    orgs = []
    filed = _at(datetime.date(clock.today().year - 1, 1, 10))  # before last year's call
    for community, (name, domain, purpose) in zip(communities, ORGS, strict=True):
        with clock.moment(filed):
            org = services.org_file(actor=builder, community=community, name=name, domain=domain,
                                    purpose=purpose)  # fmt: skip
            for account in role_holders({Role.SOCIAL_ORG_MEMBER}, places=[community]):
                services.org_member_add(actor=builder, organisation=org, user=account)
        orgs.append(org)
    street = communities[0].parent
    today = clock.today()
    base = services.base_create(actor=builder, street=street, name=f"{street.name}社会组织孵化基地",
                                address=f"{street.name}党群服务中心二楼", spaces=8)  # fmt: skip
    services.incubation_start(
        actor=builder, base=base, organisation=orgs[0], mentor="王老师", space="201室",
        rent_support_fen=80_000, started_on=today - datetime.timedelta(days=90),
    )  # fmt: skip
    fund = _past_call(builder, street, orgs, district)
    services.fund_deposit(actor=builder, fund=fund, amount_fen=30_000_000, note="年度注资")
    call = services.call_open(
        actor=builder, fund=fund, title=f"{today.year}年{street.name}社区公益创投",
        description="面向本街道社区社会组织，资助为老、助残、儿童和邻里互助项目。",
        budget_fen=20_000_000, max_grant_fen=5_000_000,
        closes_on=today + datetime.timedelta(days=60),
    )  # fmt: skip
    members = list(orgs[0].members.select_related("user"))
    if members:
        services.application_submit(
            actor=members[0].user, call=call, organisation=orgs[0], title="助老餐桌",
            summary="每周三次为独居老人送餐，一年约450人次。", requested_fen=3_000_000,
        )  # fmt: skip
    out(_("共建共治：%(orgs)d个社会组织备案，1个孵化基地，1项公益创投征集中，"
          "上一年度1项公益创投已评审立项并拨付首期资金")
        % {"orgs": len(orgs)})  # fmt: skip
