"""Who reads the district's one page: the district's administrators, coordinators (区减负办)
and auditors, for the district and each of its streets; street officers and street auditors for
their street. Community workers, grid workers, department officers and residents do not: the page
compares streets and communities, and its lists (burden, refusals, staffing…) are the overseers'.
The places a user may pick are dashboard.selectors.outcome_places (the same rule)."""

import rules

from core.models import PlaceLevel, Role
from core.rules import holds, is_superuser, role_places

VIEWERS = {Role.ADMIN, Role.COORDINATOR, Role.STREET_OFFICER, Role.AUDITOR}
LEVELS = {PlaceLevel.DISTRICT, PlaceLevel.STREET}


@rules.predicate
def sees_outcomes(user) -> bool:
    return any(p.level in LEVELS for p in role_places(user, VIEWERS))


@rules.predicate
def sees_outcomes_of(user, place) -> bool:
    return place is not None and place.level in LEVELS and holds(user, VIEWERS, place)


rules.add_perm("dashboard.view_outcomes", is_superuser | sees_outcomes)
rules.add_perm(
    "dashboard.view_outcomes_of",
    (is_superuser & rules.predicate(lambda _u, p: p is not None and p.level in LEVELS))
    | sees_outcomes_of,
)
