"""Every role × the civic actions × own place / other place (core.tests.matrix).

"Own" targets sit in the first street of district 320104 where each role's own account serves
(the social organisation member's account is a member of the own organisation); "other"
targets are in the second street (street-level and lower roles) or in district 320105
(district roles). Funds: district roles act on their district's fund, the others on their
street's fund. A refused write writes nothing; reads are checked on the predicate and on the
page's queryset, which must agree.
"""

import datetime

import pytest

from civic import selectors, services
from civic.models import (
    Application,
    FundEntry,
    GrantCall,
    Incubation,
    OrgMember,
    SocialOrganisation,
)
from civic.tests import world as helpers
from core.models import Role
from core.testing import ROLE_HOME_LEVEL, attempt_allowed, deny_unless
from core.tests.matrix import matrix_tests, two_districts
from core.tests.modules import rolled_back_after

R = Role
EXPECTED = {
    "file_org": {R.STREET_OFFICER},
    "view_org": {R.ADMIN, R.COORDINATOR, R.STREET_OFFICER, R.COMMUNITY_WORKER, R.AUDITOR,
                 R.SOCIAL_ORG_MEMBER},
    "add_member": {R.STREET_OFFICER},
    "incubate": {R.STREET_OFFICER},
    "annual_report": {R.SOCIAL_ORG_MEMBER},
    "apply": {R.SOCIAL_ORG_MEMBER},
    "open_call": {R.ADMIN, R.COORDINATOR, R.STREET_OFFICER},
    "award": {R.ADMIN, R.COORDINATOR, R.STREET_OFFICER},
    "view_call": set(Role),
}  # fmt: skip
READS = {"view_org", "view_call"}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with rolled_back_after(django_db_blocker):
        own, other = two_districts()
        rows = {}
        for d, tag in ((own, "own"), (other, "far")):
            for index in (0, 3) if tag == "own" else (0,):
                community = d.communities[index]
                org = helpers.org(d, community, name=f"组织{tag}{index}")
                base = services.base_create(actor=d.root, street=community.parent,
                                            name=f"基地{tag}{index}", address="某路", spaces=5)  # fmt: skip
                rows[(tag, index)] = {"org": org, "base": base}
        services.org_member_add(actor=own.root, organisation=rows[("own", 0)]["org"],
                                user=own.users["social_org_member:own"])  # fmt: skip
        funds = {
            ("own", "district"): helpers.fund(own, own.district),
            ("far", "district"): helpers.fund(other, other.district),
            ("own", "street"): helpers.fund(own, own.streets[0]),
            ("own", "street2"): helpers.fund(own, own.streets[1]),
        }
        calls, reviewed = {}, {}
        for key, fund in funds.items():
            d = own if key[0] == "own" else other
            calls[key] = helpers.call(d, fund)
            # A second call in review with one scored application, for the award.
            review = helpers.call(d, fund, title="评审中的公益创投")
            applicant = helpers.org(d, d.communities[0] if key[1] != "street2" else d.communities[3],
                                  name=f"申报组织{key[1]}")  # fmt: skip
            account = helpers.member_account(d, applicant.community, f"m-{key[0]}-{key[1]}",
                                           f"1370000{len(reviewed):04d}")  # fmt: skip
            services.org_member_add(actor=d.root, organisation=applicant, user=account)
            application = helpers.application(d, review, applicant, account)
            services.seat_add(actor=d.root, call=review, user=d.root)
            services.call_review(actor=d.root, call=review)
            services.score_give(actor=d.root, application=application, points=80)
            reviewed[key] = application
        yield own, other, rows, funds, calls, reviewed


def _row(rows, role, side):
    if side == "own":
        return rows[("own", 0)]
    return rows[("far", 0)] if ROLE_HOME_LEVEL[role] == "district" else rows[("own", 3)]


def _fund_key(role, side):
    if ROLE_HOME_LEVEL[role] == "district":
        return ("own", "district") if side == "own" else ("far", "district")
    return ("own", "street") if side == "own" else ("own", "street2")


def _new_member(d, community):
    return helpers.member_account(d, community, "newmember", "13600000001")


def attempt(world, role, side, action) -> bool:  # noqa: C901 - one branch per action
    own, other, rows, funds, calls, reviewed = world
    user = own.users[f"{role}:own"]
    row = _row(rows, role, side)
    org, base = row["org"], row["base"]
    label = f"{role} {side} {action}"
    fund_key = _fund_key(role, side)
    if action == "file_org":
        return attempt_allowed(lambda: services.org_file(
            actor=user, community=org.community, name="新备案组织", domain="other", purpose="活动。",
        ), label=label, counted=[SocialOrganisation.objects.all()])  # fmt: skip
    if action == "view_org":
        seen = user.has_perm("civic.view_org", org)
        assert seen == selectors.orgs_visible_to(user).filter(pk=org.pk).exists(), label
        return attempt_allowed(lambda: deny_unless(seen), label=label)
    if action == "add_member":
        d = own if org.district_id == own.district.pk else other
        return attempt_allowed(
            lambda new: services.org_member_add(actor=user, organisation=org, user=new),
            prepare=lambda: _new_member(d, org.community), label=label,
            counted=[OrgMember.objects.all()],
        )  # fmt: skip
    if action == "incubate":
        return attempt_allowed(lambda: services.incubation_start(
            actor=user, base=base, organisation=org, mentor="王老师", space="101室",
            rent_support_fen=50_000, started_on=datetime.date(2026, 1, 5),
        ), label=label, counted=[Incubation.objects.all()])  # fmt: skip
    if action == "annual_report":
        return attempt_allowed(lambda: services.report_submit(
            actor=user, organisation=org, year=org.filed_on.year, activities="活动若干。",
            activity_count=3, people_served=30, income_fen=0, expense_fen=0,
        ), label=label, counted=[org.reports.all()])  # fmt: skip
    if action == "apply":
        return attempt_allowed(
            lambda: helpers.application(own, calls[("own", "street")], org, user),
            label=label, counted=[org.applications.all()],
        )  # fmt: skip
    if action == "open_call":
        return attempt_allowed(
            lambda: services.call_open(
                actor=user, fund=funds[fund_key], title="新征集", description="说明。",
                budget_fen=1_000_000, max_grant_fen=100_000, closes_on=helpers.YEAR_END,
            ), label=label, counted=[GrantCall.objects.all()],
        )  # fmt: skip
    if action == "award":
        # Fresh from the database: an earlier cell's award was rolled back, not its instance.
        application = Application.objects.get(pk=reviewed[fund_key].pk)
        return attempt_allowed(
            lambda: services.grant_award(actor=user, application=application, amount_fen=100_000),
            label=label, counted=[FundEntry.objects.all(), application.call.applications.filter(status="awarded")],
        )  # fmt: skip
    call = calls[fund_key]
    seen = user.has_perm("civic.view_call", call)
    assert seen == selectors.calls_visible_to(user).filter(pk=call.pk).exists(), label
    return attempt_allowed(lambda: deny_unless(seen), label=label)


test_matrix, test_auditor_writes_nothing = matrix_tests(EXPECTED, READS, attempt)
