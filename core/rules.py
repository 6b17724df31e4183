"""Who may do what, where. Predicates compose with & and |; the matrix test covers them all.

A role is held at a place and reaches that place's whole subtree. Permission checks on an
object ask two things: does the user hold a role that allows the action, and is the object
inside the place where they hold it.
"""

import rules

from core.models import STAFF_ROLES, Place, PlaceLevel, Role, RoleAssignment


def assignments_of(user) -> list[RoleAssignment]:
    """Active assignments, cached on the user object for the rest of the request."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_linli_assignments", None)
    if cached is None:
        cached = list(
            RoleAssignment.objects.active().filter(user=user).select_related("place", "department")
        )
        user._linli_assignments = cached
    return cached


# Roles that only read: an auditor sees what their place shows and changes nothing, anywhere.
# A predicate that allows a write for "any role" counts only the others (acting_assignments).
READ_ONLY_ROLES = frozenset({Role.AUDITOR})


def acting_assignments(user) -> list[RoleAssignment]:
    """The user's active assignments that may write (every role but the read-only ones)."""
    return [a for a in assignments_of(user) if a.role not in READ_ONLY_ROLES]


def forget_assignments(user) -> None:
    user.__dict__.pop("_linli_assignments", None)


def holds(user, roles, place: Place, *, strictly_below: bool = False) -> bool:
    """True if the user holds one of `roles` at `place` or at one of its ancestors."""
    for assignment in assignments_of(user):
        if assignment.role in roles and place.is_within(assignment.place):
            if strictly_below and place.pk == assignment.place_id:
                continue
            return True
    return False


def holds_at(roles, name: str, *, place_of=None) -> rules.Predicate:
    """The predicate ``name``: the user holds one of ``roles`` at the object, a Place (or at
    ``place_of(object)``), or above it; never when there is no place."""

    def check(user, obj) -> bool:
        place = obj if place_of is None or obj is None else place_of(obj)
        return place is not None and holds(user, roles, place)

    return rules.predicate(check, name=name)


def role_places(user, roles) -> list[Place]:
    return [a.place for a in assignments_of(user) if a.role in roles]


def officer_departments(user, district=None) -> list:
    """The departments the user serves as a department officer (at `district` if given)."""
    return [
        a.department
        for a in assignments_of(user)
        if a.role == Role.DEPARTMENT_OFFICER
        and a.department_id
        and (district is None or a.place_id == district.pk)
    ]


is_superuser = rules.is_superuser

STRUCTURE_ROLES = {Role.ADMIN, Role.COORDINATOR}
PEOPLE_ROLES = {Role.ADMIN, Role.STREET_OFFICER, Role.COMMUNITY_WORKER, Role.GRID_WORKER}
# The roles each role may hand out, always at a place inside its own.
GRANTABLE = {
    Role.ADMIN: set(Role),
    Role.COORDINATOR: {
        Role.DEPARTMENT_OFFICER,
        Role.STREET_OFFICER,
        Role.COMMUNITY_WORKER,
        Role.GRID_WORKER,
        Role.SOCIAL_ORG_MEMBER,
        Role.SUPERVISION_MEMBER,
        Role.PROPERTY_STAFF,
    },
    Role.STREET_OFFICER: {
        Role.COMMUNITY_WORKER,
        Role.GRID_WORKER,
        Role.RESIDENT,
        Role.SOCIAL_ORG_MEMBER,
        Role.SUPERVISION_MEMBER,
        Role.PROPERTY_STAFF,
    },
    Role.COMMUNITY_WORKER: {Role.GRID_WORKER, Role.RESIDENT},
}


@rules.predicate
def can_view_place(user, place: Place) -> bool:
    """A place in the subtree of one of the user's places, or on the way up to it."""
    if place is None:
        return False
    return any(place.is_within(a.place) or a.place.is_within(place) for a in assignments_of(user))


# Create, move, merge or close places under a place (a district-level decision).
can_restructure = holds_at(STRUCTURE_ROLES, "can_restructure")


@rules.predicate
def can_change_place(user, place: Place) -> bool:
    """Rename a place or update its population and household counts."""
    if place is None:
        return False
    if holds(user, STRUCTURE_ROLES, place):
        return True
    if place.level in (PlaceLevel.COMMUNITY, PlaceLevel.GRID) and holds(
        user, {Role.STREET_OFFICER}, place, strictly_below=True
    ):
        return True
    return place.level == PlaceLevel.GRID and holds(
        user, {Role.COMMUNITY_WORKER}, place, strictly_below=True
    )


