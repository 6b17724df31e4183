"""The district's one page: boards of 居务公开 published on time (dashboard.figures row
``disclosure_on_time``), in two queries (the district's disclosure rules; the published boards).

A board's period and due day come from the rule in force at the period's start, exactly as the
street office's overdue list (finance.selectors.overdue) reckons them: the period ends, and the
board is due ``due_days`` later. A period is judged once its due day has passed; it falls in the
twelve months in which its due day fell.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dashboard.figures import Figure, Scope, Value, register
from finance import periods
from finance.models import Board, Disclosure, DisclosureRule

# The same generator of a board's periods as the overdue list's (one reckoning of due days).
from finance.selectors import board_periods

LONGEST_PERIOD_MONTHS = 3  # a quarter: the earliest period whose due day can fall in the window


def _tally(scope: Scope) -> dict[str, dict[str, int]]:
    """For each side ("current", "previous"): the board periods due in it, and how many were
    published by their due day, published after it, or not published at all."""
    first = periods.add_months(scope.months[0], -LONGEST_PERIOD_MONTHS)
    ids = scope.community_ids
    rules = list(
        DisclosureRule.objects.filter(district=scope.district).order_by("effective_from", "id")
    )
    published = {
        (community, board, start): timezone.localtime(at).date()
        for community, board, start, at in Disclosure.objects.filter(
            community_id__in=ids, status=Disclosure.Status.PUBLISHED, period_start__gte=first
        ).values_list("community_id", "board", "period_start", "published_at")
    }
    sides = {"current": scope.current, "previous": scope.previous}
    tally = {side: {"due": 0, "on_time": 0, "late": 0, "missing": 0} for side in sides}
    for board in Board.values:
        for start, end, rule in board_periods(rules, scope.district.pk, board, first, scope.today):
            due = end + datetime.timedelta(days=rule.due_days)
            side = next((s for s, (a, b) in sides.items() if a <= due < b), None)
            if side is None or due >= scope.today:
                continue
            for community in ids:
                day = published.get((community, board, start))
                kind = "missing" if day is None else ("on_time" if day <= due else "late")
                tally[side]["due"] += 1
                tally[side][kind] += 1
    return tally


def _share(counts: dict[str, int]) -> float | None:
    return round(100 * counts["on_time"] / counts["due"], 1) if counts["due"] else None


def disclosure_on_time(scope: Scope) -> Value:
    tally = _tally(scope)
    now = tally["current"]
    return Value(
        _share(now),
        _share(tally["previous"]),
        detail=_("应公开%(due)d期：按时%(on_time)d、逾期公开%(late)d、未公开%(missing)d") % now,
    )


def register_all() -> None:
    register(Figure(
        "disclosure_on_time", gettext_lazy("居务公开按时公开率"), gettext_lazy(
            "各社区党务、居务、财务公开栏期限已届满的各期（按区公开规则，按期限所在月统计）中，在期限内审核公开的占比。"
        ), "finance:supervision", disclosure_on_time, unit="%", better="up", order=82,
    ))  # fmt: skip
