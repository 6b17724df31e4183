"""What every write of the services app shares: the deadlines, text checks, the clock, and how a
step on one request starts and ends (lock, permission, state; save, timeline event, audit event).
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import audit, clock
from core.models import Department
from core.validation import clean_int, clean_text
from core.validation import require_perm as _require
from services.models import Category, RequestEvent, ServiceRequest

# Default handling deadlines in working days by class (a Jiangsu rulebook: enquiries and help
# 3 working days, complaints and suggestions 13).
DEFAULT_DEADLINE_DAYS = {
    Category.ENQUIRY: 3,
    Category.HELP: 3,
    Category.COMPLAINT: 13,
    Category.REPORT: 13,
    Category.SUGGESTION: 13,
    Category.PRAISE: 3,
}
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_EXTENSION_DAYS = 30
# 派单异议 is raised before signing and within this many working days of the dispatch.
OBJECTION_DAYS = 1


def _text(value, label: str, *, required: bool = True, max_length: int = 4000) -> str:
    return clean_text((value or "").replace("\x00", ""), label, required=required, limit=max_length)


def _notes(note, internal_note, *, max_length: int = 1000) -> tuple[str, str]:
    """An optional note for the resident and an optional internal one, checked."""
    return (
        _text(note, _("给居民的说明"), required=False, max_length=max_length),
        _text(internal_note, _("内部说明"), required=False, max_length=max_length),
    )


def _now() -> datetime.datetime:
    return clock.now()


_days = clean_int


def _check_departments(district_id: int, lead, co, *, lead_refusal) -> list[Department]:
    """A lead department of the district, active (else ``lead_refusal``), and co-handling ones
    of the district other than the lead. Returns the co-handling departments as a list."""
    if lead is None or lead.district_id != district_id or not lead.is_active:
        raise ValidationError(lead_refusal)
    if lead.is_street_office:  # a street office is a level of handling, not a department
        raise ValidationError(_("街道办事处不是职能部门，不能作为主办部门。"))
    co = list(co or [])
    for department in co:
        if department.district_id != district_id or department.is_street_office:
            raise ValidationError(_("协办部门应为本区的职能部门。"))
        if department.pk == lead.pk:
            raise ValidationError(_("协办部门不能与主办部门相同。"))
    return co


# ---------------------------------------------------------------- the timeline


def _new_event(
    request, *, actor, kind, from_state="", note="", internal_note="", department=None,
    data=None, public=True,
) -> RequestEvent:  # fmt: skip
    """A timeline step: ``note`` is for the resident (shown when the step is ``public``),
    ``internal_note`` for staff only."""
    return RequestEvent(
        request=request,
        district_id=request.district_id,
        kind=kind,
        from_state=from_state,
        to_state=request.state,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=str(actor) if getattr(actor, "pk", None) else _("系统"),
        department=department,
        note=note,
        internal_note=internal_note,
        data=data or {},
        public=public,
    )


def _event(request, **details) -> RequestEvent:
    event = _new_event(request, **details)
    event.save()
    return event


def _locked(request: ServiceRequest) -> ServiceRequest:
    return (
        ServiceRequest.objects.select_for_update(of=("self",))
        .select_related("lead_department", "resident", "item", "place")
        .get(pk=request.pk)
    )


def _allow(request: ServiceRequest, allowed: set, action: str) -> None:
    if request.state not in allowed:
        raise ValidationError(
            _("诉求当前状态为“%(state)s”，不能%(action)s。"),
            params={"state": request.get_state_display(), "action": action},
            code="bad_state",
        )


def _step(
    actor, request: ServiceRequest, perm: str, allowed: set, action: str, denied: str | None = None
) -> ServiceRequest:
    """How every step on one request starts: lock its row, check ``perm`` (refused with
    ``denied``, or the generic message), refuse a step its current state does not allow (with
    the reason). Returns the locked request, fresh from the database."""
    request = _locked(request)
    _require(actor, perm, request, denied)
    _allow(request, allowed, action)
    return request


def _moved(
    actor, request: ServiceRequest, kind: str, audit_action: str, *, from_state: str,
    fields=(), note: str = "", internal_note: str = "", department=None, data=None,
    public: bool = True, changes=None,
) -> RequestEvent:  # fmt: skip
    """How every step on one request ends: save what changed (``fields``: those columns; None:
    the whole row; empty: nothing), append the timeline event, record the audit event."""
    if fields is None:
        request.save()
    elif fields:
        request.save(update_fields=[*fields, "updated_at"])
    event = _event(
        request, actor=actor, kind=kind, from_state=from_state, note=note,
        internal_note=internal_note, department=department, data=data, public=public,
    )  # fmt: skip
    audit.record(actor=actor, action=audit_action, obj=request, changes=changes)
    return event
