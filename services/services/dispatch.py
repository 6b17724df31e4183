"""The dispatcher's steps: accept or reject, dispatch, redispatch."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import calendar as workcal
from core.clock import one_write
from core.models import Department
from services.models import Application, EventKind, Level, ServiceRequest, State
from services.services.common import (
    DEFAULT_DEADLINE_DAYS,
    _check_departments,
    _moved,
    _notes,
    _now,
    _step,
    _text,
)
from services.services.notices import tell_department, tell_requester


@one_write
def request_accept(
    *, actor, request: ServiceRequest, note: str = "", internal_note: str = ""
) -> ServiceRequest:
    """受理: ``note`` is told to the resident, ``internal_note`` (派单说明) is for staff only."""
    request = _step(actor, request, "services.dispatch", {State.SUBMITTED}, _("受理"))
    note, internal_note = _notes(note, internal_note)
    request.state, request.accepted_at = State.ACCEPTED, _now()
    _moved(
        actor, request, EventKind.ACCEPT, "services.request_accept", from_state=State.SUBMITTED,
        fields=["state", "accepted_at"], note=note, internal_note=internal_note,
    )  # fmt: skip
    tell_requester(request, _("已受理"), note)
    return request


@one_write
def request_reject(
    *, actor, request: ServiceRequest, reason: str, internal_note: str = ""
) -> ServiceRequest:
    """不予受理: the ``reason`` is told to the resident; ``internal_note`` is for staff only."""
    request = _step(actor, request, "services.dispatch", {State.SUBMITTED}, _("不予受理"))
    reason = _text(reason, _("不予受理的理由"), max_length=500)
    internal_note = _notes("", internal_note)[1]
    request.state, request.closed_at = State.REJECTED, _now()
    _moved(
        actor, request, EventKind.REJECT, "services.request_reject", from_state=State.SUBMITTED,
        fields=["state", "closed_at"], note=reason, internal_note=internal_note,
        changes={"reason": reason},
    )  # fmt: skip
    tell_requester(request, _("不予受理"), reason)
    return request


@one_write
def request_accept_dispatch(
    *, actor, request: ServiceRequest, department: Department, co_departments=(), note: str = "",
    internal_note: str = "",
) -> ServiceRequest:  # fmt: skip
    """受理并派单: accept and dispatch in one go — both steps or neither."""
    accepted = request_accept(actor=actor, request=request, note=note, internal_note=internal_note)
    return request_dispatch(
        actor=actor, request=accepted, department=department, co_departments=co_departments
    )


def _handling_days(request: ServiceRequest) -> int:
    if request.item_id:
        return request.item.deadline_days
    return DEFAULT_DEADLINE_DAYS.get(request.category, 3)


def _check_dispatch(request, department, co_departments) -> list[Department]:
    return _check_departments(
        request.district_id, department, co_departments,
        lead_refusal=_("请选择本区有效的主办部门。"),
    )  # fmt: skip


def _hand_to(request: ServiceRequest, department: Department, now) -> None:
    """The request goes (again) to ``department`` to sign; the handling deadline starts now."""
    request.state, request.lead_department, request.dispatched_at = (
        State.DISPATCHED,
        department,
        now,
    )
    request.signed_at, request.level = None, Level.DEPARTMENT  # a department leads it now
    request.due_at = workcal.add_working_days(now, _handling_days(request))
    request.warned_level = 0


@one_write
def request_dispatch(
    *, actor, request: ServiceRequest, department: Department, co_departments=(), note: str = "",
    internal_note: str = "",
) -> ServiceRequest:  # fmt: skip
    """派单: lead and co-handling departments; the handling deadline starts now. ``note`` is
    for the resident, ``internal_note`` (派单说明) for staff only."""
    request = _step(actor, request, "services.dispatch", {State.ACCEPTED}, _("派单"))
    note, internal_note = _notes(note, internal_note)
    co = _check_dispatch(request, department, co_departments)
    now = _now()
    _hand_to(request, department, now)
    request.save()
    request.co_departments.set(co)
    _moved(
        actor, request, EventKind.DISPATCH, "services.request_dispatch",
        from_state=State.ACCEPTED, note=note, internal_note=internal_note, department=department,
        data={"co": [d.name for d in co], "due_at": request.due_at.isoformat()},
        changes={"lead": department.name, "co": [d.name for d in co], "due_at": request.due_at},
    )  # fmt: skip
    tell_department(department, request, _("新派单，请签收"))
    for other in co:
        tell_department(other, request, _("协办派单"))
    return request


@one_write
def request_redispatch(
    *, actor, request: ServiceRequest, department: Department, co_departments=(), reason: str,
    note: str = "",
) -> ServiceRequest:  # fmt: skip
    """转办 / 改派: to another lead department; the deadline restarts from now. The ``reason``
    is for staff only; ``note`` (optional) is for the resident."""
    request = _step(
        actor, request, "services.dispatch", {State.DISPATCHED, State.HANDLING}, _("改派")
    )
    reason = _text(reason, _("改派理由"), max_length=500)
    note = _notes(note, "")[0]
    co = _check_dispatch(request, department, co_departments)
    if department.pk == request.lead_department_id:
        raise ValidationError(_("改派的部门与当前主办部门相同。"))
    old, from_state = request.lead_department, request.state
    now = _now()
    _hand_to(request, department, now)
    request.save()
    request.co_departments.set(co)
    Application.objects.filter(request=request, status=Application.Status.PENDING).update(
        status=Application.Status.REFUSED, decided_by=actor, decided_at=now,
        decision_note=_("已改派"),
    )  # fmt: skip
    _moved(
        actor, request, EventKind.REDISPATCH, "services.request_redispatch",
        from_state=from_state, note=note, internal_note=reason, department=department,
        data={"from": old.name if old else ""},
        changes={"lead": [old.name if old else "", department.name], "reason": reason},
    )  # fmt: skip
    tell_department(department, request, _("改派给您，请签收"))
    return request
