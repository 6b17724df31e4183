"""Closing the loop: close, call back, rating and its review; merging duplicates and chasers."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import audit
from core import calendar as workcal
from core.clock import one_write
from core.validation import require_perm as _require
from services.models import OPEN_STATES, EventKind, Rating, ServiceRequest, State
from services.services import notices
from services.services.common import (
    _allow,
    _event,
    _locked,
    _moved,
    _notes,
    _now,
    _step,
    _text,
)
from services.services.dispatch import _handling_days
from services.services.notices import tell_department, tell_requester, tell_requester_kind


@one_write
def request_close(
    *, actor, request: ServiceRequest, note: str = "", internal_note: str = ""
) -> ServiceRequest:
    """办结: the dispatcher accepts the department's answer (``note`` for the resident,
    ``internal_note``, the 办结意见, for staff only)."""
    request = _step(actor, request, "services.dispatch", {State.ANSWERED}, _("办结"))
    note, internal_note = _notes(note, internal_note)
    request.state, request.closed_at = State.CLOSED, _now()
    _moved(
        actor, request, EventKind.CLOSE, "services.request_close", from_state=State.ANSWERED,
        fields=["state", "closed_at"], note=note, internal_note=internal_note,
    )  # fmt: skip
    tell_requester(request, _("已办结，请您评价"), note)
    return request


@one_write
def request_visit(
    *, actor, request: ServiceRequest, internal_note: str, note: str = ""
) -> ServiceRequest:
    """回访: the dispatcher calls the resident back after closure and records what they said
    (``internal_note``, staff only); ``note`` is an optional word for the resident."""
    request = _step(actor, request, "services.dispatch", {State.CLOSED}, _("回访"))
    internal_note = _text(internal_note, _("回访记录"), max_length=1000)
    note = _notes(note, "")[0]
    request.state, request.visited_at = State.VISITED, _now()
    _moved(
        actor, request, EventKind.VISIT, "services.request_visit", from_state=State.CLOSED,
        fields=["state", "visited_at"], note=note, internal_note=internal_note,
    )  # fmt: skip
    return request


@one_write
def request_rate(*, actor, request: ServiceRequest, rating: str, note: str = "") -> ServiceRequest:
    """评价: 满意 / 基本满意 close the loop; 不满意 goes to the dispatcher to check (核实)."""
    request = _step(
        actor, request, "services.rate", {State.CLOSED, State.VISITED}, _("评价"),
        _("只有诉求人或派单员可以评价。"),
    )  # fmt: skip
    if rating not in Rating.values:
        raise ValidationError(_("请选择评价：满意、基本满意或不满意。"))
    note = _text(note, _("评价说明"), required=rating == Rating.UNSATISFIED, max_length=500)
    from_state = request.state
    request.rating, request.rating_note, request.rated_at = rating, note, _now()
    request.state = State.DISPUTED if rating == Rating.UNSATISFIED else State.RATED
    _moved(
        actor, request, EventKind.RATE, "services.request_rate", from_state=from_state,
        fields=["rating", "rating_note", "rated_at", "state"], note=note,
        data={"rating": rating}, changes={"rating": rating},
    )  # fmt: skip
    return request


@one_write
def rating_review(
    *, actor, request: ServiceRequest, upheld: bool, internal_note: str, note: str = ""
) -> ServiceRequest:
    """核实 an unsatisfied rating. Upheld: 重办 — back to the lead department, new deadline.
    Not upheld: the rating stands and the request is finished. The 核实意见 (``internal_note``)
    is for staff only; ``note`` is what the resident is told."""
    request = _step(actor, request, "services.dispatch", {State.DISPUTED}, _("核实评价"))
    internal_note = _text(internal_note, _("核实意见"), max_length=1000)
    note = _notes(note, "")[0]
    now = _now()
    changes = {"upheld": upheld, "note": note, "internal_note": internal_note}
    if upheld:
        if request.lead_department_id is None:
            raise ValidationError(_("该诉求没有主办部门，不能重办。"))
        request.state, request.redo_count = State.HANDLING, request.redo_count + 1
        request.signed_at, request.dispatched_at = now, now
        request.due_at = workcal.add_working_days(now, _handling_days(request))
        request.answered_at = request.closed_at = request.visited_at = None
        request.warned_level = 0
        _moved(
            actor, request, EventKind.REVIEW_UPHELD, "services.rating_review",
            from_state=State.DISPUTED, fields=None, note=note, internal_note=internal_note,
            department=request.lead_department, changes=changes,
        )  # fmt: skip
        tell_department(request.lead_department, request, _("群众不满意，请重办"))
        tell_requester(request, _("已安排重办"), note)
    else:
        request.state = State.RATED
        _moved(
            actor, request, EventKind.REVIEW_DISMISSED, "services.rating_review",
            from_state=State.DISPUTED, fields=["state"], note=note, internal_note=internal_note,
            changes=changes,
        )  # fmt: skip
    return request


@one_write
def request_merge(
    *, actor, duplicate: ServiceRequest, into: ServiceRequest, note: str = "",
    internal_note: str = "",
) -> ServiceRequest:  # fmt: skip
    """并单: a duplicate joins an open request; its resident is told (``note``) and follows the
    main one. ``internal_note`` is for staff only."""
    if duplicate.pk == into.pk:
        raise ValidationError(_("不能把诉求并入它自己。"))
    first, second = sorted([duplicate, into], key=lambda r: r.pk)
    _locked(first), _locked(second)
    duplicate, into = _locked(duplicate), _locked(into)
    _require(actor, "services.dispatch", duplicate)
    _require(actor, "services.dispatch", into)
    _allow(duplicate, {State.SUBMITTED, State.ACCEPTED}, _("并单"))
    note, internal_note = _notes(note, internal_note)
    if into.state not in OPEN_STATES or into.merged_into_id:
        raise ValidationError(_("只能并入仍在办理中的诉求。"))
    if into.district_id != duplicate.district_id:
        raise ValidationError(_("不能跨区并单。"))
    from_state = duplicate.state
    duplicate.state, duplicate.merged_into, duplicate.closed_at = State.MERGED, into, _now()
    duplicate.save(update_fields=["state", "merged_into", "closed_at", "updated_at"])
    _event(
        duplicate, actor=actor, kind=EventKind.MERGE, from_state=from_state, note=note,
        internal_note=internal_note, data={"into": into.number},
    )  # fmt: skip
    _event(
        into,
        actor=actor,
        kind=EventKind.MERGED_IN,
        from_state=into.state,
        data={"from": duplicate.number},
        public=False,
    )
    tell_requester_kind(duplicate, "services.request_merged", into=into.number, note=note)
    notices.settle(duplicate)  # the duplicate is decided: its warnings are resolved
    audit.record(
        actor=actor, action="services.request_merge", obj=duplicate, changes={"into": into.number}
    )
    return duplicate


@one_write
def request_urge(*, actor, request: ServiceRequest, internal_note: str) -> ServiceRequest:
    """催办 by a dispatcher: a chaser to the lead department, before or after the deadline
    (staff only: the resident never sees it)."""
    request = _step(
        actor, request, "services.dispatch", {State.DISPATCHED, State.HANDLING}, _("催办")
    )
    note = _text(internal_note, _("催办意见"), max_length=500)
    _moved(
        actor, request, EventKind.URGE, "services.request_urge", from_state=request.state,
        internal_note=note, department=request.lead_department, public=False,
        changes={"note": note},
    )  # fmt: skip
    tell_department(request.lead_department, request, _("催办：") + note[:60])
    return request
