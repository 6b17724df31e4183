"""Who may do what with the catalogue and with requests.

- Dispatchers (派单员) are the district's administrators and coordinators (区减负办, who run the
  12345 desk): they accept, dispatch, re-dispatch, decide returns and extensions, close, call back,
  review disputed ratings, merge duplicates and keep the catalogue. They alone publish a reviewed
  summary of a request for the public (Open311 GET shows nothing else a person wrote).
- A department officer handles requests whose lead department is their own (sign, answer, ask
  for return or extension); a co-handling department may add progress notes.
- Street officers, community workers and grid workers take requests on a resident's behalf (代办)
  and see the requests inside their place; grid workers also file what they find on patrol.
- Residents file and follow their own requests and rate them. Auditors read, and only read:
  they file nothing either (core.rules.READ_ONLY_ROLES).
"""

import rules

from core.models import Role
from core.rules import acting_assignments, assignments_of, holds, is_superuser

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
    return {
        a.department_id
        for a in assignments_of(user)
        if a.role == Role.DEPARTMENT_OFFICER and a.department_id
    }


def co_department_ids(request) -> set[int]:
    cached = getattr(request, "_co_ids", None)
    if cached is None:
        cached = set(request.co_departments.values_list("pk", flat=True))
        request._co_ids = cached
    return cached


@rules.predicate
def can_manage_catalogue(user, district) -> bool:
    return district is not None and holds(user, DISPATCH_ROLES, district)


@rules.predicate
def can_submit(user, place) -> bool:
    """Anyone who holds a role in the place's district may report a problem there, but for a
    read-only role (an auditor)."""
    if place is None:
        return False
    return any(a.place.district_id == place.district_id for a in acting_assignments(user))


@rules.predicate
def can_intake(user, place) -> bool:
    return place is not None and holds(user, INTAKE_ROLES, place)


@rules.predicate
def can_patrol(user, place) -> bool:
    return place is not None and holds(user, {Role.GRID_WORKER}, place)


@rules.predicate
def is_requester(user, request) -> bool:
    if request is None or not getattr(user, "is_authenticated", False):
        return False
    if request.submitted_by_id == user.pk:
        return True
    return bool(request.resident_id and request.resident.account_id == user.pk)


@rules.predicate
def can_dispatch(user, request) -> bool:
    return request is not None and holds(user, DISPATCH_ROLES, request.place)


@rules.predicate
def is_lead_officer(user, request) -> bool:
    if request is None or not request.lead_department_id:
        return False
    return (
        request.lead_department_id in officer_departments(user)
        and request.lead_department.district_id == request.district_id
    )


@rules.predicate
def is_co_officer(user, request) -> bool:
    if request is None:
        return False
    mine = officer_departments(user)
    return bool(mine and mine & co_department_ids(request))


@rules.predicate
def sees_place(user, request) -> bool:
    return request is not None and holds(user, PLACE_VIEW_ROLES, request.place)


@rules.predicate
def can_supervise(user, district) -> bool:
    return district is not None and holds(user, DISPATCH_ROLES | {Role.AUDITOR}, district)


rules.add_perm("services.manage_catalogue", is_superuser | can_manage_catalogue)
rules.add_perm("services.submit", is_superuser | can_submit)
rules.add_perm("services.intake", is_superuser | can_intake)
rules.add_perm("services.patrol", is_superuser | can_patrol)
rules.add_perm(
    "services.view_request",
    is_superuser | is_requester | can_dispatch | is_lead_officer | is_co_officer | sees_place,
)
rules.add_perm("services.dispatch", is_superuser | can_dispatch)
rules.add_perm("services.publish", is_superuser | can_dispatch)
rules.add_perm("services.handle", is_superuser | is_lead_officer)
rules.add_perm("services.note", is_superuser | is_lead_officer | is_co_officer)
rules.add_perm("services.rate", is_superuser | is_requester | can_dispatch)
rules.add_perm("services.supervise", is_superuser | can_supervise)
