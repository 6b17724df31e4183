"""The working-day calendar against the real official schedule and real administrator entries."""

import datetime
import zoneinfo

import chinese_calendar
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import calendar, services
from core.calendar import (
    DaySource,
    add_working_days,
    calendar_status,
    describe_day,
    is_working_day,
    working_days_between,
    years_needing_schedule,
)
from core.models import AuditEvent, CalendarDay
from core.testing import make_superuser

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
D = datetime.date


def at(y, m, d, hh=9, mm=30):
    return datetime.datetime(y, m, d, hh, mm, tzinfo=SH)


# The working-day sums are pure, but "today" defaults are not: run on each kind of day.
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.each_kind_of_day,
    pytest.mark.usefixtures("kind_of_day"),
]


@pytest.fixture
def root():
    return make_superuser()


# ---------------------------------------------------------------- the official schedule


def test_2026_national_day_golden_week_and_its_make_up_days():
    for day in range(1, 8):
        assert not is_working_day(D(2026, 10, day)), f"2026-10-0{day} is a National Day holiday"
    # The make-up working days the package carries for 2026's National Day: a Sunday before and
    # a Saturday after the week.
    make_up = sorted(
        d
        for d in chinese_calendar.workdays
        if d.year == 2026 and chinese_calendar.get_holiday_detail(d)[1] == "National Day"
    )
    assert make_up == [D(2026, 9, 20), D(2026, 10, 10)]
    assert [d.weekday() for d in make_up] == [6, 5]  # Sunday, Saturday
    for d in make_up:
        assert is_working_day(d)
        assert describe_day(d).note == "国庆节调休上班"
    assert is_working_day(D(2026, 10, 8))
    assert not is_working_day(D(2026, 10, 11))  # an ordinary Sunday
    info = describe_day(D(2026, 10, 1))
    assert (info.source, info.note, info.is_working_day) == (DaySource.OFFICIAL, "国庆节", False)


def test_2026_spring_festival():
    holidays = [D(2026, 2, 15) + datetime.timedelta(days=i) for i in range(9)]  # 15th–23rd
    assert all(not is_working_day(d) for d in holidays)
    assert D(2026, 2, 16).weekday() == 0  # a Monday off
    assert is_working_day(D(2026, 2, 14))  # Saturday worked
    assert is_working_day(D(2026, 2, 28))  # Saturday worked
    assert is_working_day(D(2026, 2, 24))
    # Friday 13 Feb 10:00 + 2 working days: Saturday 14th (make-up), then Tuesday 24th.
    assert add_working_days(at(2026, 2, 13, 10, 0), 2) == at(2026, 2, 24, 10, 0)
    assert working_days_between(D(2026, 2, 13), D(2026, 2, 24)) == 2


def test_deadline_across_golden_week():
    # Wednesday 30 Sept 16:00 + 3 working days → 8th, 9th, 10th (Saturday, make-up) → Sat 10 Oct.
    assert add_working_days(at(2026, 9, 30, 16, 0), 3) == at(2026, 10, 10, 16, 0)
    assert working_days_between(D(2026, 9, 30), D(2026, 10, 10)) == 3


# ---------------------------------------------------------------- administrator entries


def test_admin_override_makes_a_working_day_a_holiday_and_moves_deadlines(root):
    start = at(2026, 12, 1, 14, 0)  # Tuesday
    assert add_working_days(start, 2) == at(2026, 12, 3, 14, 0)
    assert is_working_day(D(2026, 12, 2))

    services.calendar_set_day(
        actor=root, date=D(2026, 12, 2), is_working_day=False, note="区域停电，放假一天"
    )

    assert not is_working_day(D(2026, 12, 2))
    assert add_working_days(start, 2) == at(2026, 12, 4, 14, 0)
    info = describe_day(D(2026, 12, 2))
    assert info.source == DaySource.ADMIN
    assert info.underlying is True and info.note == "区域停电，放假一天"
    assert AuditEvent.objects.filter(action="calendar.set_day").count() == 1

    # And back: an entry can also turn an official holiday into a working day.
    services.calendar_set_day(actor=root, date=D(2026, 12, 2), is_working_day=True)
    services.calendar_set_day(actor=root, date=D(2026, 10, 2), is_working_day=True, note="值班")
    assert add_working_days(start, 2) == at(2026, 12, 3, 14, 0)
    assert is_working_day(D(2026, 10, 2))
    assert describe_day(D(2026, 10, 2)).underlying is False


@pytest.mark.django_db(transaction=True)
def test_rows_changed_behind_the_services_back_are_seen():
    # Outside a transaction (as another process's commits look to this one) every call checks.
    assert is_working_day(D(2026, 12, 7))
    row = CalendarDay.objects.create(date=D(2026, 12, 7), is_working_day=False)
    assert not is_working_day(D(2026, 12, 7))
    # QuerySet.update does not touch updated_at; the stamp still notices the flipped flag.
    CalendarDay.objects.filter(pk=row.pk).update(is_working_day=True)
    assert is_working_day(D(2026, 12, 7))
    CalendarDay.objects.filter(pk=row.pk).delete()
    assert is_working_day(D(2026, 12, 7))


