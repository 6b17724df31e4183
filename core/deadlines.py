"""Open deadlines follow the working-day calendar.

A deadline of "N working days" is computed once, when it is set. When an administrator later
changes a day — a holiday entered for next year, a make-up working Saturday — every open
deadline whose span holds that day is now a working day short (or long). This module moves
them: a working day that became a day off pushes each such deadline to the next working day
(same time of day); a day off that became a working day pulls it back to the previous one
(``core.calendar.shift_working_days``).

Apps register their deadlines here, as they register workbench cards (``register`` in their
``AppConfig.ready``): which objects are open, the field holding the deadline, the field holding
when it was set (the span begins there), and how the change is noted on the object's own
timeline. ``core.services.calendar_set_day`` calls ``follow_calendar_change`` in its
transaction, so the day and the deadlines change together or not at all.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet

from core import calendar as workcal


@dataclass(frozen=True)
class Deadline:
    label: str  # "services.request.due_at": shown in the audit event
    open_objects: Callable[[], QuerySet]
    due_field: str
    set_field: str  # when the deadline was set: a day before it is not in its span
    # Called for each object moved, inside the transaction: (obj, old due, new due, actor, day).
    noted: Callable[..., None] | None = None


DEADLINES: list[Deadline] = []


def register(label: str, open_objects, *, due: str, since: str, noted=None) -> None:
    """Follow the deadline in field `due` of the objects `open_objects()` returns, set at the
    moment in field `since`; `noted(obj, old, new, actor, day)` notes each move on the object."""
    if all(d.label != label for d in DEADLINES):
        DEADLINES.append(Deadline(label, open_objects, due, since, noted))


def follow_calendar_change(*, actor, day: datetime.date, became_working: bool) -> dict[str, list]:
    """Move every registered open deadline whose span holds `day`; {label: [ids moved]}.
    Call it inside the transaction that changed the day, after the change."""
    changed: dict[str, list] = {}
    for deadline in DEADLINES:
        due, since = deadline.due_field, deadline.set_field
        # A day gained must fall strictly before the deadline's day (that day is a working day
        # and stays one); a day lost may be the deadline's own day.
        after = {f"{due}__date__gt" if became_working else f"{due}__date__gte": day}
        rows = (
            deadline.open_objects()
            .select_for_update(of=("self",))
            .filter(**after, **{f"{since}__date__lt": day})
            .order_by("pk")
        )
        for obj in rows:
            old = getattr(obj, due)
            new = workcal.shift_working_days(old, -1 if became_working else 1)
            since_moment = getattr(obj, since)
            if new == old or (since_moment is not None and new <= since_moment):
                continue
            setattr(obj, due, new)
            obj.save(update_fields=[due])
            if deadline.noted is not None:
                deadline.noted(obj, old, new, actor, day)
            changed.setdefault(deadline.label, []).append(obj.pk)
    return changed
