"""Handling below the departments (services.level_models): the grid, the community or the street
accepts, answers and closes a request itself, or sends it one level up; the street blows the
whistle (吹哨) to departments, which report (报到) by the district's working-day deadline and
are rated by the street. Every function is one transaction, checks the permission (the handler
of the request's own grid, community or street) and writes the timeline and the audit log."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import calendar as workcal
from core.clock import one_write
from services import rule_defaults
from services.models import EventKind, Level, Rating, ServiceRequest, State, Whistle
from services.policies import officer_departments
from services.services.common import _check_departments, _moved, _notes, _now, _step, _text
from services.services.notices import tell_department, tell_requester
from services.services.rules import rule_value

LOCAL = (Level.GRID, Level.COMMUNITY, Level.STREET)
UP = {Level.GRID: Level.COMMUNITY, Level.COMMUNITY: Level.STREET}
# Where a level's request goes up to, and the request's place that must exist for it.
PLACE_OF = {Level.GRID: "grid_id", Level.COMMUNITY: "community_id", Level.STREET: "street_id"}


def level_for(item, *, grid_id=None, community_id=None, street_id=None) -> str:
    """Where a new request starts: its catalogue item's level, or the nearest level above it the
    request's place has (a request filed for a whole community cannot start in a grid)."""
    level = item.handling_level if item is not None else Level.DEPARTMENT
    if level == Level.PROPERTY:  # the community holds it until routed (services.property)
        level = Level.COMMUNITY
    present = {Level.GRID: grid_id, Level.COMMUNITY: community_id, Level.STREET: street_id}
    while level in present and not present[level]:
        level = UP.get(level, Level.DEPARTMENT)
    return level


def handling_days(request: ServiceRequest, level: str) -> int:
    return rule_value(rule_defaults.LEVEL_DAYS[level], request.district_id)


def _local(actor, request, allowed, action) -> ServiceRequest:
    request = _step(
        actor, request, "services.handle_local", allowed, action,
        _("只有本网格、本社区或本街道负责处置的工作人员可以办理这条诉求。"),
    )  # fmt: skip
    if request.level not in LOCAL:
        raise ValidationError(_("这条诉求由职能部门办理，不在属地处置。"), code="bad_state")
    return request


@one_write
def request_local_accept(*, actor, request: ServiceRequest, note: str = "") -> ServiceRequest:
    """属地受理: the grid worker (community, street) takes a request of their level in hand; the
    deadline is the district's rule for that level."""
    request = _local(actor, request, {State.SUBMITTED}, _("受理"))
    note = _notes(note, "")[0]
    now = _now()
    request.state = State.HANDLING
    request.accepted_at = request.dispatched_at = request.signed_at = now
    request.due_at = workcal.add_working_days(now, handling_days(request, request.level))
    _moved(
        actor, request, EventKind.LOCAL_ACCEPT, "services.request_local_accept",
        from_state=State.SUBMITTED, note=note, data={"level": request.level},
        fields=["state", "accepted_at", "dispatched_at", "signed_at", "due_at"],
        changes={"level": request.level, "due_at": request.due_at},
    )  # fmt: skip
    tell_requester(request, _("已受理"), note)
    return request


@one_write
def request_escalate(
    *, actor, request: ServiceRequest, reason: str, note: str = ""
) -> ServiceRequest:
    """上报: what the grid cannot settle goes to the community, what the community cannot, to the
    street (who signs it, with its own deadline). ``reason`` is for staff only."""
    request = _local(actor, request, {State.DISPATCHED, State.HANDLING}, _("上报"))
    reason = _text(reason, _("上报理由"), max_length=500)
    note = _notes(note, "")[0]
    up = UP.get(request.level)
    if up is None:
        raise ValidationError(_("街道处置不了的，请吹哨召集职能部门。"), code="bad_state")
    if not getattr(request, PLACE_OF[up]):
        raise ValidationError(_("这条诉求没有所属的上一级地点，请联系派单员。"), code="no_level_up")
    from_state, from_level, now = request.state, request.level, _now()
    request.level, request.state = up, State.DISPATCHED
    request.dispatched_at, request.signed_at, request.warned_level = now, None, 0
    request.due_at = workcal.add_working_days(now, handling_days(request, up))
    _moved(
        actor, request, EventKind.ESCALATE, "services.request_escalate", from_state=from_state,
        fields=["level", "state", "dispatched_at", "signed_at", "warned_level", "due_at"],
        note=note, internal_note=reason, data={"from": from_level, "to": up},
        changes={"level": [from_level, up], "reason": reason},
    )  # fmt: skip
    return request


@one_write
def request_local_close(
    *, actor, request: ServiceRequest, note: str = "", internal_note: str = ""
) -> ServiceRequest:
    """办结 at the level that answered: the grid worker (community, street) closes what they
    settled; the resident is asked to rate it."""
    request = _local(actor, request, {State.ANSWERED}, _("办结"))
    note, internal_note = _notes(note, internal_note)
    request.state, request.closed_at = State.CLOSED, _now()
    _moved(
        actor, request, EventKind.CLOSE, "services.request_close", from_state=State.ANSWERED,
        fields=["state", "closed_at"], note=note, internal_note=internal_note,
        data={"level": request.level},
    )  # fmt: skip
    tell_requester(request, _("已办结，请您评价"), note)
    return request


