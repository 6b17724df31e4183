"""The working-day calendar: days set by hand, years marked as entered."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import audit, deadlines
from core import calendar as workcal
from core.clock import one_write
from core.models import (
    CalendarDay,
    CalendarYear,
)
from core.validation import require_perm as _require

# ---------------------------------------------------------------- calendar


@one_write
def calendar_set_day(
    *, actor, date: datetime.date, is_working_day: bool, note: str = ""
) -> CalendarDay:
    """Enter one day of the official schedule, or a local override. A day that stops or starts
    being a working day moves the open deadlines whose span holds it (core.deadlines)."""
    _require(actor, "core.manage_calendar")
    was_working = workcal.is_working_day(date)
    day, created = CalendarDay.objects.select_for_update().get_or_create(
        date=date, defaults={"is_working_day": is_working_day, "note": note[:100]}
    )
    old = None if created else [day.is_working_day, day.note]
    if not created:
        day.is_working_day, day.note = is_working_day, note[:100]
        day.save()
    moved = {}
    if workcal.is_working_day(date) != was_working:
        moved = deadlines.follow_calendar_change(
            actor=actor, day=date, became_working=is_working_day
        )
    audit.record(
        actor=actor,
        action="calendar.set_day",
        obj=day,
        changes={"date": str(date), "was": old, "now": [is_working_day, note],
                 "deadlines_moved": {label: ids[:200] for label, ids in moved.items()}},
    )  # fmt: skip
    return day


@one_write
def calendar_mark_year_entered(*, actor, year: int, source: str) -> CalendarYear:
    """Declare that the official schedule for `year` has been entered, ending the weekday fallback."""
    _require(actor, "core.manage_calendar")
    source = (source or "").strip()
    if not source:
        raise ValidationError(_("请注明依据（如国务院办公厅关于节假日安排的通知文号）。"))
    if not 2000 <= int(year) <= 2100:
        raise ValidationError(_("年份超出范围。"))
    entry, _created = CalendarYear.objects.update_or_create(
        year=year, defaults={"schedule_entered": True, "source": source[:200]}
    )
    audit.record(
        actor=actor,
        action="calendar.year_entered",
        obj=entry,
        changes={"year": year, "source": source},
    )
    from notify import services as notify

    notify.resolve(subject=f"core.calendar:{year}")  # the "please enter" notices are settled
    return entry
