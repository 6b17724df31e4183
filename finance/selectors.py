"""Reads of the finance app, each narrowed by policies.py: a community's books, the anomalies
the street office is shown, the boards and the overdue ones."""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from core.models import Place
from finance import periods
from finance.models import Board, Budget, Disclosure, DisclosureRule, Income, Spending
from finance.policies import book_communities, in_books, visible_disclosures
from finance.services.common import approval_rule

__all__ = ["book_communities", "visible_disclosures"]


def incomes_of(user, community: Place, year: int) -> QuerySet[Income]:
    return in_books(Income.objects.filter(community=community, received_on__year=year), user)


def spendings_of(user, community: Place, year: int) -> QuerySet[Spending]:
    return in_books(
        Spending.objects.filter(community=community, spent_on__year=year), user
    ).prefetch_related("approvals")


def budget_rows(community: Place, year: int) -> list[dict]:
    """Each category with a budget or spending: budget, spent (not rejected), left."""
    budgets = dict(
        Budget.objects.filter(community=community, year=year).values_list("category", "amount_fen")
    )
    spent = dict(
        Spending.objects.filter(community=community, spent_on__year=year)
        .exclude(status=Spending.Status.REJECTED)
        .values_list("category").annotate(s=Sum("amount_fen")).order_by()
    )  # fmt: skip
    from finance.models import Category

    return [
        {"category": c, "label": Category(c).label, "budget_fen": budgets.get(c, 0),
         "spent_fen": spent.get(c, 0), "over": spent.get(c, 0) > budgets.get(c, 0)}
        for c in Category.values if c in budgets or c in spent
    ]  # fmt: skip


def awaiting_approval(user) -> QuerySet[Spending]:
    """Payments waiting for a street officer of the user's streets (not their own records)."""
    from core.models import Role
    from core.rules import role_places
    from core.selectors import subtrees

    queryset = Spending.objects.filter(status=Spending.Status.PENDING).select_related("community")
    if not user.is_superuser:
        queryset = queryset.filter(
            subtrees(role_places(user, {Role.STREET_OFFICER}), "community__path")
        )
    return queryset.exclude(recorded_by=user).exclude(approvals__approver=user).order_by("spent_on")


# ---------------------------------------------------------------- anomalies


@dataclass
class Anomaly:
    kind: str
    label: str
    spending: Spending
    detail: str = ""


NO_RECEIPT = _("无票据")
OVER_BUDGET = _("超预算")
SPLIT = _("疑似拆分支付")


def anomalies(user, community_ids: list[int], year: int) -> list[Anomaly]:
    """Payments the street office should look at: without a receipt, over the category's budget,
    or one of several payments to one payee, close together, each just under the two-person
    threshold and together above it. Rejected payments are left out."""
    spendings = Spending.objects.filter(community_id__in=community_ids, spent_on__year=year)
    return _anomalies(in_books(spendings, user), year)


def anomalies_of(community_ids: list[int], year: int) -> list[Anomaly]:
    """``anomalies`` unscoped, for the street offices' notices (finance.notices)."""
    spendings = Spending.objects.filter(community_id__in=community_ids, spent_on__year=year)
    return _anomalies(spendings, year)


def _anomalies(spendings: QuerySet[Spending], year: int) -> list[Anomaly]:
    rows = list(
        spendings.exclude(status=Spending.Status.REJECTED)
        .select_related("community")
        .order_by("community_id", "spent_on", "id")
    )
    found = [Anomaly("no_receipt", NO_RECEIPT, s) for s in rows if not s.receipt]
    found += _over_budget(rows, year)
    found += _split(rows)
    return found


def _over_budget(rows: list[Spending], year: int) -> list[Anomaly]:
    budgets = {
        (b.community_id, b.category): b.amount_fen
        for b in Budget.objects.filter(community_id__in={s.community_id for s in rows}, year=year)
    }
    running: dict[tuple, int] = {}
    found = []
    for s in rows:
        key = (s.community_id, s.category)
        running[key] = running.get(key, 0) + s.amount_fen
        if running[key] > budgets.get(key, 0):
            found.append(Anomaly("over_budget", OVER_BUDGET, s, s.over_budget_reason))
    return found


def _split(rows: list[Spending]) -> list[Anomaly]:
    found, seen = [], set()
    rules: dict[tuple, object] = {}
    for i, s in enumerate(rows):
        key = (s.district_id, s.spent_on)
        if key not in rules:
            rules[key] = approval_rule(s.district_id, s.spent_on)
        rule = rules[key]
        if rule is None:
            continue
        limit = rule.two_person_above_fen
        floor = limit * (100 - rule.split_margin_percent) // 100
        window = datetime.timedelta(days=rule.split_days)
        group = [
            t for t in rows
            if t.community_id == s.community_id and t.payee == s.payee
            and abs((t.spent_on - s.spent_on).days) <= window.days
            and floor <= t.amount_fen <= limit
        ]  # fmt: skip
        if floor <= s.amount_fen <= limit and len(group) > 1:
            if sum(t.amount_fen for t in group) > limit and s.pk not in seen:
                seen.add(s.pk)
                found.append(Anomaly("split", SPLIT, s, str(len(group))))
        del i
    return found


