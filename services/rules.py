"""Who may do what with the catalogue and with requests.

- Dispatchers (派单员) are the district's administrators and coordinators (区减负办, who run the
  12345 desk): they accept, dispatch, re-dispatch, decide returns and extensions, close, call back,
  review disputed ratings, merge duplicates and keep the catalogue. They alone publish a reviewed
  summary of a request for the public (Open311 GET shows nothing else a person wrote).
- A department officer handles requests whose lead department is their own (sign, answer, ask
  for return or extension); a co-handling department may add progress notes.
- Street officers, community workers and grid workers take requests on a resident's behalf (代办)
  and see the requests inside their place; grid workers also file what they find on patrol.
- Property companies' staff (owners.CompanyStaff) see and handle only the requests routed to
  their company (转物业), never the resident's full phone.
- Residents file and follow their own requests and rate them. Auditors read, and only read:
  they file nothing either (core.rules.READ_ONLY_ROLES).
"""

import rules

from core.models import Role
from core.rules import acting_assignments, holds_at, is_superuser

# The request policies (a predicate and, beside it, the queryset of what it allows) live in
# services.policies; these names stay importable from here.
from services.policies import (  # noqa: F401 - re-exported
    DISPATCH_ROLES,
    INTAKE_ROLES,
    PLACE_VIEW_ROLES,
    can_dispatch,
    can_dispatch_request,
    can_handle,
    can_handle_local,
    can_handle_property,
    can_note,
    can_report,
    can_view,
    co_department_ids,
    is_co_officer,
    is_lead_officer,
    is_requester,
    officer_departments,
    sees_place,
)

can_manage_catalogue = holds_at(DISPATCH_ROLES, "can_manage_catalogue")


@rules.predicate
def can_submit(user, place) -> bool:
    """Anyone who holds a role in the place's district may report a problem there, but for a
    read-only role (an auditor)."""
    if place is None:
        return False
    return any(a.place.district_id == place.district_id for a in acting_assignments(user))


can_intake = holds_at(INTAKE_ROLES, "can_intake")
can_patrol = holds_at({Role.GRID_WORKER}, "can_patrol")
can_supervise = holds_at(DISPATCH_ROLES | {Role.AUDITOR}, "can_supervise")


rules.add_perm("services.manage_catalogue", is_superuser | can_manage_catalogue)
# The district's rules of request handling (services.rule_defaults), e.g. routing's threshold.
rules.add_perm("services.edit_rules", is_superuser | can_manage_catalogue)
rules.add_perm("services.submit", is_superuser | can_submit)
rules.add_perm("services.intake", is_superuser | can_intake)
rules.add_perm("services.patrol", is_superuser | can_patrol)
rules.add_perm("services.view_request", can_view)
rules.add_perm("services.dispatch", can_dispatch_request)
rules.add_perm("services.publish", can_dispatch_request)
rules.add_perm("services.handle", can_handle)
rules.add_perm("services.note", can_note)
# Handling in the grid, community or street (services.level_models), and 吹哨报到.
rules.add_perm("services.handle_local", can_handle_local)
rules.add_perm("services.report", can_report)
# A property company's staff on the requests routed to their company (services.property).
rules.add_perm("services.handle_property", can_handle_property)
rules.add_perm("services.rate", is_superuser | is_requester | can_dispatch)
rules.add_perm("services.supervise", is_superuser | can_supervise)
