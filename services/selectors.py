"""Scoped reads: every list of requests a page or API shows comes from here."""

from django.db.models import OuterRef, Q, QuerySet, Subquery

from core.models import Department, Place, Role
from core.rules import acting_assignments, assignments_of
from services import policies
from services.models import (
    OPEN_STATES,
    Application,
    OverdueList,
    PropertyRouting,
    ServiceItem,
    ServiceRequest,
    State,
)
from services.policies import DISPATCH_ROLES, INTAKE_ROLES, officer_departments


def requests_visible_to(user) -> QuerySet[ServiceRequest]:
    """Own requests, requests in the places where the user dispatches or serves, and requests
    led or co-handled by the user's department (services.policies.visible)."""
    return policies.visible(user)


def sees_as_staff(user, request: ServiceRequest) -> bool:
    """Whether ``user`` reads ``request`` as staff (internal steps and notes) rather than as its
    requester: those who dispatch or handle it, and anyone else who may see it but did not
    file it (a street officer, an auditor)."""
    if user.has_perm("services.dispatch", request) or user.has_perm("services.note", request):
        return True
    return request.submitted_by_id != user.pk and not (
        request.resident_id and request.resident.account_id == user.pk
    )


def timeline_of(user, request: ServiceRequest):
    """The steps of ``request`` that ``user`` may read, oldest first: its requester gets only
    the public steps, and never an internal note (the column is not even read)."""
    events = request.events.select_related("department")
    if sees_as_staff(user, request):
        return events
    return events.filter(public=True).defer("internal_note")


def my_requests(user) -> QuerySet[ServiceRequest]:
    return ServiceRequest.objects.filter(policies.requester_q(user)).select_related(
        "item",
        "lead_department",
        "place",  # the list shows each request's place
    )


def dispatchable(user) -> QuerySet[ServiceRequest]:
    """Requests in the districts where the user is a dispatcher (services.policies)."""
    return policies.dispatchable(user)


def dispatch_queues(user) -> dict[str, QuerySet]:
    requests = dispatchable(user)
    return {
        "submitted": requests.filter(state=State.SUBMITTED).order_by("accept_due"),
        "accepted": requests.filter(state=State.ACCEPTED).order_by("accepted_at"),
        "answered": requests.filter(state=State.ANSWERED).order_by("answered_at"),
        "disputed": requests.filter(state=State.DISPUTED).order_by("rated_at"),
        "closed": requests.filter(state=State.CLOSED).order_by("closed_at"),
    }


def pending_applications(user) -> QuerySet[Application]:
    requests = dispatchable(user)
    return (
        Application.objects.filter(status=Application.Status.PENDING, request__in=requests)
        .select_related("request", "department")
        .order_by("requested_at")
    )


def department_queue(user) -> QuerySet[ServiceRequest]:
    """What waits for the user's department: requests it leads, to sign or to handle (a queue
    of the user's own department, so not everything for a superuser)."""
    return (
        ServiceRequest.objects.filter(
            policies.lead_officer_q(user), state__in=[State.DISPATCHED, State.HANDLING]
        )
        .select_related("place", "lead_department", "item")
        .order_by("due_at")
    )


def co_handling_queue(user) -> QuerySet[ServiceRequest]:
    return (
        ServiceRequest.objects.filter(
            policies.co_officer_q(user), state__in=[State.DISPATCHED, State.HANDLING]
        )
        .select_related("place", "lead_department")
        .distinct()
        .order_by("due_at")
    )


def grid_queue(user) -> QuerySet[ServiceRequest]:
    """Open requests in the grids where the user is a grid worker."""
    grids = [a.place_id for a in assignments_of(user) if a.role == Role.GRID_WORKER]
    return (
        ServiceRequest.objects.filter(grid_id__in=grids, state__in=OPEN_STATES)
        .select_related("place", "lead_department", "item")
        .order_by("created_at")
    )


def handles_locally(user) -> bool:
    """A grid worker, community worker or street officer (who handle requests at their level)."""
    roles = {role for role, _attribute in policies.LEVEL_ROLES.values()}
    return user.is_superuser or any(a.role in roles for a in assignments_of(user))


def local_queue(user) -> QuerySet[ServiceRequest]:
    """Open requests handled now in the user's grid, community or street, oldest first."""
    return policies.handled_locally(user).filter(state__in=OPEN_STATES).order_by("created_at")


