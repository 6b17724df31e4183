"""The time bank's visibility policies, for accounts, orders, needs and disputes. As in every
``<app>/policies.py`` (docs/architecture.md, "Policies"), each is one predicate (read by
``rules.py``, the steps and the services) next to one queryset (read by ``selectors.py``), and
``tests/test_policies.py`` holds them to the same answer for every role × place.

| permission | predicate | queryset |
| --- | --- | --- |
| ``timebank.view_account`` | ``can_view_account`` (and superusers) | ``visible_accounts(user)`` |
| ``timebank.view_order`` | ``can_view_order`` (and superusers) | ``visible_orders(user)`` |
| ``timebank.open_need`` (the need's page and suggestions) | ``can_open_need`` | ``openable_needs(user)`` |
| ``timebank.resolve_dispute`` | ``can_resolve_dispute`` (and superusers) | ``resolvable_disputes(user)`` |

Both forms follow the live place tree (``place.path``); a role held at a place reaches its
whole subtree.
"""

import rules
from django.db.models import Q, QuerySet

from core.models import Role
from core.rules import assignments_of, holds, role_places
from core.selectors import subtrees
from timebank.models import Account, AccountKind, Dispute, Listing, ListingKind, Order

ACCOUNT_ROLES = {Role.ADMIN, Role.STREET_OFFICER, Role.COMMUNITY_WORKER}
RECORD_ROLES = {Role.ADMIN, Role.COMMUNITY_WORKER}
REVERSE_ROLES = {Role.ADMIN, Role.STREET_OFFICER}
RULE_ROLES = {Role.ADMIN, Role.COORDINATOR}
LEDGER_ROLES = {Role.ADMIN, Role.COORDINATOR, Role.STREET_OFFICER, Role.AUDITOR}
# Who reads accounts: who reads the ledger, and the community's and grid's workers.
VIEW_ROLES = LEDGER_ROLES | {Role.COMMUNITY_WORKER, Role.GRID_WORKER}


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _of(model, user, query: Q) -> QuerySet:
    """``model``'s rows that ``query`` allows: all for a superuser, none for a visitor."""
    if user.is_superuser:
        return model.objects.all()
    if not _authenticated(user):
        return model.objects.none()
    return model.objects.filter(query)


# ---------------------------------------------------------------- accounts


@rules.predicate
def owns_account(user, account) -> bool:
    return (
        account is not None
        and account.person_id is not None
        and account.person.account_id is not None
        and account.person.account_id == user.pk
    )


def owner_q(user) -> Q:
    return Q(kind=AccountKind.MEMBER, person__account=user)


@rules.predicate
def serves_account(user, account) -> bool:
    """Staff of the account's community; for a member also the grid where the person lives. The
    district's issuance account (the counterpart of every deposit) is no one's to open."""
    if account is None or account.kind == AccountKind.ISSUANCE:
        return False
    if holds(user, VIEW_ROLES, account.place):
        return True
    person = account.person if account.person_id else None
    return person is not None and person.place is not None and holds(user, VIEW_ROLES, person.place)


def server_q(user) -> Q:
    places = role_places(user, VIEW_ROLES)
    served = subtrees(places, "place__path") | subtrees(places, "person__place__path")
    return served & ~Q(kind=AccountKind.ISSUANCE)


can_view_account = owns_account | serves_account


def visible_accounts(user) -> QuerySet[Account]:
    """timebank.view_account: the user's own account and the accounts of the places where they
    serve or audit."""
    return _of(Account, user, owner_q(user) | server_q(user))


# ---------------------------------------------------------------- orders


def is_order_volunteer(user, order) -> bool:
    """The volunteer who took the order (their own login)."""
    return order.volunteer.person.account_id == user.pk


def can_confirm_order(user, order) -> bool:
    """The person served (their own login), or the family member who posted the need or was
    named as its contact."""
    listing = order.listing
    if is_order_volunteer(user, order):
        return False
    if user.pk in (listing.poster_id, listing.contact_id):
        return True
    return listing.recipient is not None and listing.recipient.account_id == user.pk


def order_side(user, order) -> str | None:
    """ "volunteer", "served" (the person served or their family), or None."""
    if is_order_volunteer(user, order):
        return "volunteer"
    if can_confirm_order(user, order):
        return "served"
    return None


