"""The department's steps: sign, progress notes, the answer."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.clock import one_write
from services.models import EventKind, RequestEvent, ServiceRequest, State
from services.policies import officer_departments
from services.services.answers import clean_photo
from services.services.common import _moved, _notes, _now, _step, _text
from services.services.notices import tell_requester


@one_write
def request_sign(*, actor, request: ServiceRequest) -> ServiceRequest:
    """签收: the lead department takes the request and starts handling it."""
    request = _step(
        actor, request, "services.handle", {State.DISPATCHED}, _("签收"),
        _("只有主办部门可以签收。"),
    )  # fmt: skip
    request.state, request.signed_at = State.HANDLING, _now()
    _moved(
        actor, request, EventKind.SIGN, "services.request_sign", from_state=State.DISPATCHED,
        fields=["state", "signed_at"], department=request.lead_department,
    )  # fmt: skip
    tell_requester(request, _("部门已签收，正在办理"))
    return request


@one_write
def request_note(
    *, actor, request: ServiceRequest, note: str = "", internal_note: str = ""
) -> RequestEvent:
    """A progress note by the lead or a co-handling department: ``note`` for the resident,
    ``internal_note`` for staff only (one of them at least). With only an internal note the
    step itself is internal."""
    request = _step(
        actor, request, "services.note", {State.DISPATCHED, State.HANDLING}, _("填写办理进展")
    )
    note, internal_note = _notes(note, internal_note, max_length=2000)
    if not (note or internal_note):
        raise ValidationError(_("请填写办理进展：给居民的说明或内部说明，至少一项。"))
    mine = officer_departments(actor)
    department = (
        request.lead_department
        if request.lead_department_id in mine
        else request.co_departments.filter(pk__in=mine).first()
    )
    return _moved(
        actor, request, EventKind.PROGRESS, "services.request_note", from_state=request.state,
        note=note, internal_note=internal_note, department=department, public=bool(note),
    )  # fmt: skip


@one_write
def request_answer(*, actor, request: ServiceRequest, answer: str, photo=None) -> ServiceRequest:
    """答复: the lead department's answer to the resident (or the grid's, community's or
    street's, where the request is handled), with a photo of the place if any."""
    request = _step(
        actor, request, "services.handle", {State.HANDLING}, _("答复"), _("只有主办部门可以答复。")
    )
    request.answer = _text(answer, _("答复内容"), max_length=4000)
    photo = clean_photo(photo)  # checked before anything is written
    request.state, request.answered_at = State.ANSWERED, _now()
    late = request.due_at is not None and request.answered_at > request.due_at
    event = _moved(
        actor, request, EventKind.ANSWER, "services.request_answer", from_state=State.HANDLING,
        fields=["state", "answer", "answered_at"], note=request.answer,
        department=request.lead_department, data={"late": late, "level": request.level},
        changes={"late": late},
    )  # fmt: skip
    if photo is not None:
        event.photo = photo
        event.save(update_fields=["photo"])
    tell_requester(request, _("部门已答复"), request.answer)
    return request
