"""Who may see and act on which service request: each policy written once, in two forms side by
side — a predicate on one request (for ``rules.py``, so ``user.has_perm(...)`` and every service's
check) and the queryset of all the requests it allows (for ``selectors.py``, so every page and API
list). A policy is a pair: change one form, change the other beside it.
``services/tests/test_policies.py`` checks that each pair agrees, ``req in visible(user)`` ⇔
``user.has_perm("services.view_request", req)``, for every role × place of the test world.

Both forms read the live place tree (``request.place.path``), not the path copied onto the
request when it was filed: after a community moves to another street, the new street serves it.

| permission | predicate | queryset |
| --- | --- | --- |
| ``services.view_request`` | ``can_view`` | ``visible(user)`` |
| ``services.dispatch`` (and ``publish``) | ``can_dispatch`` | ``dispatchable(user)`` |
| ``services.handle`` | ``is_lead_officer`` | ``handled(user)`` |
| ``services.note`` | ``can_note`` | ``noted(user)`` |
| ``services.handle_local`` | ``is_local_handler`` | ``handled_locally(user)`` |
| ``services.report`` | ``is_whistled_officer`` | ``whistled(user)`` |
| ``services.handle_property`` | ``is_property_handler`` | ``handled_by_company(user)`` |

A request handled in the grid, the community or the street (``ServiceRequest.level``) is handled
by the grid worker of its grid, a community worker of its community or an officer of its street;
a department the street blew the whistle to (吹哨) sees it and reports (报到). A request routed
to a property company (物业) is seen and handled by the company's staff while it is with them,
and by no other property staff (services.property_hooks.companies_of).
"""

import rules
from django.db.models import F, Q, QuerySet

from core import rules as core_rules
from core.models import PlaceLevel, Role
from core.rules import assignments_of, holds, is_superuser
from services.models import Level, PropertyRouting, ServiceRequest, Whistle
from services.property_hooks import companies_of

DISPATCH_ROLES = {Role.ADMIN, Role.COORDINATOR}
INTAKE_ROLES = {
    Role.ADMIN,
    Role.COORDINATOR,
    Role.STREET_OFFICER,
    Role.COMMUNITY_WORKER,
    Role.GRID_WORKER,
}
PLACE_VIEW_ROLES = {Role.STREET_OFFICER, Role.COMMUNITY_WORKER, Role.GRID_WORKER, Role.AUDITOR}


def officer_departments(user) -> set[int]:
    """The ids of the departments the user serves as a department officer (the one definition
    is core.rules.officer_departments; requests compare ids)."""
    return {department.pk for department in core_rules.officer_departments(user)}


def co_department_ids(request) -> set[int]:
    cached = getattr(request, "_co_ids", None)
    if cached is None:
        cached = set(request.co_departments.values_list("pk", flat=True))
        request._co_ids = cached
    return cached


def _under(user, roles) -> Q:
    """Requests whose place lies inside a place where the user holds one of ``roles``."""
    query = Q(pk__in=[])
    for assignment in assignments_of(user):
        if assignment.role not in roles:
            continue
        if assignment.place.level == PlaceLevel.DISTRICT:
            # The same rows (no place moves across districts, core.services.places), as a plain
            # column: the planner then knows a district-wide role sees nearly every row, where
            # the path join looked like 1% and sent a word search to read every match and sort.
            query |= Q(district_id=assignment.place_id)
        else:
            query |= Q(place__path__startswith=assignment.place.path)
    return query


def _requests(user, query, *, distinct: bool = False) -> QuerySet[ServiceRequest]:
    base = ServiceRequest.objects.select_related("place", "lead_department", "item")
    if user.is_superuser:
        return base
    if not getattr(user, "is_authenticated", False):
        return base.none()
    found = base.filter(query)
    return found.distinct() if distinct else found


# ---------------------------------------------------------------- the parts


@rules.predicate
def is_requester(user, request) -> bool:
    """Who filed it, or the resident it was filed for."""
    if request is None or not getattr(user, "is_authenticated", False):
        return False
    if request.submitted_by_id == user.pk:
        return True
    return bool(request.resident_id and request.resident.account_id == user.pk)


def requester_q(user) -> Q:
    return Q(submitted_by=user) | Q(resident__account=user)


@rules.predicate
def can_dispatch(user, request) -> bool:
    """A dispatcher of the request's district."""
    return request is not None and holds(user, DISPATCH_ROLES, request.place)


def dispatcher_q(user) -> Q:
    return _under(user, DISPATCH_ROLES)


@rules.predicate
def is_lead_officer(user, request) -> bool:
    """An officer of the request's lead department (a department of the request's district)."""
    if request is None or not request.lead_department_id:
        return False
    return (
        request.lead_department_id in officer_departments(user)
        and request.lead_department.district_id == request.district_id
    )


def lead_officer_q(user) -> Q:
    return Q(
        lead_department__in=officer_departments(user),
        lead_department__district_id=F("district_id"),
    )


@rules.predicate
def is_co_officer(user, request) -> bool:
    """An officer of one of the request's co-handling departments."""
    if request is None:
        return False
    mine = officer_departments(user)
    return bool(mine and mine & co_department_ids(request))


