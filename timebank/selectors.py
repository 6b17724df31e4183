"""Scoped reads of the time bank: every list a page or the API shows comes from here."""

import re
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from core.models import Place
from core.rules import role_places
from core.selectors import subtrees
from timebank import policies
from timebank.models import (
    Account,
    AccountKind,
    Listing,
    ListingKind,
    Order,
    Posting,
    Transaction,
)
from timebank.policies import ACCOUNT_ROLES, LEDGER_ROLES, RECORD_ROLES
from timebank.policies import can_see_suggestions as can_see_suggestions  # for the pages


def own_accounts(user) -> QuerySet[Account]:
    if not getattr(user, "is_authenticated", False):
        return Account.objects.none()
    return Account.objects.filter(policies.owner_q(user))


def accounts_visible_to(user) -> QuerySet[Account]:
    """The user's own account and the accounts of the places where they serve or audit
    (timebank.policies.visible_accounts)."""
    return policies.visible_accounts(user)


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
    return Transaction.objects.filter(
        subtrees(role_places(user, LEDGER_ROLES | RECORD_ROLES), "place__path")
    )


def listings_visible_to(user) -> QuerySet[Listing]:
    """Listings of the user's district (通存通兑: residents serve anywhere in the district)."""
    return policies.visible_listings(user)


def orders_to_approve(user) -> QuerySet[Order]:
    """Confirmed services waiting for a community worker of the place."""
    if user.is_superuser:
        return Order.objects.filter(status=Order.Status.CONFIRMED)
    return Order.objects.filter(
        subtrees(role_places(user, RECORD_ROLES), "place__path"), status=Order.Status.CONFIRMED
    ).exclude(confirmed_by=user)  # who confirmed a service does not also approve it


def orders_decided_by(user) -> QuerySet[Order]:
    return Order.objects.filter(approved_by=user).order_by("-approved_at", "-pk")


def record_places(user) -> QuerySet[Place]:
    """Communities where the user records time-bank service (their own or under their place)."""
    places = Place.objects.filter(level="community")
    if user.is_superuser:
        return places
    return places.filter(subtrees(role_places(user, RECORD_ROLES)))


def manage_places(user) -> QuerySet[Place]:
    """Communities where the user opens and closes accounts."""
    places = Place.objects.filter(level="community", is_active=True)
    if user.is_superuser:
        return places
    return places.filter(subtrees(role_places(user, ACCOUNT_ROLES)))


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


# ---------------------------------------------------------------- matching


@dataclass
class Match:
    """A suggestion: an offer or an experienced volunteer for a need, or a need for a
    volunteer; higher scores first, with the reasons shown to the user."""

    score: int
    reasons: list[str] = field(default_factory=list)
    listing: Listing | None = None  # the offer (for a need) or the need (for a volunteer)
    account: Account | None = None  # a volunteer without an offer who served this before
    time_fits: bool | None = None
    opens: bool = False  # the user may open the listing's page (a list links it only then)


SKILL_SPLIT = re.compile(r"[,，、;；/\s]+")


def _place_fit(a: Place, b: Place) -> tuple[int, str]:
    """Same community first, then same street, then anywhere in the district (通存通兑)."""
    if a.pk == b.pk:
        return 30, _("同社区")
    if a.parent_id == b.parent_id:
        return 20, _("同街道")
    return 10, _("区内通存通兑")


def _score(need: Listing, offer: Listing) -> Match | None:
    """How well an offer fits a need; None when neither category nor skills fit."""
    score, reasons = _place_fit(need.place, offer.place)
    reasons = [reasons]
    fits_category = need.category == offer.category
    text = f"{need.title} {need.detail}"
    skills = [s for s in SKILL_SPLIT.split(offer.skills or "") if len(s) >= 2 and s in text]
    if not fits_category and not skills:
        return None
    if fits_category:
        score += 30
        reasons.append(_("类别相符：%(c)s") % {"c": offer.get_category_display()})
    if skills:
        score += 10 * min(2, len(skills))
        reasons.append(_("技能：%(s)s") % {"s": "、".join(skills[:3])})
    covers = offer.covers(need.wanted_at)
    if covers is True:
        score += 20
        reasons.append(_("时间合适"))
    elif covers is False:
        score -= 20
        reasons.append(_("时间不合（%(w)s）") % {"w": offer.window_text})
    elif offer.window_text:
        reasons.append(_("可服务时间：%(w)s") % {"w": offer.window_text})
    return Match(score=score, reasons=reasons, listing=offer, time_fits=covers)


def _district_wide(district_id: int) -> bool:
    from timebank import defaults, services

    return bool(services.rule_value(defaults.DISTRICT_WIDE, district_id))


def need_with_suggestions(user, pk: int) -> Listing | None:
    """The need ``pk`` if the user may see it and its suggestions (can_see_suggestions)."""
    need = (
        listings_visible_to(user)
        .filter(pk=pk, kind=ListingKind.NEED)
        .select_related("place", "recipient")
        .first()
    )
    return need if need is not None and can_see_suggestions(user, need) else None


def needs_opened_by(user) -> QuerySet[Listing]:
    """The needs whose page the user may open (the timebank.open_need policy:
    timebank.policies.openable_needs), so a list of needs links only the needs that open
    (test_need_pages_open_as_listed)."""
    return policies.openable_needs(user)


def _mark_opens(user, matches: list[Match]) -> list[Match]:
    ids = [m.listing.pk for m in matches]
    opened = set(needs_opened_by(user).filter(pk__in=ids).values_list("pk", flat=True))
    for match in matches:
        match.opens = match.listing.pk in opened
    return matches


