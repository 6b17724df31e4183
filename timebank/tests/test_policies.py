"""The time-bank policies are written once as a predicate and once as a queryset
(timebank.policies); here the two agree for every role × place of two districts, their
superusers, a volunteer, a family member and an anonymous visitor: ``obj in queryset(user)`` ⇔
``user.has_perm(permission, obj)`` for every account (members, a team, a fund and the district's
issuance account), every order, every need and every dispute of the world.

One disagreement was found and fixed here (issue #21 item 2, whatever a list shows, its links
must open): the predicate allowed the district's issuance account (the system's counterpart of
every deposit) to its staff while no list showed it; it is no one's page now. The list of
disputes to decide now picks its deciders by the order's state, as the resolve step and the
service do (``dispute_perm``), instead of the dispute's ``after_approval`` flag. A party to a
dispute (who confirmed the service) is still listed and refused when resolving, with the
reason (test_api_exchange).
"""

import pytest

from core.testing import PASSWORD
from core.tests.modules import rolled_back_after
from core.tests.policies import USERS, PolicyWorld, agreement_test, allowed, user_ids
from timebank import policies, services
from timebank.models import Account, Dispute, Listing, ListingKind, Order, Payer
from timebank.testing import resident, years_ago
from timebank.tests.conftest import build_bank

POLICIES = {
    "timebank.view_account": (policies.visible_accounts, Account),
    "timebank.view_order": (policies.visible_orders, Order),
    "timebank.open_need": (policies.openable_needs, Listing),
    "timebank.resolve_dispute": (policies.resolvable_disputes, Dispute),
}
SIDES = ["own:volunteer", "own:daughter"]


def _orders(bank, volunteer, contact_mobile: str) -> None:
    """Needs and orders in every state, two of them disputed before approval and two after (one
    of each resolved)."""
    worker, admin = bank.worker, bank.d.users["admin:own"]

    def order(status):
        listing = services.listing_create(
            actor=worker, kind="need", category="company", title="陪王奶奶聊天", minutes=60,
            recipient=bank.elder.person, payer=Payer.NONE, contact_mobile=contact_mobile,
        )  # fmt: skip
        if status == "open":
            return None
        taken = services.order_take(actor=volunteer, listing=listing)
        if status == "taken":
            return taken
        services.order_sign_in(actor=volunteer, order=taken)
        out = services.order_sign_out(actor=volunteer, order=taken)
        if status == "signed_out":
            return out
        confirmed = services.order_confirm(actor=worker, order=out, minutes=60, rating=5)
        return (
            confirmed
            if status == "confirmed"
            else services.order_approve(actor=admin, order=confirmed)
        )

    for status in ("open", "taken", "signed_out", "confirmed", "approved"):
        order(status)
    for status, decider in (("confirmed", admin), ("approved", bank.officer)):
        for resolved in (False, True):
            raised = services.dispute_raise(actor=volunteer, order=order(status), reason="时长不对")
            if resolved:
                services.dispute_resolve(
                    actor=decider, dispute=raised, outcome="uphold", note="核实无误"
                )


@pytest.fixture(scope="module")
def bank_world(django_db_setup, django_db_blocker, kind_of_day):
    with rolled_back_after(django_db_blocker):
        own, far = build_bank(), build_bank(code="320105", name="建邺区")
        sides = {}
        for name, bank in (("own", own), ("far", far)):
            login = int(bank.d.district.code) % 1000
            volunteer, daughter = (
                resident(
                    actor=bank.d.root, place=bank.d.grids[g], name=who, birth=years_ago(age),
                    mobile=f"139{login:03d}0000{g}", password=PASSWORD,
                )
                for g, who, age in ((1, "周志愿", 25), (0, "王女儿", 40))
            )  # fmt: skip
            for person in (volunteer, daughter):
                services.member_account_open(actor=bank.d.root, person=person)
            _orders(bank, volunteer.account, f"139{login:03d}00000")
            sides |= {
                f"{name}:volunteer": volunteer.account.pk,
                f"{name}:daughter": daughter.account.pk,
            }
        objects = {
            "timebank.view_account": list(Account.objects.values_list("pk", flat=True)),
            "timebank.view_order": list(Order.objects.values_list("pk", flat=True)),
            "timebank.open_need": list(
                Listing.objects.filter(kind=ListingKind.NEED).values_list("pk", flat=True)
            ),
            "timebank.resolve_dispute": list(Dispute.objects.values_list("pk", flat=True)),
        }
        yield PolicyWorld(objects, user_ids(own.d, far.d) | sides), own


@pytest.fixture
def world(bank_world):
    return bank_world[0]


test_queryset_and_predicate_agree = agreement_test(POLICIES, [*USERS, *SIDES])


@pytest.mark.django_db
def test_the_world_exercises_each_kind_of_access(bank_world):
    """The cells above are not all empty: each way in is taken by someone."""
    world, own = bank_world
    objects = world.objects

    def sees(key, permission):
        return allowed(world, POLICIES, key, permission)[0]

    accounts, disputes = "timebank.view_account", "timebank.resolve_dispute"
    assert {own.elder.pk, own.team.pk} <= sees("own:community_worker:own", accounts)
    assert own.far.pk not in sees("own:community_worker:own", accounts)
    assert own.far.pk in sees("own:community_worker:other", accounts)
    assert own.issuance.pk not in sees("own:admin:own", accounts)  # the system's, no one's page
    assert len(sees("own:volunteer", accounts)) == 1
    own_orders = sees("own:community_worker:own", "timebank.view_order")
    assert own_orders and own_orders == sees("own:volunteer", "timebank.view_order")
    assert sees("own:daughter", "timebank.view_order") == own_orders
    assert not sees("far:volunteer", "timebank.view_order") & own_orders
    assert sees("own:daughter", "timebank.open_need") == sees(
        "own:community_worker:own", "timebank.open_need"
    )
    assert sees("own:volunteer", "timebank.open_need") == set()
    # Open disputes: before approval for the community's workers (who confirmed the service is
    # listed too, and refused when resolving), after approval for the street officer.
    open_ = set(
        Dispute.objects.filter(pk__in=objects[disputes], status="open").values_list("pk", flat=True)
    )
    assert len(open_) == 4  # two in each district
    assert len(sees("own:community_worker:own", disputes)) == 1
    assert sees("own:community_worker:other", disputes) == set()
    assert (
        len(sees("own:admin:own", disputes)) == 2
        and len(sees("own:street_officer:own", disputes)) == 1
    )
    assert sees("own:root", disputes) == set(objects[disputes])  # has_perm: a superuser may all
    assert sees("anonymous", accounts) == set()
