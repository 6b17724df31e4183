"""Supervision (督办) on the working-day calendar, run by background jobs, never by page loads.

- Yellow warning: a dispatched or handling request due within one working day → 催办 (chaser)
  to the lead department before the deadline.
- Red warning: past the deadline → formal 催办 notice to the department and escalation to the
  district's dispatchers (supervisors).
- Acceptance: a request not accepted by its acceptance deadline → the dispatchers are told.
- Every working day, each department's overdue list is kept (``OverdueList``) and sent to its
  officers.

Each step raises ``warned_level`` under a row lock, so running twice warns once.
"""

import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audit, clock
from core import calendar as workcal
from core.clock import one_write
from core.models import Department, Place, Role, RoleAssignment
from notify import services as notify
from notify.kinds import msg
from services.models import EventKind, Level, OverdueList, RequestEvent, ServiceRequest, State
from services.policies import LEVEL_ROLES

YELLOW, RED = 1, 2
ACTIVE = [State.DISPATCHED, State.HANDLING]


def _officers(department_id) -> list[int]:
    return list(
        RoleAssignment.objects.active()
        .filter(role=Role.DEPARTMENT_OFFICER, department_id=department_id)
        .values_list("user_id", flat=True)
        .distinct()
    )


def _local_handlers(level: str, place_id) -> list[int]:
    """The grid worker, community workers or street officers of the place a request is handled
    at (services.policies.LEVEL_ROLES): who is warned when a request of that level runs late."""
    if level not in LEVEL_ROLES or not place_id:
        return []
    role = LEVEL_ROLES[level][0]
    return list(
        RoleAssignment.objects.active()
        .filter(role=role, place_id=place_id)
        .values_list("user_id", flat=True)
        .distinct()
    )


def _handlers(request) -> list[int]:
    """Who handles the request now: its lead department's officers, or the holders of its level's
    role at its grid, community or street."""
    level = _supervising(request.level)
    if level in LEVEL_ROLES:
        return _local_handlers(level, getattr(request, LEVEL_ROLES[level][1]))
    return _officers(request.lead_department_id)


def _supervising(level: str) -> str:
    """A request at 物业 is supervised by its community (warned and listed there)."""
    return Level.COMMUNITY if level == Level.PROPERTY else level


def _dispatchers(district_id) -> list[int]:
    return list(
        RoleAssignment.objects.active()
        .filter(role__in=[Role.ADMIN, Role.COORDINATOR], place_id=district_id)
        .values_list("user_id", flat=True)
        .distinct()
    )


def _notify(user_ids, request, kind: str, note: dict) -> None:
    """A warning of ``kind`` (notify.catalogue) about the request; ``note`` is msg(...), read in
    each reader's language. Resolved when the request is closed."""
    notify.send(
        kind=kind, recipients=user_ids, params={"number": request.number, "note": note},
        url=reverse("services:request_detail", args=[request.pk]), subject=request,
    )  # fmt: skip


def _event(request, kind, note, level):
    RequestEvent.objects.create(
        request=request, district_id=request.district_id, kind=kind, from_state=request.state,
        to_state=request.state, actor_name=_("系统督办"), department=request.lead_department,
        internal_note=note, data={"level": level}, public=False,
    )  # fmt: skip


def yellow_line(now: datetime.datetime) -> datetime.datetime:
    """Requests due before this moment are within one working day of their deadline."""
    return workcal.add_working_days(now, 1)


