"""The figure registry of the district's one page: one row per outcome the proposal promises.

A row names the figure, the function that computes it from Linli's data (through the owning
app's selectors, never typed in), the page that lists what it counts, and which way is better.
A figure whose source does not exist yet has no function but the issue that brings it: the page
says "尚未启用" with that issue instead of a number. A later app adds its row with ``register``
(from its AppConfig.ready), and the page, the big screen and the tests pick it up.

Every figure compares the last twelve months (this month included) with the twelve before.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core.models import Place


@dataclass
class Scope:
    """Where and when the page looks: a district, or one of its streets, and its communities."""

    place: Place
    district: Place
    communities: list[Place]
    today: datetime.date
    user: object = None
    memo: dict = field(default_factory=dict)  # results figures share (one query for four rates)

    @property
    def street(self) -> Place | None:
        return self.place if self.place.pk != self.district.pk else None

    @property
    def community_ids(self) -> list[int]:
        return [c.pk for c in self.communities]

    @property
    def months(self) -> list[datetime.date]:
        """24 first days of months, oldest first; the last twelve are the current period."""
        months = [self.today.replace(day=1)]
        while len(months) < 24:
            months.insert(0, (months[0] - datetime.timedelta(days=1)).replace(day=1))
        return months

    @property
    def current(self) -> tuple[datetime.date, datetime.date]:
        """The current period's local days [first, end): the last twelve months, this one
        included (its days still ahead hold nothing yet)."""
        first, _ = _bounds(self.months[12])
        return first, _bounds(self.months[-1])[1]

    @property
    def previous(self) -> tuple[datetime.date, datetime.date]:
        """The twelve months before the current period."""
        return self.months[0], self.months[12]

    def moments(self, period: tuple[datetime.date, datetime.date]):
        """A period's days as aware datetimes (local midnight), for DateTime filters."""
        return tuple(
            timezone.make_aware(datetime.datetime.combine(day, datetime.time.min)) for day in period
        )

    def within(self, field: str, period, *, days: bool = False) -> Q:
        """Rows whose ``field`` falls in ``period`` (``self.current`` or ``self.previous``): a
        moment against the days' local midnights, a date field (``days=True``) against the days."""
        first, end = period if days else self.moments(period)
        return Q(**{f"{field}__gte": first, f"{field}__lt": end})

    def once(self, key: str, compute: Callable):
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]


def _bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    start = month.replace(day=1)
    return start, (start + datetime.timedelta(days=32)).replace(day=1)


@dataclass
class Value:
    """What a figure's function returns. ``current`` and ``previous`` are the two periods (None:
    nothing to compare, e.g. a rate with no requests); ``monthly`` the 24 months' values, oldest
    first, when the figure has a trend; ``detail`` a line under the number."""

    current: int | float | None
    previous: int | float | None = None
    monthly: list | None = None
    detail: str = ""


@dataclass(frozen=True)
class Figure:
    key: str
    label: str  # lazily translated
    explanation: str  # how it is computed, shown under the figure
    url_name: str  # the list behind the figure ("" only while the figure is pending)
    compute: Callable[[Scope], Value] | None = None
    query: Callable[[Scope], str] | None = None  # the list's query string for this scope
    unit: str = ""
    better: str = ""  # "down" (fewer is better), "up", or "" (neither)
    pending_issue: str = ""  # for a figure without a source yet: the issue that brings it
    order: int = 50
    chart: bool = False  # drawn as a trend against last year

    def url(self, scope: Scope) -> str:
        if not self.url_name:
            return ""
        query = self.query(scope) if self.query else ""
        return reverse(self.url_name) + (f"?{query}" if query else "")


@dataclass
class Result:
    figure: Figure
    url: str
    value: Value | None = None

    @property
    def pending(self) -> bool:
        return self.value is None

    @property
    def change(self) -> float | None:
        """current − previous (None when either is missing)."""
        v = self.value
        if v is None or v.current is None or v.previous is None:
            return None
        return round(v.current - v.previous, 1)

    @property
    def shown(self) -> str:
        return _shown(self.value.current) if self.value else ""

    @property
    def shown_previous(self) -> str:
        return _shown(self.value.previous) if self.value else ""

    @property
    def shown_change(self) -> str:
        change = self.change
        if change is None:
            return ""
        return ("+" if change > 0 else "") + _shown(change)

    @property
    def direction(self) -> str:
        """ "better", "worse" or "" for the change, by the figure's better side."""
        change = self.change
        # From nothing (the platform not yet in use a year ago) a rise says nothing either way.
        if not change or not self.figure.better or not self.value.previous:
            return ""
        return "better" if (change < 0) == (self.figure.better == "down") else "worse"


def _shown(number) -> str:
    """12,345 / 12,345.6 / — : thousands grouped, one decimal only when there is one."""
    if number is None:
        return "—"
    if isinstance(number, float) and not number.is_integer():
        return f"{number:,.1f}"
    return f"{int(number):,}"


_figures: dict[str, Figure] = {}


def register(figure: Figure) -> None:
    _figures[figure.key] = figure


def figures() -> list[Figure]:
    return sorted(_figures.values(), key=lambda f: (f.order, f.key))


def compute_all(scope: Scope) -> list[Result]:
    return [Result(f, f.url(scope), f.compute(scope) if f.compute else None) for f in figures()]