def sides_q(user, prefix: str = "") -> Q:
    """Orders (``prefix``: the path to the order) where the user is the volunteer or the side
    served."""
    return (
        Q(**{f"{prefix}volunteer__person__account": user})
        | Q(**{f"{prefix}listing__poster": user})
        | Q(**{f"{prefix}listing__contact": user})
        | Q(**{f"{prefix}listing__recipient__account": user})
    )


@rules.predicate
def can_view_order(user, order) -> bool:
    """Its two sides, and the staff who approve or correct service at its place."""
    if order is None or not _authenticated(user):
        return False
    return order_side(user, order) is not None or holds(
        user, RECORD_ROLES | REVERSE_ROLES, order.place
    )


def visible_orders(user) -> QuerySet[Order]:
    """timebank.view_order."""
    staff = subtrees(role_places(user, RECORD_ROLES | REVERSE_ROLES), "place__path")
    return _of(Order, user, sides_q(user) | staff)


# ---------------------------------------------------------------- needs


def listing_districts(user) -> set[int]:
    """The districts whose listings the user reads: where they hold an account or a role
    (通存通兑: residents serve anywhere in their district)."""
    if not _authenticated(user):
        return set()
    districts = set(Account.objects.filter(owner_q(user)).values_list("district_id", flat=True))
    return districts | {a.place.district_id for a in assignments_of(user)}


def visible_listings(user) -> QuerySet[Listing]:
    """Listings of the user's districts."""
    return _of(Listing, user, Q(district_id__in=listing_districts(user)))


def can_see_suggestions(user, need: Listing) -> bool:
    """Who posted the need, the family contact, the person served, or a community worker of
    the place (who may post and follow needs for residents)."""
    if not _authenticated(user) or need.kind != ListingKind.NEED:
        return False
    if user.pk in (need.poster_id, need.contact_id):
        return True
    if need.recipient_id and need.recipient.account_id == user.pk:
        return True
    return user.has_perm("timebank.record", need.place)


@rules.predicate
def can_open_need(user, need) -> bool:
    """A need of the user's districts whose suggestions the user may see."""
    if need is None or not can_see_suggestions(user, need):
        return False
    return user.is_superuser or need.district_id in listing_districts(user)


def openable_needs(user) -> QuerySet[Listing]:
    """timebank.open_need: ``can_open_need`` as a query, so a list of needs links only the
    needs that open."""
    needs = visible_listings(user).filter(kind=ListingKind.NEED)
    if user.is_superuser or not _authenticated(user):
        return needs
    query = Q(poster=user) | Q(contact=user) | Q(recipient__account=user)
    return needs.filter(query | subtrees(role_places(user, RECORD_ROLES), "place__path"))


# ---------------------------------------------------------------- disputes


def dispute_perm(order) -> str:
    """The permission that decides a dispute: a community worker's before approval; after it
    the ledger is corrected by reversal, above the worker who recorded it."""
    return "timebank.reverse" if order.status == "approved" else "timebank.record"


def is_dispute_party(user, order, dispute) -> bool:
    """Who may not decide a dispute: who raised it, who confirmed or posted the service, and
    either side of it."""
    parties = (dispute.raised_by_id, order.confirmed_by_id, order.listing.poster_id)
    return user.pk in parties or order_side(user, order) is not None


@rules.predicate
def can_resolve_dispute(user, dispute) -> bool:
    """An open dispute, for a worker of its place: the community's before approval, a street
    officer or district administrator after it. A party to it (``is_dispute_party``) is still
    shown it and refused by the resolve step and the service, which say why."""
    if dispute is None or dispute.status != Dispute.Status.OPEN:
        return False
    return user.has_perm(dispute_perm(dispute.order), dispute.order.place)


def resolvable_disputes(user) -> QuerySet[Dispute]:
    """timebank.resolve_dispute: open disputes the user may decide (for a superuser every
    dispute, as Django's ``has_perm`` grants a superuser everything)."""
    if not _authenticated(user):
        return Dispute.objects.none()
    if user.is_superuser:
        return Dispute.objects.all()
    approved = Q(order__status=Order.Status.APPROVED)
    deciders = (~approved & subtrees(role_places(user, RECORD_ROLES), "order__place__path")) | (
        approved & subtrees(role_places(user, REVERSE_ROLES), "order__place__path")
    )
    return Dispute.objects.filter(deciders, status=Dispute.Status.OPEN)
