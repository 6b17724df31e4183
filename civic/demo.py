"""The demo district's civic data: two filed organisations in the first communities (the
first with its 社会组织成员 account as member, in the street's incubation base), the first
street's development fund with an open 公益创投 call, and the first organisation's application."""

import datetime

from django.utils.translation import gettext as _

from civic import services
from core import clock
from core.models import Place, PlaceLevel, Role
from core.selectors import role_holders

ORGS = [
    ("夕阳红志愿服务队", "elderly", "为独居老人助餐、陪伴、读报。"),
    ("邻里书画社", "culture", "每周书画交流，节日为居民写春联。"),
]


def build(*, district, builder, seed, out):
    communities = list(
        Place.objects.filter(district=district, level=PlaceLevel.COMMUNITY, is_active=True)
        .order_by("code")[:2]
    )  # fmt: skip
    if len(communities) < 2:
        return
    orgs = []
    for community, (name, domain, purpose) in zip(communities, ORGS, strict=True):
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
    fund = services.fund_create(actor=builder, place=street, name=f"{street.name}社区发展基金",
                                source="街道财政、福彩公益金")  # fmt: skip
    services.fund_deposit(actor=builder, fund=fund, amount_fen=50_000_000, note="年度注资")
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
    out(_("共建共治：%(orgs)d个社会组织备案，1个孵化基地，1项公益创投征集中")
        % {"orgs": len(orgs)})  # fmt: skip
