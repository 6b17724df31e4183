"""Requests handled by a compound's property company (物业, services.level_models.PropertyRouting).

A community or grid worker routes a request of a compound to the company whose contract is in
force (转物业, with an internal note); a request whose catalogue item is handled at 物业 goes
there at submission when the resident's home building lies in such a compound (otherwise it
stays with the community). The company's staff sign it (签收), answer the resident and close it,
or return it to the community with the reason (not a property matter). Deadlines: the district's
working days to sign and to finish (owners.PropertyRule through services.property_hooks).
Every function is one transaction and checks the permission."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import calendar as workcal
from core import clock
from core.clock import one_write
from services import property_hooks
from services.models import EventKind, Level, PropertyRouting, ServiceRequest, State
from services.services.common import _moved, _notes, _now, _step, _text
from services.services.notices import tell_requester

ROUTABLE_FROM = (Level.GRID, Level.COMMUNITY)


def _open_routing(request: ServiceRequest) -> PropertyRouting:
    found = request.property_routings.select_for_update().filter(returned_at__isnull=True).first()
    if found is None:
        raise ValidationError(_("这条诉求没有转给物业。"), code="bad_state")
    return found


def _routed(actor, request, handler, *, from_state, internal_note="", note="") -> PropertyRouting:
    """Write the routing and move the request to the company (state 待签收, level 物业)."""
    now = _now()
    routing = PropertyRouting.objects.create(
        request=request, district_id=request.district_id, company_id=handler.company_id,
        compound_id=handler.compound_id, routed_by=actor if getattr(actor, "pk", None) else None,
        routed_at=now, accept_due=workcal.add_working_days(now, handler.accept_days),
        due_at=workcal.add_working_days(now, handler.finish_days), rule_source=handler.source,
    )  # fmt: skip
    from_level = request.level
    request.level, request.state = Level.PROPERTY, State.DISPATCHED
    request.accepted_at = request.accepted_at or now
    request.dispatched_at, request.signed_at, request.warned_level = now, None, 0
    request.due_at = routing.due_at
    _moved(
        actor, request, EventKind.PROPERTY_ROUTE, "services.request_property_route",
        from_state=from_state, note=note, internal_note=internal_note,
        fields=["level", "state", "accepted_at", "dispatched_at", "signed_at", "warned_level",
                "due_at"],
        data={"from": from_level, "company": handler.company_name, "due_at": routing.due_at.isoformat()},
        changes={"company": handler.company_id, "compound": handler.compound_id,
                 "due_at": routing.due_at},
    )  # fmt: skip
    tell_requester(request, _("已转物业服务企业办理"), note)
    return routing


@one_write
def request_property_route(
    *, actor, request: ServiceRequest, compound_id=None, internal_note: str = "", note: str = ""
) -> PropertyRouting:
    """转物业: the community (or grid) hands a request of a compound to its company in force."""
    request = _step(
        actor, request, "services.handle_local",
        {State.SUBMITTED, State.DISPATCHED, State.HANDLING}, _("转物业"),
        _("只有本网格、本社区负责处置的工作人员可以转物业。"),
    )  # fmt: skip
    if request.level not in ROUTABLE_FROM:
        raise ValidationError(_("只有网格或社区处置的诉求可以转物业。"), code="bad_state")
    internal_note = _text(internal_note, _("转办说明"), max_length=500)
    note = _notes(note, "")[0]
    if compound_id in (None, "") and request.resident_id is None:
        raise ValidationError(_("请选择诉求所在的小区。"), code="no_compound")
    handler = property_hooks.handler(
        community_id=request.community_id, compound_id=compound_id or None,
        person_id=request.resident_id, item_code=request.item.code if request.item else "",
        day=clock.today(),
    )  # fmt: skip
    if handler is None:
        raise ValidationError(
            _("本社区没有这个小区，或该小区没有在有效期内的物业服务合同，不能转物业。"),
            code="no_company",
        )
    return _routed(actor, request, handler, from_state=request.state, internal_note=internal_note,
                   note=note)  # fmt: skip


def route_at_submission(request: ServiceRequest, handler) -> PropertyRouting:
    """A new request whose item is handled at 物业, for a resident of a compound with a company in
    force: straight to the company (inside the submission's transaction)."""
    return _routed(
        None, request, handler, from_state=State.SUBMITTED,
        internal_note=_("按事项处置层级自动转物业"),
    )  # fmt: skip


def _company_step(actor, request, allowed, action) -> tuple[ServiceRequest, PropertyRouting]:
    request = _step(
        actor, request, "services.handle_property", allowed, action,
        _("只有诉求转给的物业服务企业的工作人员可以办理。"),
    )  # fmt: skip
    if request.level != Level.PROPERTY:
        raise ValidationError(_("这条诉求不在物业办理。"), code="bad_state")
    routing = _open_routing(request)
    if not actor.is_superuser and routing.company_id not in property_hooks.companies_of(actor):
        raise PermissionDenied(_("只有诉求转给的物业服务企业的工作人员可以办理。"))
    return request, routing


@one_write
def request_property_accept(*, actor, request: ServiceRequest, note: str = "") -> ServiceRequest:
    """签收: the company takes the request in hand."""
    request, routing = _company_step(actor, request, {State.DISPATCHED}, _("签收"))
    note = _notes(note, "")[0]
    now = _now()
    request.state, request.signed_at = State.HANDLING, now
    routing.accepted_at, routing.acted_by = now, actor
    routing.save(update_fields=["accepted_at", "acted_by"])
    late = now > routing.accept_due
    _moved(
        actor, request, EventKind.SIGN, "services.request_property_accept",
        from_state=State.DISPATCHED, fields=["state", "signed_at"], note=note,
        data={"level": Level.PROPERTY, "late": late}, changes={"late": late},
    )  # fmt: skip
    return request


@one_write
def request_property_close(
    *, actor, request: ServiceRequest, note: str, internal_note: str = ""
) -> ServiceRequest:
    """答复并办结: the company's answer to the resident (public) and its internal note (staff
    only); the resident is asked to rate it, and the rating counts for the company."""
    request, routing = _company_step(actor, request, {State.HANDLING}, _("办结"))
    answer = _text(note, _("答复内容"), max_length=2000)
    internal_note = _notes("", internal_note)[1]
    now = _now()
    request.answer, request.state = answer, State.CLOSED
    request.answered_at = request.closed_at = now
    routing.closed_at, routing.acted_by = now, actor
    routing.save(update_fields=["closed_at", "acted_by"])
    late = not routing.on_time
    _moved(
        actor, request, EventKind.CLOSE, "services.request_property_close",
        from_state=State.HANDLING, fields=["answer", "state", "answered_at", "closed_at"],
        note=answer, internal_note=internal_note, data={"level": Level.PROPERTY, "late": late},
        changes={"late": late},
    )  # fmt: skip
    tell_requester(request, _("已办结，请您评价"), answer)
    return request


@one_write
def request_property_return(
    *, actor, request: ServiceRequest, reason: str, note: str = ""
) -> ServiceRequest:
    """退回社区: not a property matter; the community handles it again (state 待签收)."""
    request, routing = _company_step(
        actor, request, {State.DISPATCHED, State.HANDLING}, _("退回社区")
    )
    reason = _text(reason, _("退回理由"), max_length=500)
    note = _notes(note, "")[0]
    now, from_state = _now(), request.state
    routing.returned_at, routing.return_reason, routing.acted_by = now, reason, actor
    routing.save(update_fields=["returned_at", "return_reason", "acted_by"])
    request.level, request.state = Level.COMMUNITY, State.DISPATCHED
    request.dispatched_at, request.signed_at, request.warned_level = now, None, 0
    request.due_at = workcal.add_working_days(now, _community_days(request))
    _moved(
        actor, request, EventKind.PROPERTY_RETURN, "services.request_property_return",
        from_state=from_state, note=note, internal_note=reason,
        fields=["level", "state", "dispatched_at", "signed_at", "warned_level", "due_at"],
        changes={"company": routing.company_id, "reason": reason},
    )  # fmt: skip
    return request


def _community_days(request) -> int:
    from services.services.levels import handling_days

    return handling_days(request, Level.COMMUNITY)


def request_submit(**keys) -> ServiceRequest:
    """services.services.submission.request_submit, and then, for an item handled at 物业, the
    routing to the resident's compound's company in force, in one transaction and one moment
    (other items keep submission's single statement)."""
    from services.services import submission

    item = keys.get("item")
    if item is None or item.handling_level != Level.PROPERTY:
        return submission.request_submit(**keys)
    with clock.moment(), transaction.atomic():
        request = submission.request_submit(**keys)
        fresh = request.level == Level.COMMUNITY and request.state == State.SUBMITTED
        if fresh and request.resident_id:
            handler = property_hooks.handler(
                community_id=request.community_id, person_id=request.resident_id,
                item_code=item.code, day=clock.today(),
            )  # fmt: skip
            if handler is not None:
                route_at_submission(request, handler)
    return request