@one_write
def warn_one(request_id: int, now: datetime.datetime) -> int:
    """Raise one request's warning level if its deadline calls for it; the new level or 0."""
    request = (
        ServiceRequest.objects.select_for_update(of=("self",))
        .select_related("lead_department")
        .get(pk=request_id)
    )
    if request.state in ACTIVE and request.due_at:
        level = RED if now > request.due_at else YELLOW if request.due_at <= yellow_line(now) else 0
    elif request.state == State.SUBMITTED:
        level = RED if now > request.accept_due else 0
    else:
        level = 0
    if level <= request.warned_level:
        return 0
    request.warned_level = level
    request.save(update_fields=["warned_level"])
    due = clock.shown(request.due_at or request.accept_due)
    if request.state == State.SUBMITTED:
        text = gettext_lazy("超过受理期限（%(due)s）仍未受理")
        _event(request, EventKind.WARN, text % {"due": due}, level)
        note = msg(text, due=due)
        _notify(_dispatchers(request.district_id), request, "services.warn_unaccepted", note)
    elif level == YELLOW:
        text = gettext_lazy("黄色预警：将于%(due)s到期，请抓紧办理")
        _event(request, EventKind.URGE, text % {"due": due}, level)
        note = msg(text, due=due)
        _notify(_handlers(request), request, "services.warn_due_soon", note)
    else:
        text = gettext_lazy("红色预警：已于%(due)s超期，正式催办并报督办人")
        _event(request, EventKind.URGE, text % {"due": due}, level)
        note = msg(text, due=due)
        _notify(_handlers(request), request, "services.warn_overdue", note)
        _notify(_dispatchers(request.district_id), request, "services.warn_supervise", note)
    audit.record(
        actor=None, action="services.request_warn", obj=request,
        changes={"level": level}, place=request.place,
    )  # fmt: skip
    return level


def warn_due(now: datetime.datetime | None = None) -> dict:
    """Warn every request whose deadline calls for it. Safe to run twice."""
    now = now or clock.now()
    line = yellow_line(now)
    candidates = ServiceRequest.objects.filter(
        (Q(state__in=ACTIVE, due_at__lte=line, warned_level__lt=RED))
        | Q(state=State.SUBMITTED, accept_due__lt=now, warned_level__lt=RED)
    ).values_list("pk", flat=True)
    counts = {YELLOW: 0, RED: 0}
    for pk in list(candidates):
        level = warn_one(pk, now)
        if level:
            counts[level] += 1
    return {"yellow": counts[YELLOW], "red": counts[RED]}


@one_write
def overdue_lists(day: datetime.date, now: datetime.datetime | None = None) -> dict:
    """Keep and send each department's overdue list for ``day`` (a working day)."""
    now = now or clock.now()
    if not workcal.is_working_day(day):
        return {"skipped": "not a working day"}
    made = 0
    overdue = (
        ServiceRequest.objects.filter(state__in=ACTIVE, due_at__lt=now)
        .select_related("lead_department")
        .order_by("due_at")
    )  # local levels (grid, community, street) are told by place, below
    by_department: dict[int, list] = {}
    local: dict[tuple[str, int], int] = {}
    for request in overdue:
        level = _supervising(request.level)
        if level in LEVEL_ROLES:
            place_id = getattr(request, LEVEL_ROLES[level][1])
            local[(level, place_id)] = local.get((level, place_id), 0) + 1
            continue
        by_department.setdefault(request.lead_department_id, []).append(request)
    for department in Department.objects.filter(pk__in=by_department):
        if OverdueList.objects.filter(department=department, day=day).exists():
            continue
        requests = by_department[department.pk]
        items = [
            {
                "id": r.pk,
                "number": r.number,
                "title": r.title,
                "due_at": timezone.localtime(r.due_at).isoformat(timespec="minutes"),
                "days_late": workcal.working_days_between(timezone.localtime(r.due_at).date(), day),
            }
            for r in requests
        ]
        OverdueList.objects.create(
            district_id=department.district_id, department=department, day=day,
            count=len(items), items=items,
        )  # fmt: skip
        notify.send(
            kind="services.overdue_list", recipients=_officers(department.pk),
            params={"day": day.isoformat(), "n": len(items)},
            url=reverse("services:overdue") + f"?day={day.isoformat()}",
        )  # fmt: skip
        made += 1
    return {"departments": made, "places": _tell_local_overdue(day, local)}


def _tell_local_overdue(day: datetime.date, local: dict[tuple[str, int], int]) -> int:
    """The day's overdue count to each grid, community and street that handles late requests
    (issue #14: nobody below the departments was told). Once a day: core.jobs.run_once runs the
    job once per day."""
    told = 0
    names = dict(Place.objects.filter(pk__in={pk for _lv, pk in local}).values_list("pk", "name"))
    for (level, place_id), count in sorted(local.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        recipients = _local_handlers(level, place_id)
        if not recipients:
            continue
        notify.send(
            kind="services.overdue_local", recipients=recipients,
            params={"day": day.isoformat(), "place": names.get(place_id, ""), "n": count},
            url=reverse("services:local"),
        )  # fmt: skip
        told += 1
    return told