def property_queue(user) -> QuerySet[ServiceRequest]:
    """Open requests routed to the user's property company (物业), oldest first: the only
    requests property staff see (services.policies.company_staff_q); ``sign_due`` is the open
    routing's deadline to sign (签收期限), for the list to show one not signed in time."""
    routing = PropertyRouting.objects.filter(request=OuterRef("pk"), returned_at__isnull=True)
    return (
        policies.handled_by_company(user)
        .filter(state__in=OPEN_STATES)
        .annotate(sign_due=Subquery(routing.values("accept_due")[:1]))
        .order_by("created_at")
    )


def whistled_queue(user) -> QuerySet[ServiceRequest]:
    """Requests the street called the user's department to, not yet reported (报到)."""
    from services.models import Whistle

    waiting = Whistle.objects.filter(
        department__in=policies.officer_departments(user), reported_at__isnull=True
    ).values("request_id")
    return policies.whistled(user).filter(pk__in=waiting).order_by("created_at")


def user_districts(user) -> list[int]:
    return sorted({a.place.district_id for a in assignments_of(user)})


def items_for(user, district_id: int | None = None) -> QuerySet[ServiceItem]:
    districts = [district_id] if district_id else user_districts(user)
    if user.is_superuser and not district_id:
        return ServiceItem.objects.filter(is_active=True)
    return ServiceItem.objects.filter(district_id__in=districts, is_active=True).select_related(
        "lead_department"
    )


def catalogue_visible_to(user) -> QuerySet[ServiceItem]:
    if user.is_superuser:
        return ServiceItem.objects.select_related("lead_department")
    return ServiceItem.objects.filter(district_id__in=user_districts(user)).select_related(
        "lead_department"
    )


def departments_for(request: ServiceRequest) -> QuerySet[Department]:
    return Department.objects.functional().filter(district_id=request.district_id, is_active=True)


def submit_places(user) -> QuerySet[Place]:
    """Places where the user may file a request for themself: grids and communities of their
    district, the own grid first (as rules.can_submit: not for a read-only role)."""
    districts = {a.place.district_id for a in acting_assignments(user)}
    return Place.objects.filter(
        district_id__in=districts, level__in=["community", "grid"], is_active=True
    ).order_by("path")


def intake_places(user) -> QuerySet[Place]:
    query = Q(pk__in=[])
    for assignment in assignments_of(user):
        if assignment.role in INTAKE_ROLES:
            query |= Q(path__startswith=assignment.place.path)
    if user.is_superuser:
        query = Q()
    return Place.objects.filter(query, level__in=["community", "grid"], is_active=True).order_by(
        "path"
    )


def is_dispatcher(user) -> bool:
    return user.is_superuser or any(a.role in DISPATCH_ROLES for a in assignments_of(user))


def patrol_places(user) -> QuerySet[Place]:
    grids = [a.place_id for a in assignments_of(user) if a.role == Role.GRID_WORKER]
    return Place.objects.filter(pk__in=grids, is_active=True)


def overdue_lists_visible_to(user) -> QuerySet[OverdueList]:
    base = OverdueList.objects.select_related("department")
    if user.is_superuser:
        return base
    districts = [
        a.place_id
        for a in assignments_of(user)
        if a.role in DISPATCH_ROLES | {Role.AUDITOR} and a.place.level == "district"
    ]
    return base.filter(
        Q(district_id__in=districts) | Q(department_id__in=officer_departments(user))
    )


# ---------------------------------------------------------------- the district's one page


def _period_parts(first, end) -> tuple[list, tuple | None]:
    """The local days [`first`, `end`) as the summary tables hold them: the days of a partial
    first or last week (daily table), and the whole weeks between (weekly table, by Monday)."""
    import datetime

    first_monday = first + datetime.timedelta(days=-first.weekday() % 7)
    last_monday = end - datetime.timedelta(days=end.weekday())
    if first_monday >= last_monday:
        return [(first, end)], None
    return [(first, first_monday), (last_monday, end)], (first_monday, last_monday)


def _sums_by_period(model, key: str, place: Place, ranges: list[list]) -> list[dict]:
    """One aggregate query: the counters of `place` summed over each period's ranges."""
    from django.db.models import Sum

    from services import summary

    def within(spans):
        query = Q(pk__in=[])
        for start, end in spans:
            query |= Q(**{f"{key}__gte": start, f"{key}__lt": end})
        return query

    if not any(ranges):
        return [dict.fromkeys(summary.COUNTERS, 0) for _spans in ranges]
    sums = {
        f"{name}__{i}": Sum(name, filter=within(spans))
        for i, spans in enumerate(ranges)
        for name in summary.COUNTERS
    }
    row = model.objects.filter(
        within([span for spans in ranges for span in spans]),
        district_id=place.district_id or place.pk,
        place_path__startswith=place.path,
    ).aggregate(**sums)
    return [
        {name: row[f"{name}__{i}"] or 0 for name in summary.COUNTERS} for i in range(len(ranges))
    ]