def co_officer_q(user) -> Q:
    return Q(co_departments__in=officer_departments(user))


@rules.predicate
def sees_place(user, request) -> bool:
    """A street officer, community worker, grid worker or auditor of a place around it."""
    return request is not None and holds(user, PLACE_VIEW_ROLES, request.place)


def place_viewer_q(user) -> Q:
    return _under(user, PLACE_VIEW_ROLES)


# Who handles a request at each level below the departments: the role, held exactly at the
# request's place of that level (its grid, community or street).
LEVEL_ROLES = {
    Level.GRID: (Role.GRID_WORKER, "grid_id"),
    Level.COMMUNITY: (Role.COMMUNITY_WORKER, "community_id"),
    Level.STREET: (Role.STREET_OFFICER, "street_id"),
}


@rules.predicate
def is_local_handler(user, request) -> bool:
    """The grid worker, community worker or street officer of the request's place at the level
    it is handled at now."""
    if request is None or request.level not in LEVEL_ROLES:
        return False
    role, attribute = LEVEL_ROLES[request.level]
    place_id = getattr(request, attribute)
    return bool(place_id) and any(
        a.role == role and a.place_id == place_id for a in assignments_of(user)
    )


def local_handler_q(user) -> Q:
    query = Q(pk__in=[])
    for level, (role, attribute) in LEVEL_ROLES.items():
        ids = [a.place_id for a in assignments_of(user) if a.role == role]
        if ids:
            query |= Q(level=level, **{f"{attribute}__in": ids})
    return query


@rules.predicate
def is_whistled_officer(user, request) -> bool:
    """An officer of a department the street called to this request (吹哨)."""
    mine = officer_departments(user) if request is not None else set()
    return bool(mine) and request.whistles.filter(department__in=mine).exists()


def whistled_q(user) -> Q:
    mine = officer_departments(user)
    if not mine:
        return Q(pk__in=[])
    return Q(pk__in=Whistle.objects.filter(department__in=mine).values("request_id"))


@rules.predicate
def is_company_staff(user, request) -> bool:
    """Staff of the property company the request is routed to now (not returned)."""
    mine = companies_of(user) if request is not None else set()
    return bool(mine) and any(
        r.company_id in mine and r.returned_at is None for r in request.property_routings.all()
    )


def company_staff_q(user) -> Q:
    mine = companies_of(user)
    if not mine:
        return Q(pk__in=[])
    routed = PropertyRouting.objects.filter(company__in=mine, returned_at__isnull=True)
    return Q(pk__in=routed.values("request_id"))


@rules.predicate
def is_property_handler(user, request) -> bool:
    """The request is handled at 物业 by the user's company."""
    return (
        request is not None and request.level == Level.PROPERTY and is_company_staff(user, request)
    )


def property_handler_q(user) -> Q:
    return Q(level=Level.PROPERTY) & company_staff_q(user)


# ---------------------------------------------------------------- the policies


can_view = (
    is_superuser | is_requester | can_dispatch | is_lead_officer | is_co_officer | sees_place
    | is_whistled_officer | is_company_staff
)  # fmt: skip


def visible(user) -> QuerySet[ServiceRequest]:
    """services.view_request: own requests, requests in the places where the user dispatches or
    serves, and requests led or co-handled by the user's department."""
    query = requester_q(user) | dispatcher_q(user) | place_viewer_q(user)
    co_handled = bool(officer_departments(user))
    if co_handled:
        query |= lead_officer_q(user) | co_officer_q(user) | whistled_q(user)
    if companies_of(user):
        query |= company_staff_q(user)
    return _requests(user, query, distinct=co_handled)


can_dispatch_request = is_superuser | can_dispatch


def dispatchable(user) -> QuerySet[ServiceRequest]:
    """services.dispatch: requests in the districts where the user is a dispatcher."""
    return _requests(user, dispatcher_q(user))


can_handle = is_superuser | is_lead_officer | is_local_handler


def handled(user) -> QuerySet[ServiceRequest]:
    """services.handle: requests the user's department leads, and those handled where the user
    serves as grid worker, community worker or street officer."""
    return _requests(user, lead_officer_q(user) | local_handler_q(user))


can_handle_local = is_superuser | is_local_handler


def handled_locally(user) -> QuerySet[ServiceRequest]:
    """services.handle_local: requests handled in the user's grid, community or street."""
    return _requests(user, local_handler_q(user))


can_report = is_superuser | is_whistled_officer


def whistled(user) -> QuerySet[ServiceRequest]:
    """services.report: requests the street called the user's department to."""
    return _requests(user, whistled_q(user))


can_handle_property = is_superuser | is_property_handler


def handled_by_company(user) -> QuerySet[ServiceRequest]:
    """services.handle_property: requests at 物业 routed to the user's company."""
    return _requests(user, property_handler_q(user))


can_note = is_superuser | is_lead_officer | is_co_officer


def noted(user) -> QuerySet[ServiceRequest]:
    """services.note: requests the user's department leads or co-handles."""
    return _requests(user, lead_officer_q(user) | co_officer_q(user), distinct=True)
