"""The working-day calendar: which days count when a deadline says "N working days".

Three layers answer for a day, the first that knows wins:

1. an administrator's ``CalendarDay`` entry (a local override, or the official schedule typed in
   for a year the package does not know yet);
2. the ``chinese_calendar`` package, which carries the State Council's holiday schedule
   (holidays and make-up working weekends) for the years it was released with;
3. Monday to Friday, for any other year. The official schedule for next year is published each
   November or December, so the calendar must keep working for deadlines that cross into a year
   nobody has entered yet; ``years_needing_schedule`` tells administrators to fill it in.

Nothing here ever raises for a valid date: a deadline must always be computable.

Speed: the per-process copy of the overrides carries a "stamp" of ``CalendarDay`` (row count,
working-day count, largest id, latest ``updated_at``: one tiny aggregate query). Outside a
transaction every call checks the stamp; inside one it is checked at most once per transaction —
a marker is left among the transaction's on-commit callbacks, so it lasts until that transaction
(or the savepoint it was set in) commits or rolls back. The stamp is read from the database, not
from a timer or a local-memory cache, because web and worker are separate processes and a
rolled-back transaction leaves no signal behind — only the database knows. Another process's
change is therefore seen by the next transaction, and one in this process at once: saving or
deleting a ``CalendarDay`` through the ORM (as the calendar services do) voids the marker.
Code that changes rows with ``QuerySet.update``, ``bulk_create`` or raw SQL inside a transaction
calls ``invalidate_cache``; outside a transaction the stamp notices such changes by itself.
"""

from __future__ import annotations

import datetime
import enum
import zoneinfo
from dataclasses import dataclass

import chinese_calendar
from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import clock
from core.models import CalendarDay, CalendarYear

# A deadline further out than this is an input error, not a plan (about twenty years); the cap
# also keeps a typo from walking the calendar to the year 9999.
MAX_WORKING_DAYS = 5000

# The years the installed chinese_calendar release carries. Its tables start in 2004; earlier and
# later years get the weekday fallback.
OFFICIAL_FIRST_YEAR = min(chinese_calendar.holidays).year
OFFICIAL_LAST_YEAR = max(chinese_calendar.holidays).year

# The package names holidays in English; pages show them in Chinese.
HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


class DaySource(enum.StrEnum):
    """Who decided whether a day is worked."""

    ADMIN = "admin"  # an administrator's CalendarDay entry
    OFFICIAL = "official"  # the chinese_calendar package (State Council schedule)
    WEEKDAY = "weekday"  # Monday–Friday fallback: nobody has said otherwise

    @property
    def label(self) -> str:
        return str(_SOURCE_LABELS[self])


_SOURCE_LABELS = {
    DaySource.ADMIN: _("管理员录入"),
    DaySource.OFFICIAL: _("国务院节假日安排（内置）"),
    DaySource.WEEKDAY: _("按周一至周五推定"),
}


@dataclass(frozen=True)
class DayInfo:
    """One day as a calendar page shows it."""

    date: datetime.date
    is_working_day: bool
    source: DaySource
    note: str = ""
    # What the day would be without the administrator's entry (only set when source is ADMIN),
    # so a page can say "official holiday, changed by an administrator to a working day".
    underlying: bool | None = None

    @property
    def is_special(self) -> bool:
        """True when the day is not simply "Monday–Friday work, weekend rest"."""
        return self.source == DaySource.ADMIN or self.is_working_day != _is_weekday(self.date)


@dataclass(frozen=True)
class CalendarStatus:
    """What a calendar administration page needs for one year."""

    year: int
    official_known: bool  # the built-in package carries this year
    schedule_entered: bool  # an administrator declared the year's schedule entered
    schedule_source: str  # the document the administrator cited
    needs_schedule: bool  # neither of the above: weekends only, holidays unknown
    working_days: int  # working days in the year under the current calendar
    special_days: list[DayInfo]  # holidays on weekdays, worked weekends, and every admin entry


# ---------------------------------------------------------------- the per-process override copy


@dataclass(frozen=True)
class _Snapshot:
    stamp: tuple
    days: dict[datetime.date, tuple[bool, str]]


_snapshot: _Snapshot | None = None
# Bumped by every ORM save or delete of a CalendarDay in this process (and by invalidate_cache):
# a transaction's "already checked" marker is only good for the generation it was set in.
_generation = 0


class _Checked:
    """A no-op on-commit callback: "this transaction already checked the stamp". Django drops
    it when the transaction ends, or when the savepoint it was registered in rolls back."""

    __slots__ = ("key",)

    def __init__(self, key: tuple):
        self.key = key

    def __call__(self) -> None:
        pass


def invalidate_cache() -> None:
    """Forget this process's copy of the administrator entries.

    Needed inside a transaction that changed ``CalendarDay`` rows by other means than the ORM's
    ``save``/``delete`` (``QuerySet.update``, ``bulk_create``, raw SQL) and reads the calendar
    again in the same transaction. Drops the copy now and again when the current transaction
    commits, so no thread keeps a pre-commit view.
    """
    _drop()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_drop)


