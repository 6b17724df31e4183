"""Registry visibility: residences, one-table reports, import sources, conflicts. One predicate
and one queryset per permission, side by side (docs/architecture.md, "Policies");
``tests/test_policies.py`` proves ``obj in queryset(user)`` ⇔ ``has_perm`` for each.

| permission | predicate | queryset |
| --- | --- | --- |
| ``registry.view_residence`` | ``can_view_residence`` (and superusers) | ``visible_residences(user)`` |
| ``registry.view_report`` | ``can_view_report`` (and superusers) | ``visible_reports(user)`` |
| ``registry.import`` (an import source) | ``can_import`` (and superusers) | ``importable_sources(user)`` |
| ``registry.settle_conflict`` | ``can_settle_conflict`` (and superusers) | ``settleable_conflicts(user)`` |
"""

import rules
from django.db.models import Q, QuerySet

from core.models import Department, Place, Role
from core.rules import (
    PEOPLE_ROLES,
    assignments_of,
    holds,
    holds_at,
    officer_departments,
    role_places,
)
from core.selectors import subtrees
from registry.models import Conflict, ImportSource, ReportForm, Residence

DISTRICT_LEADS = {Role.ADMIN, Role.COORDINATOR}
FILL_ROLES = {Role.ADMIN, Role.STREET_OFFICER, Role.COMMUNITY_WORKER, Role.GRID_WORKER}
RESIDENT_READERS = PEOPLE_ROLES | {Role.AUDITOR}
REPORT_READERS = FILL_ROLES | DISTRICT_LEADS | {Role.AUDITOR}
CONFLICT_PLACES = {Role.STREET_OFFICER, Role.COMMUNITY_WORKER}


def district_of(obj) -> Place | None:
    if obj is None:
        return None
    if isinstance(obj, Place):
        return obj if obj.level == "district" else obj.district
    return getattr(obj, "district", None)


def department_of(obj):
    if isinstance(obj, Department):
        return obj
    return getattr(obj, "department", None) or getattr(obj, "owner", None)


def lead_districts(user, roles=DISTRICT_LEADS) -> list[Place]:
    """The places where the user holds one of ``roles`` (for the district roles: districts)."""
    return [a.place for a in assignments_of(user) if a.role in roles]


def of_district_or_department(qs, user, roles, department: str = "department") -> QuerySet:
    """Those in a district where the user holds one of `roles`, or of a department they serve
    (`department`: the path to it)."""
    if user.is_superuser:
        return qs
    return qs.filter(
        Q(district__in=lead_districts(user, roles))
        | Q(**{f"{department}__in": officer_departments(user)})
    )


# ---------------------------------------------------------------- residences


# Who serves (or audits) the residence's community, or its grid (a grid worker). A role held at
# the community reaches the grid inside it, so asking at the grid (when there is one) asks both.
can_view_residence = holds_at(
    RESIDENT_READERS,
    "can_view_residence",
    place_of=lambda residence: residence.grid or residence.community,
)


def in_places_served(user, qs: QuerySet) -> QuerySet:
    """`qs` (rows with a community and a grid) limited to the communities the user serves, or
    their grid (a grid worker): ``can_view_residence`` as a query."""
    if user.is_superuser:
        return qs
    places = role_places(user, RESIDENT_READERS)
    if not places:
        return qs.none()
    within = Place.objects.filter(subtrees(places))
    return qs.filter(Q(community__in=within) | Q(grid__in=within))


def visible_residences(user) -> QuerySet[Residence]:
    """registry.view_residence."""
    return in_places_served(
        user, Residence.objects.select_related("person", "community", "grid", "household")
    )


# ---------------------------------------------------------------- reports


@rules.predicate
def can_view_report(user, report) -> bool:
    """The reporting department's officers, and whoever fills, leads or audits in its district."""
    if report is None:
        return False
    if report.department in officer_departments(user, report.district):
        return True
    return any(
        a.role in REPORT_READERS and a.place.district_id == report.district_id
        for a in assignments_of(user)
    )


def visible_reports(user) -> QuerySet[ReportForm]:
    """registry.view_report."""
    qs = ReportForm.objects.select_related("department", "merged_into")
    if user.is_superuser:
        return qs
    districts = {a.place.district_id for a in assignments_of(user) if a.role in REPORT_READERS}
    return qs.filter(Q(district_id__in=districts) | Q(department__in=officer_departments(user)))


# ---------------------------------------------------------------- imports


@rules.predicate
def can_import(user, source) -> bool:
    """Import a department's file: that department's officers, or a district administrator."""
    district = district_of(source)
    if district is None:
        return False
    if holds(user, {Role.ADMIN}, district):
        return True
    department = department_of(source)
    return department is not None and department in officer_departments(user, district)


def importable_sources(user) -> QuerySet[ImportSource]:
    """registry.import: the import sources of the user's departments, and of the districts
    where the user is an administrator."""
    qs = ImportSource.objects.select_related("department")
    return of_district_or_department(qs, user, {Role.ADMIN})


# ---------------------------------------------------------------- conflicts


@rules.predicate
def can_settle_conflict(user, conflict) -> bool:
    """The owning department settles; for a community-collected field, the community."""
    if conflict is None:
        return False
    if holds(user, {Role.ADMIN}, conflict.district):
        return True
    if conflict.owner_id:
        return conflict.owner in officer_departments(user, conflict.district)
    return conflict.community is not None and holds(user, CONFLICT_PLACES, conflict.community)


def settleable_conflicts(user) -> QuerySet[Conflict]:
    """registry.settle_conflict (open or settled: the services refuse a settled one)."""
    qs = Conflict.objects.select_related(
        "person", "field", "owner", "community", "shown", "challenger"
    )
    if user.is_superuser:
        return qs
    communities = Place.objects.filter(subtrees(role_places(user, CONFLICT_PLACES)))
    return qs.filter(
        Q(owner__in=officer_departments(user))
        | Q(district__in=lead_districts(user, {Role.ADMIN}))
        | Q(owner__isnull=True, community__in=communities)
    )