def rates_of_place(place: Place, periods) -> list[dict]:
    """三率 and the on-time rate of the requests of `place` and below created in each of
    `periods` (local days [first, end)), as services.metrics computes them (same row), from the
    summary tables in two queries (the days of partial weeks from the daily table, whole weeks
    from the weekly one) and a third for requests whose acceptance deadline is still ahead (not
    counted as late)."""
    import datetime

    from django.utils import timezone

    from services import summary
    from services.metrics import _summary_row
    from services.models import RequestSummary, RequestSummaryWeek

    parts = [_period_parts(first, end) for first, end in periods]
    days = _sums_by_period(RequestSummary, "day", place, [p[0] for p in parts])
    weeks = _sums_by_period(
        RequestSummaryWeek, "week", place, [[p[1]] if p[1] else [] for p in parts]
    )

    def moment(day):
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))

    waiting = summary.not_yet_due(
        ServiceRequest.objects.filter(
            district_id=place.district_id or place.pk,
            place_path__startswith=place.path,
            created_at__gte=moment(min(first for first, _end in periods)),
            created_at__lt=moment(max(end for _first, end in periods)),
        ),
        timezone.now(),
    )
    rows = []
    for i, (first, end) in enumerate(periods):
        counts = {name: days[i][name] + weeks[i][name] for name in summary.COUNTERS}
        counts["not_yet_due"] = sum(
            1 for r in waiting if moment(first) <= r["created_at"] < moment(end)
        )
        rows.append(_summary_row("", counts))
    return rows


def settled_levels_of_place(place: Place, periods) -> list[dict]:
    """Of the requests of ``place`` and below created in each of ``periods`` (aware moments
    [start, end)) and finished (办结 or later), how many were settled in the grid, the community,
    the street or by a department (``ServiceRequest.level`` when it was closed), with the shares
    of the grid and the community in percent; one grouped query."""
    from django.db.models import Count, Q

    from services.metrics import FINISHED, level_shares

    found = ServiceRequest.objects.filter(
        district_id=place.district_id or place.pk,
        place_path__startswith=place.path,
        state__in=FINISHED,
        created_at__gte=min(start for start, _end in periods),
        created_at__lt=max(end for _start, end in periods),
    )
    counts = found.values("level").annotate(
        **{
            f"n{i}": Count("pk", filter=Q(created_at__gte=start, created_at__lt=end))
            for i, (start, end) in enumerate(periods)
        }
    )
    rows = list(counts.order_by())
    return [level_shares({r["level"]: r[f"n{i}"] for r in rows}) for i in range(len(periods))]


def request_steps_in(community_ids, start, end) -> list[tuple]:
    """Steps taken on the requests of these communities before ``end`` (a date), each with the
    moment of the request's previous step: [(community_id, at, before, kind, actor_id)], one
    query (the burden index's service time, workload.sources; no scope: the caller reads
    minutes for communities it already may see)."""
    from django.db.models import F, Window
    from django.db.models.functions import Lag

    from services.models import RequestEvent

    return list(
        RequestEvent.objects.filter(
            request__community_id__in=community_ids, request__created_at__date__lt=end
        )
        .filter(at__date__lt=end)
        .annotate(
            before=Window(Lag("at"), partition_by=[F("request_id")], order_by=[F("at"), F("id")])
        )
        .values_list("request__community_id", "at", "before", "kind", "actor_id", "request__level")
    )


def property_figures(*, compound_id: int, start, end) -> dict[int, dict[str, int]]:
    """{company id: counts} of the requests routed to a property company for one compound in
    [start, end) (moments): routed, closed, closed by the deadline, returned to the community,
    rated, rated 满意 or 基本满意. Read by owners' yearly evaluation (issue #18 item 4)."""
    from django.db.models import Count, F, Q

    from services.models import PropertyRouting, Rating

    rows = (
        PropertyRouting.objects.filter(
            compound_id=compound_id, routed_at__gte=start, routed_at__lt=end
        )
        .values("company_id")
        .annotate(
            routed=Count("id"),
            closed=Count("id", filter=Q(closed_at__isnull=False)),
            on_time=Count("id", filter=Q(closed_at__isnull=False, closed_at__lte=F("due_at"))),
            returned=Count("id", filter=Q(returned_at__isnull=False)),
            rated=Count("id", filter=Q(closed_at__isnull=False) & ~Q(request__rating="")),
            satisfied=Count(
                "id",
                filter=Q(
                    closed_at__isnull=False, request__rating__in=[Rating.SATISFIED, Rating.BASIC]
                ),
            ),
        )
    )
    return {row.pop("company_id"): row for row in rows}