def _drop(**_signal_kwargs) -> None:
    global _snapshot, _generation
    _generation += 1
    _snapshot = None


post_save.connect(_drop, sender=CalendarDay, dispatch_uid="core.calendar.changed")
post_delete.connect(_drop, sender=CalendarDay, dispatch_uid="core.calendar.deleted")


def _stamp() -> tuple:
    """What the administrators' calendar entries look like now, compared for equality only.

    Plain SQL: it runs on every deadline computation (every service request submission), and
    building the ORM aggregate cost more client time than the database spent answering it."""
    table = CalendarDay._meta.db_table
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(id), COUNT(CASE WHEN is_working_day THEN 1 END), MAX(id), "  # noqa: S608
            f"MAX(updated_at) FROM {table}"
        )
        return tuple(cursor.fetchone())


def _checked_in_this_transaction(connection, key: tuple) -> bool:
    return any(
        isinstance(entry[1], _Checked) and entry[1].key == key for entry in connection.run_on_commit
    )


def _overrides() -> dict[datetime.date, tuple[bool, str]]:
    global _snapshot
    connection = transaction.get_connection()
    in_transaction = connection.in_atomic_block
    generation, snapshot = _generation, _snapshot
    if (
        in_transaction
        and snapshot is not None
        and _checked_in_this_transaction(connection, (generation, snapshot.stamp))
    ):
        return snapshot.days
    stamp = _stamp()
    if snapshot is None or snapshot.stamp != stamp:
        # Read after the stamp: a change landing in between makes the stamp stale, so the next
        # check reloads again — never the reverse (new stamp with old rows).
        days = {
            d: (working, note)
            for d, working, note in CalendarDay.objects.values_list(
                "date", "is_working_day", "note"
            )
        }
        snapshot = _Snapshot(stamp=stamp, days=days)
        _snapshot = snapshot
    if in_transaction:
        transaction.on_commit(_Checked((generation, stamp)))
    return snapshot.days


# ---------------------------------------------------------------- answering for one day


def _is_weekday(day: datetime.date) -> bool:
    return day.weekday() < 5


def official_knows(year: int) -> bool:
    """Whether the built-in package carries the official schedule for ``year``."""
    return OFFICIAL_FIRST_YEAR <= year <= OFFICIAL_LAST_YEAR


def _underlying(day: datetime.date) -> tuple[bool, DaySource, str]:
    """The answer without administrator entries, and the holiday's name if it has one."""
    if not official_knows(day.year):
        return _is_weekday(day), DaySource.WEEKDAY, ""
    working = chinese_calendar.is_workday(day)
    _on_holiday, name = chinese_calendar.get_holiday_detail(day)
    note = HOLIDAY_NAMES_ZH.get(name, name) if name else ""
    if note and working:
        note = f"{note}调休上班"  # a weekend worked to make up for the holiday
    return working, DaySource.OFFICIAL, note


def _describe(day: datetime.date, overrides: dict) -> DayInfo:
    working, source, note = _underlying(day)
    entry = overrides.get(day)
    if entry is not None:
        return DayInfo(day, entry[0], DaySource.ADMIN, entry[1], underlying=working)
    return DayInfo(day, working, source, note)


def _working(day: datetime.date, overrides: dict) -> bool:
    entry = overrides.get(day)
    if entry is not None:
        return entry[0]
    if official_knows(day.year):
        return chinese_calendar.is_workday(day)
    return _is_weekday(day)


def _local_tz() -> zoneinfo.ZoneInfo:
    # Working days are days in China whatever time zone the viewer has activated.
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _as_date(day) -> datetime.date:
    if isinstance(day, datetime.datetime):
        if timezone.is_naive(day):
            raise ValueError(_naive_message(day))
        return day.astimezone(_local_tz()).date()
    if isinstance(day, datetime.date):
        return day
    raise TypeError(f"expected a date, got {type(day).__name__}: {day!r}")


def _naive_message(moment: datetime.datetime) -> str:
    return (
        f"{moment!r} has no time zone; pass an aware datetime "
        "(e.g. django.utils.timezone.now()) so the local day is unambiguous"
    )


def is_working_day(day: datetime.date) -> bool:
    """Whether ``day`` is a working day in China under the current calendar.

    An aware ``datetime`` is accepted and read as its day in Asia/Shanghai.
    """
    return _working(_as_date(day), _overrides())


def describe_day(day: datetime.date) -> DayInfo:
    """Whether ``day`` is worked, who decided it, and why (holiday name or admin note)."""
    return _describe(_as_date(day), _overrides())


# ---------------------------------------------------------------- deadlines and counts