def suggestions_for_need(user, need: Listing, *, limit: int = 10) -> list[Match]:
    """Ranked offers, then volunteers who did this kind of service before, for an open need.
    Empty for anyone who may not see the need's suggestions."""
    if not can_see_suggestions(user, need):
        return []
    wide = _district_wide(need.district_id)
    offers = (
        Listing.objects.filter(
            district_id=need.district_id, kind=ListingKind.OFFER, status=Listing.Status.OPEN
        )
        .exclude(poster_id=need.poster_id)
        .select_related("place", "poster")
        .order_by("-created_at")
    )
    if need.recipient_id:  # the person served does not serve themself
        offers = offers.exclude(poster__person__id=need.recipient_id)
    matches = []
    for offer in offers[:500]:
        if not wide and offer.place_id != need.place_id:
            continue
        match = _score(need, offer)
        if match is not None:
            matches.append(match)
    offering = {m.listing.poster_id for m in matches}
    experienced = (
        Order.objects.filter(
            district_id=need.district_id, status=Order.Status.APPROVED,
            listing__category=need.category,
        )
        .exclude(volunteer__person__account_id__in=offering | {need.poster_id})
        .exclude(volunteer__person_id=need.recipient_id)
        .values("volunteer")
        .annotate(n=Count("id"))
        .order_by("-n")[:50]
    )  # fmt: skip
    counts = {row["volunteer"]: row["n"] for row in experienced}
    for account in Account.objects.filter(pk__in=counts, is_closed=False).select_related("place"):
        if not wide and account.place_id != need.place_id:
            continue
        score, where = _place_fit(need.place, account.place)
        matches.append(
            Match(
                score=score + 15,
                account=account,
                reasons=[where, _("曾完成%(n)d次同类服务") % {"n": counts[account.pk]}],
            )
        )
    matches.sort(key=lambda m: (-m.score, -(m.listing.pk if m.listing else 0)))
    return matches[:limit]


def needs_for_volunteer(user, *, limit: int = 20) -> list[Match]:
    """Open needs the user may take, ranked by their own open offers (place, category, skills,
    time); without an offer, by place alone. Each carries its reasons."""
    from timebank import services

    account = services.member_account_of(user)
    needs = (
        listings_visible_to(user)
        .filter(kind=ListingKind.NEED, status=Listing.Status.OPEN)
        .exclude(poster=user)
        .select_related("place")
        .order_by("-created_at")[:300]
    )
    if account is None:
        return _mark_opens(user, [Match(score=0, listing=n) for n in needs[:limit]])
    needs = [n for n in needs if n.recipient_id != account.person_id]
    wide = _district_wide(account.district_id)
    offers = list(
        Listing.objects.filter(poster=user, kind=ListingKind.OFFER, status=Listing.Status.OPEN)
        .select_related("place")
    )  # fmt: skip
    matches = []
    for need in needs:
        if not wide and need.place_id != account.place_id:
            continue
        best = None
        for offer in offers:
            match = _score(need, offer)
            if match is not None and (best is None or match.score > best.score):
                best = match
        if best is None:
            score, where = _place_fit(need.place, account.place)
            best = Match(score=score, reasons=[where])
        best.listing = need
        matches.append(best)
    matches.sort(key=lambda m: (-m.score, -m.listing.pk))
    return _mark_opens(user, matches[:limit])


# ---------------------------------------------------------------- orders and disputes


def order_visible_to(user, pk: int) -> Order | None:
    """An order for its two sides and for the staff who approve or correct at its place
    (timebank.view_order)."""
    order = (
        Order.objects.filter(pk=pk)
        .select_related("listing", "listing__recipient", "volunteer__person", "place")
        .first()
    )
    return order if user.has_perm("timebank.view_order", order) else None


def disputes_to_resolve(user) -> QuerySet:
    """Open disputes the user may decide (timebank.resolve_dispute): before approval at the
    places where they record service, after approval where they may reverse (a party to one
    is refused when resolving it, with the reason)."""
    from timebank.models import Dispute

    # The policy grants a superuser every dispute (as has_perm does): the list is of open ones.
    open_ = policies.resolvable_disputes(user).filter(status=Dispute.Status.OPEN)
    return open_.select_related("order__listing", "order__volunteer", "place")


def deposits_by_month(place: Place, start, end) -> dict:
    """Service time deposited into members' accounts of `place` and below in [`start`, `end`)
    (aware datetimes), in minutes per local month ({first day of month: minutes}): what the
    statistics page charts, for the district's one page."""
    from django.db.models import Sum
    from django.db.models.functions import TruncMonth

    from timebank.models import TxKind

    rows = (
        Posting.objects.filter(
            district_id=place.district_id or place.pk,
            account__place__path__startswith=place.path,
            account__kind=AccountKind.MEMBER,
            transaction__kind=TxKind.DEPOSIT,
            amount__gt=0,
            created_at__gte=start,
            created_at__lt=end,
        )
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    result: dict = {}
    for row in rows:
        month = row["month"]
        month = (month.date() if hasattr(month, "date") else month).replace(day=1)
        result[month] = result.get(month, 0) + row["total"]
    return result


def approvals_in(communities, start, end) -> list[tuple]:
    """Service records approved in these places (and below) between the dates ``start`` and
    ``end`` (excluded): [(place path, approved_at, approver id)], one query (the burden index's
    self-government time, workload.sources)."""
    return list(
        Order.objects.filter(
            subtrees(communities, "place__path"), approved_at__date__gte=start,
            approved_at__date__lt=end, approved_by__isnull=False,
        ).values_list("place__path", "approved_at", "approved_by_id")
    )  # fmt: skip
