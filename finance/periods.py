"""Disclosure periods: whole months, a quarter starting in January, April, July or October."""

import datetime

from django.utils.translation import gettext as _

from finance.models import Cadence

MONTHS = {Cadence.MONTHLY: 1, Cadence.QUARTERLY: 3}


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def period_end(start: datetime.date, cadence: str) -> datetime.date:
    return add_months(start, MONTHS[cadence]) - datetime.timedelta(days=1)


def is_period_start(start: datetime.date, cadence: str) -> bool:
    return start.day == 1 and (start.month - 1) % MONTHS[cadence] == 0


def period_containing(day: datetime.date, cadence: str) -> datetime.date:
    month = day.month - (day.month - 1) % MONTHS[cadence]
    return datetime.date(day.year, month, 1)


def months_between(first: datetime.date, end: datetime.date) -> list[datetime.date]:
    """First days of the months from ``first``'s month up to, not including, ``end``'s."""
    months, month = [], first.replace(day=1)
    while month < end.replace(day=1):
        months.append(month)
        month = add_months(month, 1)
    return months


def label(start: datetime.date, cadence: str) -> str:
    """How a notice names its period: 2026年第3季度, 2026年7月 (in the reader's language)."""
    if cadence == Cadence.QUARTERLY:
        return _("%(year)d年第%(q)d季度") % {"year": start.year, "q": (start.month - 1) // 3 + 1}
    return _("%(year)d年%(month)d月") % {"year": start.year, "month": start.month}
