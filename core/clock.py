"""One reading of the clock per write.

A write that stamps several things (a task's ``created_at``, its ``due_at`` reckoned in working
days, its trace, its audit event, the month it counts in) must stamp them all from the same
moment. Read twice, the clock can straddle midnight, a month's end or the start of a working day,
and the write then disagrees with itself: a deadline ten working days after "now" is not ten
working days after the ``created_at`` written microseconds later.

So a service runs inside ``one_write`` (a transaction that also pins the moment), reads the time
with ``clock.now()``, and the models stamp ``created_at``/``updated_at`` through ``MomentField``,
which takes the same pinned moment. A write nested in another (a service calling a service) shares
the outer one's moment. Outside any write, ``now()`` is simply the clock.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
from contextvars import ContextVar

from django.db import models, transaction
from django.utils import timezone

_moment: ContextVar[datetime.datetime | None] = ContextVar("linli_write_moment", default=None)


def now() -> datetime.datetime:
    """The moment of the write under way (aware, UTC), or the clock when no write is."""
    return _moment.get() or timezone.now()


def local_now() -> datetime.datetime:
    """``now()`` in the local time zone (Beijing time)."""
    return timezone.localtime(now())


def today() -> datetime.date:
    """The local (Beijing) date of ``now()``."""
    return local_now().date()


def shown(moment: datetime.datetime | datetime.date | None, fmt: str = "%m-%d %H:%M") -> str:
    """A moment as people read it: in Beijing time, formatted by ``fmt`` (strftime).

    Every moment Python formats for people (a workbench card, a notification's text, an export,
    a model's ``__str__``) goes through here: the database hands back moments in UTC, and
    ``strftime`` on one of those shows a time eight hours early and, after 16:00 UTC, the day
    before. (Templates need nothing: Django's ``|date`` converts to the current time zone.)
    A date has no time zone and is shown as it is; ``None`` is shown as "".
    """
    if moment is None:
        return ""
    if isinstance(moment, datetime.datetime):
        if timezone.is_naive(moment):
            raise ValueError("a moment shown to people must be timezone-aware")
        moment = timezone.localtime(moment)
    return moment.strftime(fmt)


@contextlib.contextmanager
def moment(at: datetime.datetime | None = None):
    """Pin the moment for everything inside; a moment already pinned by an outer write stays."""
    pinned = _moment.get()
    if pinned is not None:
        yield pinned
        return
    if at is not None and timezone.is_naive(at):
        raise ValueError("a write's moment must be timezone-aware")
    token = _moment.set(at or timezone.now())
    try:
        yield _moment.get()
    finally:
        _moment.reset(token)


def one_write(func):
    """Decorate a service: one transaction and one moment for all it writes."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with moment(), transaction.atomic():
            return func(*args, **kwargs)

    return wrapper


class MomentField(models.DateTimeField):
    """A ``DateTimeField`` whose ``auto_now``/``auto_now_add`` stamp is the write's moment.

    It stores exactly what ``DateTimeField`` stores, so it deconstructs as one: migrations see no
    change, and the column is the same on every database.
    """

    def pre_save(self, model_instance, add):
        if self.auto_now or (self.auto_now_add and add):
            value = now()
            setattr(model_instance, self.attname, value)
            return value
        return super().pre_save(model_instance, add)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DateTimeField", args, kwargs