# ---------------------------------------------------------------- boards


def published_boards(user, community: Place) -> QuerySet[Disclosure]:
    return visible_disclosures(user).filter(community=community, status=Disclosure.Status.PUBLISHED)


def boards_of(user, community: Place) -> QuerySet[Disclosure]:
    return visible_disclosures(user).filter(community=community).select_related("community")


def awaiting_review(user) -> QuerySet[Disclosure]:
    from core.models import Role
    from core.rules import role_places
    from core.selectors import subtrees

    queryset = Disclosure.objects.filter(status=Disclosure.Status.SUBMITTED)
    if not user.is_superuser:
        queryset = queryset.filter(
            subtrees(role_places(user, {Role.SUPERVISION_MEMBER}), "community__path")
        )
    return queryset.select_related("community")


@dataclass
class Overdue:
    community: Place
    board: str
    period_start: datetime.date
    due: datetime.date

    @property
    def board_label(self):
        return Board(self.board).label


def overdue(communities: list[Place], today: datetime.date) -> list[Overdue]:
    """Periods of each board, this year and last, whose due day has passed without a published
    board (the rule in force at each period's start decides its length and due day)."""
    if not communities:
        return []
    first = datetime.date(today.year - 1, 1, 1)
    published = set(
        Disclosure.objects.filter(
            community__in=communities, status=Disclosure.Status.PUBLISHED, period_start__gte=first
        ).values_list("community_id", "board", "period_start")
    )  # fmt: skip
    district_ids = {c.district_id for c in communities}
    rules = list(DisclosureRule.objects.filter(district_id__in=district_ids)
                 .order_by("effective_from", "id"))  # fmt: skip
    found = []
    for district_id in district_ids:
        for board in Board.values:
            for start, end, rule in board_periods(rules, district_id, board, first, today):
                due = end + datetime.timedelta(days=rule.due_days)
                if due >= today:
                    continue
                found += [
                    Overdue(c, board, start, due) for c in communities
                    if c.district_id == district_id and (c.pk, board, start) not in published
                ]  # fmt: skip
    return sorted(found, key=lambda o: (o.due, o.community.code, o.board))


@dataclass
class OverdueGroup:
    community: Place
    board: str
    periods: int
    first_start: datetime.date
    first_due: datetime.date

    @property
    def board_label(self):
        return Board(self.board).label


def overdue_by_board(communities: list[Place], today: datetime.date) -> list[OverdueGroup]:
    """``overdue`` grouped: one row per community and board, with how many periods are late
    and the earliest of them; the longest late first."""
    groups: dict[tuple, OverdueGroup] = {}
    for o in overdue(communities, today):
        key = (o.community.pk, o.board)
        if key in groups:
            groups[key].periods += 1
        else:
            groups[key] = OverdueGroup(o.community, o.board, 1, o.period_start, o.due)
    return sorted(groups.values(), key=lambda g: (g.first_due, g.community.code, g.board))


def board_periods(rules, district_id: int, board: str, first: datetime.date,
                  today: datetime.date):  # fmt: skip
    """The periods of one board of a district that start on or after ``first`` (and its first
    rule's month) and ended before ``today``: ``(start, end, rule)``, oldest first, each
    reckoned by the rule in force at its start (``rules``: the district's disclosure rules,
    oldest first). The street office's overdue list, the district page's figure and the demo
    share it, so they reckon due days alike."""
    mine = [r for r in rules if r.district_id == district_id and r.board == board]
    if not mine:
        return
    start = max(first, mine[0].effective_from)
    while True:
        rule = next((r for r in reversed(mine) if r.effective_from <= start), None)
        if rule is None:
            start = periods.add_months(start, 1)
            continue
        start = periods.period_containing(start, rule.cadence)
        end = periods.period_end(start, rule.cadence)
        if end >= today:
            return
        if start >= max(first, rule.effective_from.replace(day=1)):
            yield start, end, rule
        start = end + datetime.timedelta(days=1)


def approval_rules_of(district: Place | None):
    from finance.models import ApprovalRule

    return (
        ApprovalRule.objects.filter(district=district) if district else ApprovalRule.objects.none()
    )


def disclosure_rules_of(district: Place | None):
    if district is None:
        return DisclosureRule.objects.none()
    return DisclosureRule.objects.filter(district=district)


def board_communities(user) -> QuerySet[Place]:
    """Communities whose boards the user may read: those the user's roles lie in or above."""
    from django.db.models import Q

    from core.models import PlaceLevel
    from core.rules import assignments_of
    from core.selectors import subtrees

    communities = Place.objects.filter(level=PlaceLevel.COMMUNITY)
    if user.is_superuser:
        return communities
    places = [a.place for a in assignments_of(user)]
    above = {int(pid) for p in places for pid in p.path.strip("/").split("/")}
    return communities.filter(subtrees(places) | Q(pk__in=above))


def assessment_grants(user) -> QuerySet[Income]:
    """Grants paid from assessment results in the communities whose books the user reads."""
    queryset = Income.objects.filter(kind=Income.Kind.GRANT, source_key__startswith="oversight.")
    return in_books(queryset, user).select_related("community").order_by("-received_on", "-id")