@pytest.mark.django_db(transaction=True)
def test_an_admins_change_is_seen_by_the_next_deadline_in_every_transaction(root):
    start = at(2026, 12, 1, 14, 0)  # Tuesday
    with transaction.atomic():  # e.g. a request being submitted: the calendar is checked once
        assert add_working_days(start, 2) == at(2026, 12, 3, 14, 0)
    # The administrator's change commits (another process, or this one) ...
    services.calendar_set_day(actor=root, date=D(2026, 12, 2), is_working_day=False)
    # ... and the next deadline, in the next transaction, counts it.
    with transaction.atomic():
        assert add_working_days(start, 2) == at(2026, 12, 4, 14, 0)
    # A change written behind the ORM's back by another process is seen the same way.
    CalendarDay.objects.filter(date=D(2026, 12, 2)).update(is_working_day=True)
    with transaction.atomic():
        assert add_working_days(start, 2) == at(2026, 12, 3, 14, 0)


def test_a_change_inside_the_transaction_is_seen_at_once_and_forgotten_on_rollback(root):
    start = at(2026, 12, 1, 14, 0)
    assert add_working_days(start, 2) == at(2026, 12, 3, 14, 0)  # checked for this transaction
    with pytest.raises(RuntimeError), transaction.atomic():
        services.calendar_set_day(actor=root, date=D(2026, 12, 2), is_working_day=False)
        assert add_working_days(start, 2) == at(2026, 12, 4, 14, 0)
        raise RuntimeError("rolled back")
    assert add_working_days(start, 2) == at(2026, 12, 3, 14, 0)
    # Rows changed by bulk_create inside the transaction need invalidate_cache, as documented.
    CalendarDay.objects.bulk_create([CalendarDay(date=D(2026, 12, 2), is_working_day=False)])
    calendar.invalidate_cache()
    assert add_working_days(start, 2) == at(2026, 12, 4, 14, 0)


def test_the_calendar_is_checked_once_per_transaction(root):
    # Saved through the ORM, not the service: the service reads the calendar itself (to move
    # open deadlines), which would already have checked the stamp in this transaction.
    CalendarDay.objects.create(date=D(2026, 12, 2), is_working_day=False)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        add_working_days(at(2026, 12, 1), 20)  # the stamp (and the rows, changed above)
        add_working_days(at(2026, 12, 1), 20)
        working_days_between(D(2026, 1, 1), D(2026, 12, 31))
    stamps = [q for q in queries if "COUNT" in q["sql"].upper()]
    assert len(stamps) == 1, [q["sql"] for q in queries]
    assert len(queries) == 2, [q["sql"] for q in queries]


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_each_call_checks_the_stamp_only(root):
    services.calendar_set_day(actor=root, date=D(2026, 12, 2), is_working_day=False)
    add_working_days(at(2026, 12, 1), 20)  # warm the copy
    with CaptureQueriesContext(connection) as queries:
        add_working_days(at(2026, 12, 1), 20)
        working_days_between(D(2026, 1, 1), D(2026, 12, 31))
    assert len(queries) == 2, [q["sql"] for q in queries]


# ---------------------------------------------------------------- years the package does not know


def test_unknown_year_falls_back_to_weekdays_and_never_raises():
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D(2027, 1, 4))  # the reason for the fallback
    assert D(2027, 1, 1).weekday() == 4
    assert is_working_day(D(2027, 1, 1))  # Friday: worked until the schedule is entered
    assert not is_working_day(D(2027, 1, 2))  # Saturday
    assert not is_working_day(D(2027, 1, 3))  # Sunday
    assert describe_day(D(2027, 1, 1)).source == DaySource.WEEKDAY
    assert is_working_day(D(1999, 10, 1))  # before the package's tables: the fallback too
    assert (
        working_days_between(D(2027, 1, 1), D(2027, 12, 31)) == 260
    )  # 261 weekdays but 1 Jan excluded


def test_deadline_crossing_into_an_unknown_year(root):
    # Monday 28 Dec 2026 + 10: 29, 30, 31 Dec (2026 has no holiday there), then weekdays of 2027.
    assert add_working_days(at(2026, 12, 28, 9, 0), 10) == at(2027, 1, 11, 9, 0)
    # Once an administrator enters New Year's Day 2027 as a holiday the deadline moves a day.
    services.calendar_set_day(actor=root, date=D(2027, 1, 1), is_working_day=False, note="元旦")
    assert add_working_days(at(2026, 12, 28, 9, 0), 10) == at(2027, 1, 12, 9, 0)
    assert working_days_between(D(2026, 12, 28), D(2027, 1, 12)) == 10


