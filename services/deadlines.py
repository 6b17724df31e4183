"""The request deadlines that follow the working-day calendar (core.deadlines): the acceptance
deadline of a request not yet accepted, the handling deadline of one dispatched or in hand. Each
move is a public step on the request's timeline, so the resident sees the new date and why."""

from functools import partial

from django.utils.translation import gettext as _

from core import clock, deadlines
from services.models import EventKind, ServiceRequest, State
from services.services.common import _event


def _noted(what: str, request, old, new, actor, day) -> None:
    note = (
        _("%(day)s调整为休息日，%(what)s由%(old)s顺延至%(new)s")
        if new > old
        else _("%(day)s调整为工作日，%(what)s由%(old)s提前至%(new)s")
    ) % {"day": day.isoformat(), "what": what, "old": clock.shown(old), "new": clock.shown(new)}
    _event(request, actor=actor, kind=EventKind.DEADLINE, note=note,
           data={"field": what, "old": old.isoformat(), "new": new.isoformat()})  # fmt: skip


# Not yet accepted: the acceptance deadline; dispatched or in hand: the handling deadline.
HANDLED = [State.DISPATCHED, State.HANDLING]
deadlines.register(
    "services.request.accept_due",
    lambda: ServiceRequest.objects.filter(state=State.SUBMITTED),
    due="accept_due", since="created_at", noted=partial(_noted, _("受理期限")),
)  # fmt: skip
deadlines.register(
    "services.request.due_at",
    lambda: ServiceRequest.objects.filter(state__in=HANDLED, due_at__isnull=False),
    due="due_at", since="dispatched_at", noted=partial(_noted, _("办理期限")),
)  # fmt: skip
