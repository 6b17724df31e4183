"""Scoped reads of the time bank: every list a page or the API shows comes from here."""

from django.db.models import Q, QuerySet

from core.models import Place
from core.rules import role_places
from timebank.models import Account, AccountKind, Listing, Order, Posting, Transaction
from timebank.rules import LEDGER_ROLES, RECORD_ROLES, VIEW_ROLES


def _subtrees(places, field: str = "place__path") -> Q:
    query = Q(pk__in=[])
    for place in places:
        query |= Q(**{f"{field}__startswith": place.path})
    return query


def own_accounts(user) -> QuerySet[Account]:
    if not getattr(user, "is_authenticated", False):
        return Account.objects.none()
    return Account.objects.filter(kind=AccountKind.MEMBER, person__account=user)


def accounts_visible_to(user) -> QuerySet[Account]:
    """The user's own account and the accounts of the places where they serve or audit."""
    if user.is_superuser:
        return Account.objects.all()
    return Account.objects.filter(
        Q(kind=AccountKind.MEMBER, person__account=user) | _subtrees(role_places(user, VIEW_ROLES))
    ).exclude(kind=AccountKind.ISSUANCE)


def postings_visible_to(user, account: Account) -> QuerySet[Posting]:
    if not user.has_perm("timebank.view_account", account):
        return Posting.objects.none()
    return Posting.objects.filter(account=account).select_related("transaction")


def ledger_districts(user) -> list[Place]:
    if user.is_superuser:
        return list(Place.objects.filter(level="district"))
    return sorted({p.district for p in role_places(user, LEDGER_ROLES)}, key=lambda p: p.pk)


def transactions_visible_to(user) -> QuerySet[Transaction]:
    if user.is_superuser:
        return Transaction.objects.all()
    return Transaction.objects.filter(_subtrees(role_places(user, LEDGER_ROLES | RECORD_ROLES)))


def listings_visible_to(user) -> QuerySet[Listing]:
    """Listings of the user's district (通存通兑: residents serve anywhere in the district)."""
    if user.is_superuser:
        return Listing.objects.all()
    districts = {a.district_id for a in own_accounts(user)}
    districts |= {p.district_id for p in role_places(user, VIEW_ROLES)}
    return Listing.objects.filter(district_id__in=districts)


def orders_to_approve(user) -> QuerySet[Order]:
    """Confirmed services waiting for a community worker of the place."""
    if user.is_superuser:
        return Order.objects.filter(status=Order.Status.CONFIRMED)
    return Order.objects.filter(
        _subtrees(role_places(user, RECORD_ROLES)), status=Order.Status.CONFIRMED
    )