def test_years_needing_schedule(root):
    today = D(2026, 11, 27)
    assert years_needing_schedule(today) == [2027]
    assert years_needing_schedule(D(2026, 3, 1)) == [2027]
    assert years_needing_schedule(D(2025, 6, 1)) == []  # 2025 and 2026 are both in the package
    assert years_needing_schedule(D(2027, 6, 1)) == [2027, 2028]
    services.calendar_mark_year_entered(actor=root, year=2027, source="国办发明电〔2026〕X号")
    assert years_needing_schedule(today) == []
    assert years_needing_schedule(D(2027, 6, 1)) == [2028]
    assert isinstance(years_needing_schedule(), list)  # default: today in Asia/Shanghai


def test_calendar_status_for_the_admin_page(root):
    status = calendar_status(2026)
    assert status.official_known and not status.needs_schedule
    by_day = {d.date: d for d in status.special_days}
    assert by_day[D(2026, 10, 1)].source == DaySource.OFFICIAL
    assert by_day[D(2026, 9, 20)].is_working_day  # make-up Sunday
    assert D(2026, 10, 11) not in by_day  # ordinary Sunday is not special
    assert status.working_days == sum(
        chinese_calendar.is_workday(D(2026, 1, 1) + datetime.timedelta(days=i)) for i in range(365)
    )

    s2027 = calendar_status(2027)
    assert s2027.needs_schedule and not s2027.official_known and s2027.special_days == []
    services.calendar_set_day(actor=root, date=D(2027, 1, 1), is_working_day=False, note="元旦")
    services.calendar_mark_year_entered(actor=root, year=2027, source="国办发明电")
    s2027 = calendar_status(2027)
    assert not s2027.needs_schedule and s2027.schedule_source == "国办发明电"
    assert [(d.date, d.source, d.note) for d in s2027.special_days] == [
        (D(2027, 1, 1), DaySource.ADMIN, "元旦")
    ]
    assert s2027.working_days == 261 - 1  # 261 weekdays in 2027, less New Year
    assert DaySource.ADMIN.label == "管理员录入"


# ---------------------------------------------------------------- n = 0, days off, bad input


def test_zero_days_and_starts_on_a_day_off():
    monday = at(2026, 11, 30, 11, 15)
    assert add_working_days(monday, 0) == monday
    saturday = at(2026, 11, 28, 10, 0)
    assert add_working_days(saturday, 0) == at(2026, 11, 30, 0, 0)
    assert add_working_days(saturday, 1) == at(2026, 12, 1, 0, 0)
    # Another time zone in, Shanghai out: 2026-11-27 20:00 UTC is Saturday 04:00 in Shanghai.
    utc = datetime.datetime(2026, 11, 27, 20, 0, tzinfo=datetime.UTC)
    assert add_working_days(utc, 0) == at(2026, 11, 30, 0, 0)
    assert add_working_days(at(2026, 11, 27, 23, 59), 1).tzinfo == SH


def test_invalid_input_is_refused_clearly():
    with pytest.raises(ValueError, match="zero or more"):
        add_working_days(at(2026, 11, 27), -1)
    with pytest.raises(TypeError, match="int"):
        add_working_days(at(2026, 11, 27), 1.5)
    with pytest.raises(TypeError):
        add_working_days(at(2026, 11, 27), True)
    with pytest.raises(ValueError, match="time zone"):
        add_working_days(datetime.datetime(2026, 11, 27, 9, 0), 1)
    with pytest.raises(TypeError, match="datetime"):
        add_working_days(D(2026, 11, 27), 1)
    with pytest.raises(ValueError, match="limit"):
        add_working_days(at(2026, 11, 27), calendar.MAX_WORKING_DAYS + 1)
    with pytest.raises(TypeError):
        is_working_day("2026-11-27")
    with pytest.raises(ValueError):
        calendar_status(0)


def test_between_is_signed_and_exclusive_of_the_start():
    assert working_days_between(D(2026, 11, 27), D(2026, 11, 27)) == 0
    assert working_days_between(D(2026, 11, 27), D(2026, 11, 30)) == 1  # Fri → Mon
    assert working_days_between(D(2026, 11, 30), D(2026, 11, 27)) == -1


# ---------------------------------------------------------------- properties

moments = st.datetimes(
    min_value=datetime.datetime(2025, 1, 1), max_value=datetime.datetime(2028, 6, 30)
).map(lambda m: m.replace(tzinfo=SH))
override_days = st.dictionaries(
    st.dates(min_value=D(2025, 12, 1), max_value=D(2027, 3, 31)), st.booleans(), max_size=8
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(moment=moments, n=st.integers(min_value=0, max_value=40), entries=override_days)
def test_add_working_days_lands_on_a_working_day_and_agrees_with_between(moment, n, entries):
    CalendarDay.objects.all().delete()
    CalendarDay.objects.bulk_create(
        CalendarDay(date=d, is_working_day=w) for d, w in entries.items()
    )
    calendar.invalidate_cache()  # bulk_create sends no signal; the test runs in one transaction
    result = add_working_days(moment, n)
    assert is_working_day(result.date())
    assert result >= moment
    started = add_working_days(moment, 0)  # the moment, or the start of the next working day
    assert working_days_between(started.date(), result.date()) == n
    if n:
        assert add_working_days(moment, n - 1) < result
    if is_working_day(moment):
        assert result.time() == moment.time()
