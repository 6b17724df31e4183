"""Civic rows for tests, made through the services (as a superuser, the district's root)."""

import datetime

from civic import services
from core import services as core_services
from core.models import Role
from core.testing import PASSWORD

YEAR_END = datetime.date(2099, 12, 31)


def org(d, community, name="夕阳红志愿服务队", uscc=""):
    return services.org_file(
        actor=d.root, community=community, name=name, domain="elderly",
        purpose="为社区老人提供陪伴和助餐服务。", uscc=uscc,
    )  # fmt: skip


def member_account(d, community, username, mobile):
    """A new account holding the 社会组织成员 role at ``community``."""
    person = core_services.person_register(
        actor=d.root, place=community, name=username, mobile=mobile, username=username,
        password=PASSWORD, password_is_temporary=False, role=Role.SOCIAL_ORG_MEMBER,
    )  # fmt: skip
    return person.account


def fund(d, place, amount_fen=50_000_000):
    made = services.fund_create(actor=d.root, place=place, name=f"{place.name}发展基金",
                                source="福彩公益金")  # fmt: skip
    services.fund_deposit(actor=d.root, fund=made, amount_fen=amount_fen, note="年度注资")
    return made


def call(d, fund_row, title="2026年社区公益创投"):
    return services.call_open(
        actor=d.root, fund=fund_row, title=title, description="面向社区社会组织征集公益项目。",
        budget_fen=20_000_000, max_grant_fen=5_000_000, closes_on=YEAR_END,
    )  # fmt: skip


def application(d, call_row, org_row, acting_user, requested_fen=3_000_000):
    return services.application_submit(
        actor=acting_user, call=call_row, organisation=org_row, title="助老餐桌",
        summary="每周三次为独居老人送餐。", requested_fen=requested_fen,
    )  # fmt: skip
