"""Every role × the finance actions × own place / other place (core.tests.matrix).

"Own" targets are the first community of the district the roles hold (the district itself for
rules); "other" targets are the second district (district roles) or a community of the second
street. Street officers supervise and approve; community workers record and prepare boards; the
居务监督委员会 member reviews; everyone whose place lies in the community reads its published
boards; a refused write writes nothing (core.testing.attempt_allowed).
"""

import datetime

import pytest

from core import clock
from core.models import Role
from core.testing import ROLE_HOME_LEVEL, attempt_allowed
from core.tests.matrix import matrix_tests, two_districts
from core.tests.modules import rolled_back_after
from finance import periods, selectors, services
from finance.models import Budget, Disclosure, Income, Spending

R = Role
READERS = {R.ADMIN, R.COORDINATOR, R.STREET_OFFICER, R.COMMUNITY_WORKER, R.SUPERVISION_MEMBER,
           R.AUDITOR}  # fmt: skip
EXPECTED = {
    "view_books": READERS,
    "read_draft_board": READERS,
    "read_published_board": set(Role),
    "record_income": {R.COMMUNITY_WORKER},
    "record_spending": {R.COMMUNITY_WORKER},
    "set_budget": {R.STREET_OFFICER},
    "approve": {R.STREET_OFFICER},
    "set_rules": {R.ADMIN, R.COORDINATOR},
    "prepare_board": {R.COMMUNITY_WORKER},
    "review_board": {R.SUPERVISION_MEMBER},
}
READS = {"view_books", "read_draft_board", "read_published_board"}
COUNTED = [Income.objects.all(), Spending.objects.all(), Budget.objects.all(),
           Disclosure.objects.all()]  # fmt: skip


def last_month() -> datetime.date:
    return periods.add_months(clock.today().replace(day=1), -1)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with rolled_back_after(django_db_blocker):
        own, other = two_districts()
        boards = {}
        for d in (own, other):
            services.rules_seed(actor=d.root, district=d.district)
            for community in (d.communities[0], d.communities[3]):
                draft = services.disclosure_prepare(
                    actor=d.root, community=community, board="finance", period_start=last_month()
                )
                published = services.disclosure_prepare(
                    actor=d.root, community=community, board="finance",
                    period_start=periods.add_months(last_month(), -1),
                )  # fmt: skip
                services.disclosure_submit(actor=d.root, disclosure=published)
                published = services.disclosure_publish(actor=d.root, disclosure=published)
                boards[community.pk] = (draft, published)
        yield own, other, boards


def _target(world, role, side):
    own, other, _boards = world
    if side == "own":
        return own, own.communities[0]
    if ROLE_HOME_LEVEL[role] == "district":
        return other, other.communities[0]
    return own, own.communities[3]


def _write(user, d, community, action, label):
    day = last_month() + datetime.timedelta(days=3)
    spend = dict(community=community, category="office", amount_fen=1000, payee="文具店",
                 purpose="打印纸", spent_on=day, over_budget_reason="测试")  # fmt: skip
    calls = {
        "record_income": lambda: services.income_record(
            actor=user, community=community, kind="grant", amount_fen=100, received_on=day,
            payer="区财政局"),
        "record_spending": lambda: services.spending_record(actor=user, **spend),
        "set_budget": lambda: services.budget_set(
            actor=user, community=community, year=day.year, category="office", amount_fen=500),
        "set_rules": lambda: services.approval_rule_create(
            actor=user, district=d.district, two_person_above_fen=100_000, split_days=10,
            split_margin_percent=10, source="测试", effective_from=datetime.date(2030, 1, 1)),
        "prepare_board": lambda: services.disclosure_prepare(
            actor=user, community=community, board="finance",
            period_start=periods.add_months(last_month(), -2)),
    }  # fmt: skip
    if action in calls:
        return attempt_allowed(calls[action], label=label, counted=COUNTED)
    if action == "approve":
        return attempt_allowed(
            lambda spending: services.spending_approve(actor=user, spending=spending),
            prepare=lambda: services.spending_record(actor=d.root, **spend),
            label=label, counted=COUNTED,
        )  # fmt: skip

    def submitted():
        board = services.disclosure_prepare(
            actor=d.root, community=community, board="finance",
            period_start=periods.add_months(last_month(), -2),
        )  # fmt: skip
        return services.disclosure_submit(actor=d.root, disclosure=board)

    return attempt_allowed(
        lambda board: services.disclosure_publish(actor=user, disclosure=board),
        prepare=submitted, label=label, counted=COUNTED,
    )  # fmt: skip


def attempt(world, role, side, action) -> bool:
    own, _other, boards = world
    user = own.users[f"{role}:own"]
    d, community = _target(world, role, side)
    draft, published = boards[community.pk]
    if action == "view_books":
        allowed = selectors.book_communities(user).filter(pk=community.pk).exists()
        assert allowed == user.has_perm("finance.view_books", community)
        return allowed
    if action in ("read_draft_board", "read_published_board"):
        board = draft if action == "read_draft_board" else published
        allowed = selectors.visible_disclosures(user).filter(pk=board.pk).exists()
        assert allowed == user.has_perm("finance.view_disclosure", board)
        return allowed
    return _write(user, d, community, action, f"{role} {side} {action}")


test_matrix, test_auditor_writes_nothing = matrix_tests(EXPECTED, READS, attempt)
