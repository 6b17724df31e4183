"""Every role × every time-bank action × own place / other place, through the real services.

"Own" targets lie in the first street of district 320104 (where each role's own account
serves); "other" targets lie in the second street, or for district roles in district 320105.
Nothing is allowed at the other place; at the own place exactly the roles in EXPECTED are.
A refused action writes nothing.
"""

import itertools

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from core.models import Role
from core.testing import attempt_allowed, deny_unless
from timebank import selectors, services
from timebank.models import AccountKind, Dispute, Transaction
from timebank.tests.conftest import build_bank, fast_hasher

R = Role
EXPECTED = {
    "open_member_account": {R.ADMIN, R.STREET_OFFICER, R.COMMUNITY_WORKER},
    "open_fund_account": {R.ADMIN, R.STREET_OFFICER, R.COMMUNITY_WORKER},
    "deposit": {R.ADMIN, R.COMMUNITY_WORKER},
    "withdraw": {R.ADMIN, R.COMMUNITY_WORKER},
    "transfer_to_relative": {R.ADMIN, R.COMMUNITY_WORKER},
    "reverse": {R.ADMIN, R.STREET_OFFICER},
    "edit_rules": {R.ADMIN, R.COORDINATOR},
    "view_account": {
        R.ADMIN,
        R.COORDINATOR,
        R.STREET_OFFICER,
        R.COMMUNITY_WORKER,
        R.GRID_WORKER,
        R.AUDITOR,
    },
    "view_ledger": {R.ADMIN, R.COORDINATOR, R.STREET_OFFICER, R.AUDITOR},
    "close_listing": {R.ADMIN, R.COMMUNITY_WORKER},
    "view_suggestions": {R.ADMIN, R.COMMUNITY_WORKER},
    "view_order": {R.ADMIN, R.STREET_OFFICER, R.COMMUNITY_WORKER},
    "resolve_dispute": {R.ADMIN, R.COMMUNITY_WORKER},
    "resolve_approved_dispute": {R.ADMIN, R.STREET_OFFICER},
    # Only the two sides of a service rate or dispute it: no staff role, anywhere.
    "rate_order": set(),
    "raise_dispute": set(),
}
DISTRICT_ROLES = {R.ADMIN, R.COORDINATOR, R.DEPARTMENT_OFFICER}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with fast_hasher(), django_db_blocker.unblock(), transaction.atomic():
        own = build_bank("320104", "秦淮区")
        far = build_bank("320105", "建邺区")
        # Money to move in every target community.
        for bank in (own, far):
            for account in (bank.elder, bank.far):
                services.deposit(
                    actor=bank.d.root, account=account, minutes=120, key=f"seed-{account.pk}"
                )
        for n, (bank, served) in enumerate(((own, own.elder), (own, own.far), (far, far.elder))):
            EXCHANGE[served.place_id] = _exchange(bank, served, n)
        yield own, far
        EXCHANGE.clear()
        transaction.set_rollback(True)


EXCHANGE: dict[int, dict] = {}  # per target community: an open need, two disputed orders


def _exchange(bank, served, n: int) -> dict:
    """In the served elder's community: an open need, a confirmed order with an open dispute,
    and an approved order with an open dispute; the parties are a volunteer and root."""
    from core.testing import PASSWORD
    from timebank.testing import resident, years_ago

    d = bank.d
    grid = next(g for g in d.grids if g.parent_id == served.place_id)
    volunteer = resident(
        actor=d.root, place=grid, name=f"矩阵志愿{n}", birth=years_ago(30),
        mobile=f"1390000020{n}", password=PASSWORD,
    )  # fmt: skip
    services.member_account_open(actor=d.root, person=volunteer)
    user = volunteer.account

    def need(title):
        return services.listing_create(
            actor=d.root, kind="need", category="company", title=title, minutes=30,
            recipient=served.person,
        )  # fmt: skip

    def served_order(title):
        order = services.order_take(actor=user, listing=need(title))
        services.order_sign_in(actor=user, order=order)
        services.order_sign_out(actor=user, order=order)
        return services.order_confirm(actor=d.root, order=order, minutes=1)

    before = served_order("异议（审核前）")
    after = served_order("异议（入账后）")
    services.order_approve(actor=d.users["admin:own"], order=after)
    return {
        "need": need("待接单"),
        "before": services.dispute_raise(actor=user, order=before, reason="时长有误"),
        "after": services.dispute_raise(actor=user, order=after, reason="时长有误"),
        "order": before,
    }


