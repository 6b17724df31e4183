"""Scoped reads: every list of requests a page or API shows comes from here."""

from django.db.models import Q, QuerySet

from core.models import Department, Place, Role
from core.rules import acting_assignments, assignments_of
from services.models import (
    OPEN_STATES,
    Application,
    OverdueList,
    ServiceItem,
    ServiceRequest,
    State,
)
from services.rules import DISPATCH_ROLES, PLACE_VIEW_ROLES, officer_departments


def _under(roles, user) -> Q:
    query = Q(pk__in=[])
    for assignment in assignments_of(user):
        if assignment.role in roles:
            query |= Q(place_path__startswith=assignment.place.path)
    return query


def requests_visible_to(user) -> QuerySet[ServiceRequest]:
    """Own requests, requests in the places where the user dispatches or serves, and requests
    led or co-handled by the user's department."""
    base = ServiceRequest.objects.select_related("place", "lead_department", "item")
    if user.is_superuser:
        return base
    if not getattr(user, "is_authenticated", False):
        return base.none()
    query = Q(submitted_by=user) | Q(resident__account=user)
    query |= _under(DISPATCH_ROLES | PLACE_VIEW_ROLES, user)
    departments = officer_departments(user)
    if departments:
        query |= Q(lead_department__in=departments) | Q(co_departments__in=departments)
    return base.filter(query).distinct() if departments else base.filter(query)


def my_requests(user) -> QuerySet[ServiceRequest]:
    return ServiceRequest.objects.filter(
        Q(submitted_by=user) | Q(resident__account=user)
    ).select_related("item", "lead_department")


def dispatchable(user) -> QuerySet[ServiceRequest]:
    """Requests in the districts where the user is a dispatcher."""
    if user.is_superuser:
        return ServiceRequest.objects.select_related("place", "lead_department", "item")
    return ServiceRequest.objects.filter(_under(DISPATCH_ROLES, user)).select_related(
        "place", "lead_department", "item"
    )


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
    """What waits for the user's department: requests it leads, to sign or to handle."""
    departments = officer_departments(user)
    return (
        ServiceRequest.objects.filter(
            lead_department__in=departments, state__in=[State.DISPATCHED, State.HANDLING]
        )
        .select_related("place", "lead_department", "item")
        .order_by("due_at")
    )


def co_handling_queue(user) -> QuerySet[ServiceRequest]:
    departments = officer_departments(user)
    return (
        ServiceRequest.objects.filter(
            co_departments__in=departments, state__in=[State.DISPATCHED, State.HANDLING]
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
    return Department.objects.filter(district_id=request.district_id, is_active=True)


def submit_places(user) -> QuerySet[Place]:
    """Places where the user may file a request for themself: grids and communities of their
    district, the own grid first (as rules.can_submit: not for a read-only role)."""
    districts = {a.place.district_id for a in acting_assignments(user)}
    return Place.objects.filter(
        district_id__in=districts, level__in=["community", "grid"], is_active=True
    ).order_by("path")


def intake_places(user) -> QuerySet[Place]:
    from services.rules import INTAKE_ROLES

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
