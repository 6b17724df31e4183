"""Who may see staffing and change its rules. Staffing is an overview of places: the district's
coordinators and administrators, street officers for their streets, community workers for their
community, auditors; rules are the district's to set."""

import rules

from core.models import Role
from core.rules import holds, is_superuser, role_places

VIEWERS = {Role.ADMIN, Role.COORDINATOR, Role.STREET_OFFICER, Role.COMMUNITY_WORKER, Role.AUDITOR}
RULE_SETTERS = {Role.ADMIN, Role.COORDINATOR}


@rules.predicate
def sees_staffing(user) -> bool:
    return bool(role_places(user, VIEWERS))


@rules.predicate
def sets_rules(user, district) -> bool:
    return district is not None and holds(user, RULE_SETTERS, district)


rules.add_perm("workforce.view_staffing", is_superuser | sees_staffing)
rules.add_perm("workforce.set_staffing_rules", is_superuser | sets_rules)