def attempt(world, role, side, action) -> bool:
    own, far = world
    actor = own.d.users[f"{role}:own"]
    if side == "own":
        bank, account, community = own, own.elder, own.d.communities[0]
    elif role in DISTRICT_ROLES:
        bank, account, community = far, far.elder, far.d.communities[0]
    else:
        bank, account, community = own, own.far, own.d.communities[2]
    relative = bank.near_60 if account.place_id == bank.near_60.place_id else None
    exchange = EXCHANGE[account.place_id]
    seed_tx = Transaction.objects.get(idempotency_key=f"seed-{account.pk}")

    def new_resident():
        from timebank.testing import resident, years_ago

        return resident(actor=bank.d.root, place=community, name="新会员", birth=years_ago(66))

    actions = {
        # (prepare, act): the root registers the resident first; only the act is the cell's.
        "open_member_account": (
            new_resident,
            lambda person: services.member_account_open(actor=actor, person=person),
        ),
        "open_fund_account": lambda: services.group_account_open(
            actor=actor, community=community, kind=AccountKind.FUND, name="新基金"
        ),
        "deposit": lambda: services.deposit(
            actor=actor, account=account, minutes=30, key="m-dep", place=community
        ),
        "withdraw": lambda: services.withdraw(
            actor=actor, account=account, minutes=30, key="m-wd", place=community
        ),
        "transfer_to_relative": lambda: services.transfer(
            actor=actor,
            source=account,
            target=relative or bank.young,
            minutes=30,
            key="m-tr",
            relation="母女",
        ),
        "reverse": lambda: services.reverse(
            actor=actor, original=seed_tx, key="m-rev", reason="测试"
        ),
        "edit_rules": lambda: services.rule_update(
            actor=actor, district=bank.d.district, code="withdrawal_min_age", value=65, source="x"
        ),
        "view_account": lambda: deny_unless(actor.has_perm("timebank.view_account", account)),
        "view_ledger": lambda: deny_unless(actor.has_perm("timebank.view_ledger", community)),
        "close_listing": lambda: services.listing_close(actor=actor, listing=exchange["need"]),
        "view_suggestions": lambda: deny_unless(
            selectors.can_see_suggestions(actor, exchange["need"])
        ),
        "view_order": lambda: deny_unless(
            selectors.order_visible_to(actor, exchange["order"].pk) is not None
        ),
        "resolve_dispute": lambda: services.dispute_resolve(
            actor=actor, dispute=exchange["before"], outcome="uphold", note="维持"
        ),
        "resolve_approved_dispute": lambda: services.dispute_resolve(
            actor=actor, dispute=exchange["after"], outcome="uphold", note="维持"
        ),
        "rate_order": lambda: services.order_rate(actor=actor, order=exchange["order"], rating=5),
        "raise_dispute": lambda: services.dispute_raise(
            actor=actor, order=exchange["after"].order, reason="时长有误"
        ),
    }
    prepare, act = (
        actions[action] if isinstance(actions[action], tuple) else (None, actions[action])
    )
    return attempt_allowed(
        act,
        prepare=prepare,
        label=f"{role} {action} {side}",
        counted=[Transaction.objects.all(), Dispute.objects.filter(status="open")],
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "action"), list(itertools.product(list(Role), sorted(EXPECTED))), ids=str
)
def test_matrix(world, role, action):
    assert attempt(world, role, "own", action) == (role in EXPECTED[action]), "own"
    assert attempt(world, role, "other", action) is False, "other"


@pytest.mark.django_db
def test_owner_sees_and_donates_from_own_account_only(world):
    from core.testing import PASSWORD
    from timebank.testing import resident, years_ago

    own, _far = world
    with fast_hasher():
        person = resident(
            actor=own.d.root, place=own.d.grids[0], name="自助居民", birth=years_ago(50),
            mobile="13911112222", password=PASSWORD,
        )  # fmt: skip
    mine = services.member_account_open(actor=person.account, person=person)  # self-service
    user = person.account
    assert user.has_perm("timebank.view_account", mine)
    assert not user.has_perm("timebank.view_account", own.elder)
    services.deposit(actor=own.worker, account=mine, minutes=60, key="own-d")
    services.donate(actor=user, source=mine, fund=own.fund, minutes=30, key="own-g")
    with pytest.raises(PermissionDenied):
        services.donate(actor=user, source=own.elder, fund=own.fund, minutes=30, key="own-x")
