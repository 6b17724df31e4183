"""Who may do what in the registry. The permission matrix test covers every predicate."""

import rules

from core.models import Role
from core.rules import PEOPLE_ROLES, holds, holds_at, is_superuser, officer_departments

# Who may see a residence, a report, an import source or a conflict (a predicate and, beside it,
# the queryset of what it allows) lives in registry.policies; these names stay importable here.
from registry.policies import (  # noqa: F401 - re-exported
    DISTRICT_LEADS,
    FILL_ROLES,
    can_import,
    can_settle_conflict,
    can_view_report,
    can_view_residence,
    district_of,
)

# See residents, households and houses of a place: those who serve it (and auditors).
can_view_residents = holds_at(PEOPLE_ROLES | {Role.AUDITOR}, "can_view_residents")
# Record buildings, households, residences and organisations in a place.
can_manage_residents = holds_at(PEOPLE_ROLES, "can_manage_residents")
# The district's administrators and burden-reduction office: the fields and who owns each,
# the forms ledger (keep, stop or merge forms) and the data-sharing grants.
is_district_lead = holds_at(DISTRICT_LEADS, "is_district_lead", place_of=district_of)


@rules.predicate
def can_register_report(user, department) -> bool:
    """A department's officers register its reports; district leads for any department."""
    if department is None:
        return False
    if holds(user, DISTRICT_LEADS, department.district):
        return True
    return department in officer_departments(user, department.district)


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
rules.add_perm("registry.view_residence", is_superuser | can_view_residence)
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
