"""Scoped reads of the time bank: every list a page or the API shows comes from here."""

from django.db.models import Q, QuerySet

from core.models import Place
from core.rules import assignments_of, role_places
from timebank.models import Account, AccountKind, Listing, Order, Posting, Transaction
from timebank.rules import ACCOUNT_ROLES, LEDGER_ROLES, RECORD_ROLES, VIEW_ROLES


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
    places = role_places(user, VIEW_ROLES)
    return Account.objects.filter(
        Q(kind=AccountKind.MEMBER, person__account=user)
        | _subtrees(places)
        | _subtrees(places, field="person__place__path")
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
    districts |= {a.place.district_id for a in assignments_of(user)}
    return Listing.objects.filter(district_id__in=districts)


def orders_to_approve(user) -> QuerySet[Order]:
    """Confirmed services waiting for a community worker of the place."""
    if user.is_superuser:
        return Order.objects.filter(status=Order.Status.CONFIRMED)
    return Order.objects.filter(
        _subtrees(role_places(user, RECORD_ROLES)), status=Order.Status.CONFIRMED
    ).exclude(confirmed_by=user)  # who confirmed a service does not also approve it


def orders_decided_by(user) -> QuerySet[Order]:
    return Order.objects.filter(approved_by=user).order_by("-approved_at", "-pk")


def record_places(user) -> QuerySet[Place]:
    """Communities where the user records time-bank service (their own or under their place)."""
    places = Place.objects.filter(level="community")
    if user.is_superuser:
        return places
    return places.filter(_subtrees(role_places(user, RECORD_ROLES), field="path"))


def manage_places(user) -> QuerySet[Place]:
    """Communities where the user opens and closes accounts."""
    places = Place.objects.filter(level="community", is_active=True)
    if user.is_superuser:
        return places
    return places.filter(_subtrees(role_places(user, ACCOUNT_ROLES), field="path"))


def statistics(user) -> dict:
    """Community statistics over what the user may see: stored hours, service by month and by
    category, members by star level. A few aggregate queries."""
    from django.db.models import Count, Sum
    from django.db.models.functions import TruncMonth

    from timebank.models import STAR_HOURS, TxKind

    accounts = accounts_visible_to(user)
    members = accounts.filter(kind=AccountKind.MEMBER)
    by_community = list(
        accounts.values("place__name")
        .annotate(n=Count("id"), stored=Sum("balance"), earned=Sum("earned"))
        .order_by("place__name")
    )
    deposits = Posting.objects.filter(
        account__in=accounts, transaction__kind=TxKind.DEPOSIT, amount__gt=0
    )
    by_month = list(
        deposits.annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(total=Sum("amount"))
        .order_by("month")
    )
    by_category = list(
        Order.objects.filter(volunteer__in=accounts, status=Order.Status.APPROVED)
        .values("listing__category")
        .annotate(total=Sum("minutes"), n=Count("id"))
        .order_by("-total")
    )
    earned = list(members.values_list("earned", flat=True))
    stars = [0] * (len(STAR_HOURS) + 1)
    for minutes in earned:
        stars[sum(1 for h in STAR_HOURS if minutes // 60 >= h)] += 1
    return {
        "by_community": by_community,
        "by_month": by_month,
        "by_category": by_category,
        "stars": stars,
        "members": len(earned),
    }
