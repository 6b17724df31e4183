"""Who may do what in the registry. The permission matrix test covers every predicate."""

import rules

from core.models import Department, Place, Role
from core.rules import (
    PEOPLE_ROLES,
    assignments_of,
    holds,
    holds_at,
    is_superuser,
    officer_departments,
)

DISTRICT_LEADS = {Role.ADMIN, Role.COORDINATOR}
FILL_ROLES = {Role.ADMIN, Role.STREET_OFFICER, Role.COMMUNITY_WORKER, Role.GRID_WORKER}


def _district_of(obj) -> Place | None:
    if obj is None:
        return None
    if isinstance(obj, Place):
        return obj if obj.level == "district" else obj.district
    return getattr(obj, "district", None)


def _department_of(obj):
    if isinstance(obj, Department):
        return obj
    return getattr(obj, "department", None) or getattr(obj, "owner", None)


# See residents, households and houses of a place: those who serve it (and auditors).
can_view_residents = holds_at(PEOPLE_ROLES | {Role.AUDITOR}, "can_view_residents")
# Record buildings, households, residences and organisations in a place.
can_manage_residents = holds_at(PEOPLE_ROLES, "can_manage_residents")
# The district's administrators and burden-reduction office: the fields and who owns each,
# the forms ledger (keep, stop or merge forms) and the data-sharing grants.
is_district_lead = holds_at(DISTRICT_LEADS, "is_district_lead", place_of=_district_of)


@rules.predicate
def can_import(user, source) -> bool:
    """Import a department's file: that department's officers, or a district administrator."""
    district = _district_of(source)
    if district is None:
        return False
    if holds(user, {Role.ADMIN}, district):
        return True
    department = _department_of(source)
    return department is not None and department in officer_departments(user, district)


@rules.predicate
def can_settle_conflict(user, conflict) -> bool:
    """The owning department settles; for a community-collected field, the community."""
    if conflict is None:
        return False
    if holds(user, {Role.ADMIN}, conflict.district):
        return True
    if conflict.owner_id:
        return conflict.owner in officer_departments(user, conflict.district)
    return conflict.community is not None and holds(
        user, {Role.STREET_OFFICER, Role.COMMUNITY_WORKER}, conflict.community
    )


@rules.predicate
def can_register_report(user, department) -> bool:
    """A department's officers register its reports; district leads for any department."""
    if department is None:
        return False
    if holds(user, DISTRICT_LEADS, department.district):
        return True
    return department in officer_departments(user, department.district)


@rules.predicate
def can_view_report(user, report) -> bool:
    if report is None:
        return False
    district = report.district
    if holds(user, DISTRICT_LEADS | {Role.AUDITOR}, district):
        return True
    if report.department in officer_departments(user, district):
        return True
    return any(
        a.role in FILL_ROLES | {Role.AUDITOR} and a.place.is_within(district)
        for a in assignments_of(user)
    )


# Fill the missing cells of a report for a community (or a grid of it).
can_fill_report = holds_at(FILL_ROLES, "can_fill_report")


@rules.predicate
def can_use_grant(user, grant) -> bool:
    return (
        grant is not None
        and grant.ended_at is None
        and grant.department in officer_departments(user, grant.district)
    )


rules.add_perm("registry.view_residents", is_superuser | can_view_residents)
rules.add_perm("registry.manage_residents", is_superuser | can_manage_residents)
rules.add_perm("registry.manage_fields", is_superuser | is_district_lead)
rules.add_perm("registry.import", is_superuser | can_import)
rules.add_perm("registry.settle_conflict", is_superuser | can_settle_conflict)
rules.add_perm("registry.register_report", is_superuser | can_register_report)
rules.add_perm("registry.view_report", is_superuser | can_view_report)
rules.add_perm("registry.fill_report", is_superuser | can_fill_report)
rules.add_perm("registry.keep_ledger", is_superuser | is_district_lead)
rules.add_perm("registry.grant_sharing", is_superuser | is_district_lead)
rules.add_perm("registry.use_grant", is_superuser | can_use_grant)