@one_write
def request_whistle(*, actor, request: ServiceRequest, departments, reason: str) -> list[Whistle]:
    """吹哨: the street calls one or more of the district's departments to the request; each
    must report (报到) within the district's working days."""
    request = _local(actor, request, {State.HANDLING}, _("吹哨"))
    if request.level != Level.STREET:
        raise ValidationError(_("只有街道可以吹哨，请先上报街道。"), code="bad_state")
    departments = list(departments or [])
    if not departments:
        raise ValidationError(_("吹哨须至少选择一个职能部门。"), code="whistle_no_department")
    reason = _text(reason, _("吹哨事由"), max_length=1000)
    _check_departments(
        request.district_id, departments[0], departments[1:],
        lead_refusal=_("请选择本区有效的职能部门。"),
    )  # fmt: skip
    open_ids = set(
        request.whistles.filter(reported_at__isnull=True).values_list("department_id", flat=True)
    )
    if waiting := [d.name for d in departments if d.pk in open_ids]:
        raise ValidationError(
            _("已向%(names)s吹哨，尚未报到。"), params={"names": "、".join(waiting)},
            code="whistle_open",
        )  # fmt: skip
    now = _now()
    due = workcal.add_working_days(
        now, rule_value(rule_defaults.WHISTLE_REPORT_DAYS, request.district_id)
    )
    whistles = Whistle.objects.bulk_create(
        Whistle(
            request=request,
            district_id=request.district_id,
            department=d,
            reason=reason,
            called_by=actor,
            called_at=now,
            due_at=due,
        )  # fmt: skip
        for d in departments
    )
    names = [d.name for d in departments]
    _moved(
        actor, request, EventKind.WHISTLE, "services.request_whistle", from_state=request.state,
        internal_note=reason, data={"departments": names, "due_at": due.isoformat()},
        public=False, changes={"departments": names, "due_at": due},
    )  # fmt: skip
    for department in departments:
        tell_department(department, request, _("街道吹哨，请按时报到"))
    return whistles


def _open_whistle(actor, request) -> Whistle:
    mine = officer_departments(actor)
    found = (
        request.whistles.select_for_update()
        .filter(reported_at__isnull=True)
        .filter(**({} if actor.is_superuser else {"department__in": mine}))
        .select_related("department")
        .first()
    )
    if found is None:
        raise ValidationError(_("本部门没有待报到的吹哨。"), code="bad_state")
    return found


@one_write
def whistle_report(*, actor, request: ServiceRequest, report: str) -> Whistle:
    """报到: a called department reports what it did; late when after the deadline."""
    request = _step(
        actor, request, "services.report", {State.HANDLING}, _("报到"),
        _("只有街道吹哨召集的职能部门可以报到。"),
    )  # fmt: skip
    report = _text(report, _("报到情况"), max_length=2000)
    whistle = _open_whistle(actor, request)
    whistle.reported_at, whistle.reported_by, whistle.report = _now(), actor, report
    whistle.save(update_fields=["reported_at", "reported_by", "report"])
    late = not whistle.on_time
    _moved(
        actor, request, EventKind.REPORT, "services.whistle_report", from_state=request.state,
        internal_note=report, department=whistle.department, public=False,
        data={"late": late}, changes={"department": whistle.department.name, "late": late},
    )  # fmt: skip
    return whistle


@one_write
def whistle_rate(
    *, actor, request: ServiceRequest, whistle: Whistle | None, rating: str
) -> Whistle:
    """The street rates a department's report (满意 / 基本满意 / 不满意), once."""
    request = _local(actor, request, {State.HANDLING, State.ANSWERED}, _("评价报到"))
    waiting = request.whistles.filter(reported_at__isnull=False, rating="")
    if request.level != Level.STREET or not waiting.exists():
        raise ValidationError(_("没有待评价的部门报到。"), code="bad_state")
    if whistle is None:
        raise ValidationError(_("请选择要评价的部门报到。"), code="whistle_missing")
    if rating not in Rating.values:
        raise ValidationError(_("请选择评价。"), code="rating")
    whistle = Whistle.objects.select_for_update().select_related("department").get(pk=whistle.pk)
    if whistle.request_id != request.pk or whistle.reported_at is None or whistle.rating:
        raise ValidationError(_("这次报到不能评价（尚未报到或已评价）。"), code="whistle_rated")
    whistle.rating, whistle.rated_at = rating, _now()
    whistle.save(update_fields=["rating", "rated_at"])
    _moved(
        actor, request, EventKind.REPORT_RATE, "services.whistle_rate", from_state=request.state,
        department=whistle.department, public=False, data={"rating": rating},
        changes={"department": whistle.department.name, "rating": rating},
    )  # fmt: skip
    return whistle
