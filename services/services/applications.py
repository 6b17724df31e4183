"""What a department asks of the dispatcher (an objection, a return, an extension) and the decision."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import audit
from core import calendar as workcal
from core.clock import one_write
from core.models import Department
from core.validation import require_perm as _require
from services.models import Application, EventKind, Level, ServiceRequest, State
from services.services.common import (
    MAX_EXTENSION_DAYS,
    OBJECTION_DAYS,
    _allow,
    _days,
    _event,
    _locked,
    _notes,
    _now,
    _step,
    _text,
)
from services.services.dispatch import _check_dispatch, _hand_to
from services.services.notices import tell_department, tell_requester_kind


def _by_a_department(request: ServiceRequest) -> ServiceRequest:
    """Returns, extensions and objections are a department's; a grid, community or street that
    cannot settle a request sends it up a level instead (services.services.levels)."""
    if request.level != Level.DEPARTMENT:
        raise ValidationError(
            _("属地处置的诉求不能申请退单、延期或提出派单异议；处置不了的请上报上一级。"),
            code="bad_state",
        )
    return request


@one_write
def return_ask(*, actor, request: ServiceRequest, reason: str) -> Application:
    """退单: the lead department says the request is not theirs; the dispatcher decides."""
    request = _step(
        actor, request, "services.handle", {State.DISPATCHED, State.HANDLING}, _("申请退单"),
        _("只有主办部门可以申请退单。"),
    )  # fmt: skip
    _by_a_department(request)
    return _apply(actor, request, Application.Kind.RETURN, reason=reason)


@one_write
def extension_ask(*, actor, request: ServiceRequest, days: int, reason: str) -> Application:
    """延期: asked before the deadline, for 1–30 working days; the dispatcher decides."""
    request = _step(
        actor, request, "services.handle", {State.DISPATCHED, State.HANDLING}, _("申请延期"),
        _("只有主办部门可以申请延期。"),
    )  # fmt: skip
    _by_a_department(request)
    if request.due_at and _now() >= request.due_at:
        raise ValidationError(_("已超过办理期限，不能再申请延期；请尽快办理。"), code="too_late")
    days = _days(days, _("延期工作日"), 1, MAX_EXTENSION_DAYS)
    return _apply(actor, request, Application.Kind.EXTEND, reason=reason, days=days)


@one_write
def dispatch_object(
    *, actor, request: ServiceRequest, reason: str, suggested_department: Department | None = None
) -> Application:
    """派单异议: the lead department, before signing and within ``OBJECTION_DAYS`` working day of
    the dispatch, says the request is outside its duties — with the basis, and optionally the
    department it believes responsible. The dispatcher decides: upheld, the request is
    redispatched and its deadline restarts; not upheld, the department signs and handles it with
    the deadline unchanged. (After signing, a department that cannot handle it asks for 退单.)"""
    request = _step(
        actor, request, "services.handle", {State.DISPATCHED}, _("提出派单异议（签收后请申请退单）"),
        _("只有主办部门可以提出派单异议。"),
    )  # fmt: skip
    _by_a_department(request)
    if request.dispatched_at and _now() > workcal.add_working_days(
        request.dispatched_at, OBJECTION_DAYS
    ):
        raise ValidationError(
            _(
                "派单异议应在派单后%(days)s个工作日内提出，已超时；请签收办理，确属无法办理的申请退单。"
            ),
            params={"days": OBJECTION_DAYS},
            code="too_late",
        )
    if suggested_department is not None:
        if (
            suggested_department.district_id != request.district_id
            or not suggested_department.is_active
        ):
            raise ValidationError(_("建议的承办部门应为本区有效的职能部门。"))
        if suggested_department.pk == request.lead_department_id:
            raise ValidationError(_("建议的承办部门不能是本部门。"))
    return _apply(
        actor, request, Application.Kind.OBJECT, reason=reason, suggested=suggested_department
    )


ASK_EVENTS = {
    Application.Kind.OBJECT: EventKind.OBJECT_ASK,
    Application.Kind.RETURN: EventKind.RETURN_ASK,
    Application.Kind.EXTEND: EventKind.EXTEND_ASK,
}


def _apply(actor, request, kind, *, reason, days=None, suggested=None) -> Application:
    reason = _text(reason, _("理由"), max_length=1000)
    # An objection and a return ask the same question (who handles it): one at a time.
    same = (
        [kind]
        if kind == Application.Kind.EXTEND
        else [Application.Kind.OBJECT, Application.Kind.RETURN]
    )
    if Application.objects.filter(
        request=request, kind__in=same, status=Application.Status.PENDING
    ).exists():
        raise ValidationError(_("已有一份待审核的申请。"))
    application = Application.objects.create(
        request=request, district_id=request.district_id, kind=kind, department=request.lead_department,
        reason=reason, days=days, suggested_department=suggested, requested_by=actor,
    )  # fmt: skip
    data = {"days": days} if days else {}
    if suggested is not None:
        data["suggested"] = suggested.name
    _event(
        request, actor=actor, kind=ASK_EVENTS[kind], from_state=request.state,
        internal_note=reason, department=request.lead_department, data=data, public=False,
    )  # fmt: skip
    audit.record(
        actor=actor, action=f"services.{kind}_ask", obj=request,
        changes={"reason": reason, "days": days, "suggested": suggested.name if suggested else ""},
    )  # fmt: skip
    return application


@one_write
def application_decide(
    *,
    actor,
    application: Application,
    approve: bool,
    note: str = "",
    internal_note: str = "",
    department: Department | None = None,
) -> Application:
    """The dispatcher approves or refuses an objection, a return or an extension: the 审核意见
    (``internal_note``, required to refuse) is for staff only; ``note`` is what the resident
    is told of an approved objection or extension.

    Objection upheld: redispatched to ``department`` (by default the one the objecting department
    suggested), the handling deadline restarts. Objection refused: the department must sign it.
    Return approved: the request goes back to the dispatch queue (待派单) without a lead.
    Extension approved: the deadline moves by the days asked, on the working-day calendar, and
    the resident is told."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    request = _locked(application.request)
    _require(actor, "services.dispatch", request)
    if application.status != Application.Status.PENDING:
        raise ValidationError(_("该申请已经审核过了。"))
    internal_note = _text(internal_note, _("审核意见"), required=not approve, max_length=1000)
    public = approve and application.kind != Application.Kind.RETURN
    note = _notes(note, "")[0] if public else ""
    now = _now()
    application.status = Application.Status.APPROVED if approve else Application.Status.REFUSED
    application.decided_by, application.decided_at = actor, now
    application.decision_note = internal_note
    application.save()
    from_state = request.state
    data = {}
    if application.kind == Application.Kind.OBJECT:
        if approve:
            _allow(request, {State.DISPATCHED}, _("改派"))
            target = department or application.suggested_department
            if target is None:
                raise ValidationError(_("异议成立时请选择改派的部门。"))
            _check_dispatch(request, target, [])
            if target.pk == request.lead_department_id:
                raise ValidationError(_("改派的部门与当前主办部门相同。"))
            data = {"from": application.department.name, "to": target.name}
            _hand_to(request, target, now)
            request.save()
            request.co_departments.remove(target)
            tell_department(target, request, _("改派给您，请签收"))
        kind = EventKind.OBJECT_OK if approve else EventKind.OBJECT_NO
    elif application.kind == Application.Kind.RETURN:
        if approve:
            _allow(request, {State.DISPATCHED, State.HANDLING}, _("退单"))
            request.state, request.lead_department = State.ACCEPTED, None
            request.due_at, request.signed_at, request.warned_level = None, None, 0
            request.save()
            request.co_departments.clear()
        kind = EventKind.RETURN_OK if approve else EventKind.RETURN_NO
    else:
        if approve:
            _allow(request, {State.DISPATCHED, State.HANDLING}, _("延期"))
            request.due_at = workcal.add_working_days(request.due_at or now, application.days)
            request.warned_level = 0
            request.save(update_fields=["due_at", "warned_level", "updated_at"])
            tell_requester_kind(
                request, "services.request_extended", due=request.due_at,
                note=note,  # never the department's reason: that is internal
            )  # fmt: skip
        kind = EventKind.EXTEND_OK if approve else EventKind.EXTEND_NO
    if request.due_at:
        data["due_at"] = request.due_at.isoformat()
    _event(
        request, actor=actor, kind=kind, from_state=from_state, note=note,
        internal_note=internal_note,
        department=request.lead_department if kind == EventKind.OBJECT_OK else application.department,
        data=data, public=public,
    )  # fmt: skip
    tell_department(application.department, request, str(EventKind(kind).label))
    audit.record(
        actor=actor, action=f"services.{application.kind}_decide", obj=request,
        changes={"approve": approve, "note": internal_note, **data},
    )  # fmt: skip
    return application
