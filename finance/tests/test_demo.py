"""The demo's books: built through the services, its anomalies visible to the street office.
Its boards: published through the services at back-dated moments, mostly on time, a few late,
a few missing; the district page's 居务公开按时公开率 agrees with a count made here from the
rows (with the default rules' cadences written out, not finance's own reckoning)."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from core import clock
from dashboard.selectors import scope_of
from finance import demo, figures, selectors
from finance.models import Disclosure, Spending

pytestmark = pytest.mark.django_db

# The default rules (finance.defaults), written out: board -> (months a period, due days).
CADENCES = {"finance": (1, 10), "affairs": (3, 15), "party": (3, 15)}


def test_demo_books_show_pending_payments_and_anomalies(d):
    lines = []
    demo.build(district=d.district, builder=d.root, seed=2026, out=lines.append)
    assert Spending.objects.filter(status="pending").count() == 4 * 3 + 2
    officer = d.users["street_officer:own"]
    year = Spending.objects.first().spent_on.year
    kinds = {a.kind for a in selectors.anomalies(officer, [d.communities[0].pk], year)}
    assert {"no_receipt", "split"} <= kinds
    assert selectors.awaiting_approval(officer).count() == 2 * 3 + 2  # the first street's two


def _month(day: datetime.date, months: int) -> datetime.date:
    years, month = divmod(day.month - 1 + months, 12)
    return datetime.date(day.year + years, month + 1, 1)


def _count(community_ids, today: datetime.date) -> dict[str, int]:
    """Periods whose due day fell in the last twelve months (this one included) and has passed,
    by what became of their board."""
    first = _month(today, -11)
    published = {
        (c, b, s): timezone.localtime(at).date()
        for c, b, s, at in Disclosure.objects.filter(status="published").values_list(
            "community_id", "board", "period_start", "published_at"
        )
    }
    counts = {"due": 0, "on_time": 0, "late": 0, "missing": 0}
    for board, (months, due_days) in CADENCES.items():
        start = datetime.date(today.year - 3, 1, 1)
        while start <= today:
            due = _month(start, months) - datetime.timedelta(days=1 - due_days)
            if first <= due < today:
                for c in community_ids:
                    day = published.get((c, board, start))
                    kind = "missing" if day is None else "on_time" if day <= due else "late"
                    counts["due"] += 1
                    counts[kind] += 1
            start = _month(start, months)
    return counts


def _days_ahead():
    """Days after today (the small district's accounts exist from today on): the 5th of next
    month (last month's finance board not due yet), the 28th of the month after, and the 3rd
    of January of next year (the year's edge)."""
    today = clock.today()
    return [_month(today, 1) + datetime.timedelta(days=4), _month(today, 2).replace(day=28),
            datetime.date(today.year + 1, 1, 3) if today.month < 12 else
            datetime.date(today.year + 2, 1, 3)]  # fmt: skip


@pytest.mark.parametrize("which", [0, 1, 2], ids=["5th", "28th", "january"])
def test_demo_boards_mostly_on_time_some_late_some_missing(d, which):
    day = _days_ahead()[which]
    officer = d.users["street_officer:own"]
    at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
    with time_machine.travel(at, tick=False):
        now = timezone.now()
        demo.build(district=d.district, builder=d.root, seed=2026, out=[].append)
        ids = [c.pk for c in d.communities]
        counts = _count(ids, day)
        value = figures.disclosure_on_time(scope_of(d.root, d.district, day))
        overdue = selectors.overdue(d.communities, day)
    assert counts["late"] > 0 and counts["missing"] > 0, counts
    share = round(100 * counts["on_time"] / counts["due"], 1)
    assert 60 <= share <= 99, counts
    assert value.current == share
    assert value.detail == "应公开{due}期：按时{on_time}、逾期公开{late}、未公开{missing}".format(
        **counts
    )
    assert 60 <= value.previous <= 99  # the two years before are there too
    assert overdue  # the street office has something to chase
    rows = Disclosure.objects.all()
    assert not rows.filter(published_at__gt=now).exists()
    assert not rows.filter(prepared_at__gt=now).exists()
    # Prepared by the community's worker, published by its 居务监督委员会 member where it has one.
    own = rows.filter(community=d.communities[0], status="published")
    assert set(own.values_list("prepared_by", flat=True)) == {d.users["community_worker:own"].pk}
    assert set(own.values_list("reviewed_by", flat=True)) == {d.users["supervision_member:own"].pk}
    assert not rows.filter(status__in=["draft", "returned"]).exists()
    # The first community's finance boards show its monthly payments, approved by the street
    # officer; the street office's anomalies are still only the demo's waiting payments.
    boards = own.filter(board="finance")
    assert boards and all(b.content["spending_total_fen"] > 0 for b in boards)
    paid = Spending.objects.filter(community=d.communities[0], status="approved")
    assert paid.count() == 2 * boards.count()
    assert {a.approver_id for s in paid for a in s.approvals.all()} == {officer.pk}
    assert not paid.filter(receipt="").exists()
    years = set(Spending.objects.values_list("spent_on__year", flat=True))
    flagged = [a for y in years for a in selectors.anomalies(officer, [d.communities[0].pk], y)]
    assert flagged and {a.spending.status for a in flagged} == {"pending"}