def add_working_days(moment: datetime.datetime, n: int) -> datetime.datetime:
    """The moment ``n`` working days after ``moment``, in Asia/Shanghai.

    - ``moment`` on a working day: the same local time of day on the n-th working day after it
      (Friday 15:00 + 1 → Monday 15:00 in an ordinary week).
    - ``moment`` on a day off: it is first moved to 00:00 of the next working day, and n working
      days are added from there (Saturday 10:00 + 1 → Tuesday 00:00). A request filed at the
      weekend therefore gets the same full working days as one filed first thing on Monday.
    - ``n == 0``: the moment itself on a working day, else 00:00 of the next working day — the
      earliest moment the clock is running.

    ``n`` must be a non-negative int (ValueError / TypeError otherwise); ``moment`` must be aware.
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"n must be an int number of working days, got {type(n).__name__}: {n!r}")
    if n < 0:
        raise ValueError(
            f"n must be zero or more working days, got {n}; "
            "to look backwards use working_days_between"
        )
    if n > MAX_WORKING_DAYS:
        raise ValueError(f"n={n} working days is beyond the {MAX_WORKING_DAYS}-day limit")
    if not isinstance(moment, datetime.datetime):
        raise TypeError(f"moment must be a datetime, got {type(moment).__name__}: {moment!r}")
    if timezone.is_naive(moment):
        raise ValueError(_naive_message(moment))

    tz = _local_tz()
    local = moment.astimezone(tz)
    overrides = _overrides()
    day = local.date()
    time_of_day = local.time()
    if not _working(day, overrides):
        day = _next_working(day, overrides)
        time_of_day = datetime.time(0, 0)
    for _step in range(n):
        day = _next_working(day, overrides)
    return datetime.datetime.combine(day, time_of_day, tzinfo=tz)


def _next_working(day: datetime.date, overrides: dict) -> datetime.date:
    one = datetime.timedelta(days=1)
    day += one
    # Guard against an (impossible in practice) run of administrator holidays with no end.
    for _step in range(366 * 2):
        if _working(day, overrides):
            return day
        day += one
    raise ValueError(f"no working day within two years after {day - one * 366 * 2}")


def next_working_day(day: datetime.date) -> datetime.date:
    """The first working day after `day`."""
    return _next_working(day, _overrides())


def previous_working_day(day: datetime.date) -> datetime.date:
    """The last working day before `day` (within two years)."""
    overrides = _overrides()
    for back in range(1, 366 * 2):
        earlier = day - datetime.timedelta(days=back)
        if _working(earlier, overrides):
            return earlier
    raise ValueError(f"no working day within two years before {day}")


def shift_working_days(moment: datetime.datetime, n: int) -> datetime.datetime:
    """The same local time of day, on the working day `n` working days after (n > 0) or before
    (n < 0) the moment's own day, whether or not that day is a working day."""
    local = moment.astimezone(_local_tz())
    day = local.date()
    for _step in range(abs(n)):
        day = next_working_day(day) if n > 0 else previous_working_day(day)
    return datetime.datetime.combine(day, local.time(), tzinfo=local.tzinfo)


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """The number of working days after ``start`` up to and including ``end``.

    This is the count that ``add_working_days`` steps over: for a moment on a working day,
    ``working_days_between(m.date(), add_working_days(m, n).date()) == n``. When ``end`` is
    before ``start`` the result is negative (how many working days overdue); equal days give 0.
    Aware datetimes are read as their day in Asia/Shanghai.
    """
    start, end = _as_date(start), _as_date(end)
    if end < start:
        return -working_days_between(end, start)
    overrides = _overrides()
    count = 0
    day = start + datetime.timedelta(days=1)
    while day <= end:
        count += _working(day, overrides)
        day += datetime.timedelta(days=1)
    return count


# ---------------------------------------------------------------- for administrators


def local_today() -> datetime.date:
    return clock.now().astimezone(_local_tz()).date()


def years_needing_schedule(today: datetime.date | None = None) -> list[int]:
    """This year and next, where neither the package nor an administrator has the official
    schedule — holidays there are unknown and deadlines count weekends only. Shown as a warning
    to administrators until they enter the year and mark it entered."""
    today = today or local_today()
    candidates = [y for y in (today.year, today.year + 1) if not official_knows(y)]
    if not candidates:
        return []
    entered = set(
        CalendarYear.objects.filter(year__in=candidates, schedule_entered=True).values_list(
            "year", flat=True
        )
    )
    return [y for y in candidates if y not in entered]


def calendar_status(year: int) -> CalendarStatus:
    """Everything a calendar page needs for ``year``: where the schedule comes from, whether it
    still needs entering, and every day that differs from Monday–Friday or has an admin entry."""
    if isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= 9998:
        raise ValueError(f"year must be an int between 1 and 9998, got {year!r}")
    overrides = _overrides()
    entry = CalendarYear.objects.filter(year=year).first()
    entered = bool(entry and entry.schedule_entered)
    known = official_knows(year)
    special, working = [], 0
    day = datetime.date(year, 1, 1)
    while day.year == year:
        info = _describe(day, overrides)
        working += info.is_working_day
        if info.is_special:
            special.append(info)
        day += datetime.timedelta(days=1)
    return CalendarStatus(
        year=year,
        official_known=known,
        schedule_entered=entered,
        schedule_source=entry.source if entry else "",
        needs_schedule=not known and not entered,
        working_days=working,
        special_days=special,
    )