@rules.predicate
def can_add_grid(user, community: Place) -> bool:
    return (
        community is not None
        and community.level == PlaceLevel.COMMUNITY
        and holds(user, STRUCTURE_ROLES | {Role.STREET_OFFICER}, community)
    )


can_manage_departments = holds_at(STRUCTURE_ROLES, "can_manage_departments")


@rules.predicate
def can_assign_roles_at(user, place: Place) -> bool:
    """May hand out at least one role at `place`."""
    return place is not None and bool(grantable_roles(user, place))


def grantable_roles(user, place: Place) -> set[str]:
    if user.is_superuser:
        return set(Role)
    allowed: set[str] = set()
    for assignment in assignments_of(user):
        if assignment.role in GRANTABLE and place.is_within(assignment.place):
            allowed |= GRANTABLE[assignment.role]
    return allowed


can_view_audit = holds_at({Role.AUDITOR, Role.ADMIN}, "can_view_audit")


@rules.predicate
def can_view_audit_log(user) -> bool:
    return bool(role_places(user, {Role.AUDITOR, Role.ADMIN}))


def _self_or_holds(user, person, roles) -> bool:
    """The person's own login, or one of ``roles`` held where the person lives."""
    if person is None:
        return False
    if person.account_id and person.account_id == user.pk:
        return True
    return person.place is not None and holds(user, roles, person.place)


@rules.predicate
def can_view_person(user, person) -> bool:
    return _self_or_holds(user, person, PEOPLE_ROLES | {Role.AUDITOR})


@rules.predicate
def can_view_person_full(user, person) -> bool:
    """Full ID and mobile numbers: the people who serve the person, never auditors."""
    return _self_or_holds(user, person, PEOPLE_ROLES)


@rules.predicate
def can_manage_calendar(user) -> bool:
    return bool(role_places(user, {Role.ADMIN}))


@rules.predicate
def is_staff_member(user) -> bool:
    return any(a.role in STAFF_ROLES for a in assignments_of(user))


rules.add_perm("core.view_place", is_superuser | can_view_place)
rules.add_perm("core.change_place", is_superuser | can_change_place)
rules.add_perm("core.restructure_place", is_superuser | can_restructure)
rules.add_perm("core.add_grid", is_superuser | can_add_grid)
rules.add_perm("core.manage_departments", is_superuser | can_manage_departments)
rules.add_perm("core.assign_roles_at", is_superuser | can_assign_roles_at)
rules.add_perm("core.view_audit", is_superuser | can_view_audit)
rules.add_perm("core.view_audit_log", is_superuser | can_view_audit_log)
rules.add_perm("core.view_person", is_superuser | can_view_person)
rules.add_perm("core.view_person_full", is_superuser | can_view_person_full)
rules.add_perm("core.manage_calendar", is_superuser | can_manage_calendar)
rules.add_perm("core.use_staff_pages", is_superuser | is_staff_member)


# The roles that oversee places: theirs are the directory of places (辖区) and API tokens for
# scripts. A grid worker's grid and a resident's home are on their workbench, and neither writes
# scripts (the API still answers a token of theirs: it is how an app made for residents works).
# A property company's staff see only the requests routed to their company.
OVERSEEING_ROLES = STAFF_ROLES - {Role.GRID_WORKER, Role.PROPERTY_STAFF}


@rules.predicate
def oversees_places(user) -> bool:
    return any(a.role in OVERSEEING_ROLES for a in assignments_of(user))


rules.add_perm("core.browse_places", is_superuser | oversees_places)
rules.add_perm("core.use_api_tokens", is_superuser | oversees_places)


# A resident's request to be linked to their registry record (core.AccountLink): decided by a
# community worker of the community the resident named.
can_review_account_link = holds_at(
    {Role.COMMUNITY_WORKER}, "can_review_account_link", place_of=lambda link: link.community
)


@rules.predicate
def reviews_account_links(user) -> bool:
    return bool(role_places(user, {Role.COMMUNITY_WORKER}))


rules.add_perm("core.review_account_link", is_superuser | can_review_account_link)
rules.add_perm("core.review_account_links", is_superuser | reviews_account_links)
