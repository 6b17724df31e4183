"""Scoped reads: every list a page or API shows comes from here, already limited to the user."""

from django.db.models import Q, QuerySet

from core.models import (
    AuditEvent,
    Department,
    Notification,
    Person,
    Place,
    Role,
    RoleAssignment,
)
from core.rules import PEOPLE_ROLES, assignments_of, role_places


def subtrees(places, path: str = "path") -> Q:
    """Rows whose ``path`` (a lookup that ends at a Place's path: "path", "community__path"…)
    lies within one of ``places``; no row when there are none."""
    query = Q(pk__in=[])
    for place in places:
        query |= Q(**{f"{path}__startswith": place.path})
    return query


def places_visible_to(user) -> QuerySet[Place]:
    """Places in the subtrees where the user holds a role, plus the chain above them."""
    if user.is_superuser:
        return Place.objects.all()
    places = [a.place for a in assignments_of(user)]
    if not places:
        return Place.objects.none()
    ancestor_ids = {int(pid) for p in places for pid in p.path.strip("/").split("/")}
    return Place.objects.filter(subtrees(places) | Q(pk__in=ancestor_ids))


def role_holders(roles, *, places=None, department=None) -> QuerySet:
    """Active users who hold one of `roles` now — at one of `places` and/or for `department`
    when given (exactly there, not above or below) — in a stable order, for notices."""
    from django.contrib.auth import get_user_model

    # One filter() call, so every condition applies to the same role assignment.
    conditions = {"role_assignments__role__in": list(roles)}
    if places is not None:
        conditions["role_assignments__place__in"] = places
    if department is not None:
        conditions["role_assignments__department"] = department
    return (
        get_user_model()
        .objects.filter(is_active=True, role_assignments__ended_at__isnull=True, **conditions)
        .distinct()
        .order_by("pk")
    )


def districts_of(user) -> QuerySet[Place]:
    return places_visible_to(user).filter(level="district")


def chosen_district(request, districts: list[Place]) -> Place:
    """The district a page's ``?district=`` picks among ``districts`` (the user's), else the
    first: an id the user may not see picks nothing of theirs."""
    wanted = request.GET.get("district")
    return next((d for d in districts if str(d.pk) == wanted), districts[0])


def departments_visible_to(user) -> QuerySet[Department]:
    if user.is_superuser:
        return Department.objects.all()
    district_ids = {a.place.district_id for a in assignments_of(user)}
    return Department.objects.filter(district_id__in=district_ids)


def people_visible_to(user) -> QuerySet[Person]:
    """People who belong to a place where the user serves (or audits); always the user too."""
    if user.is_superuser:
        return Person.objects.all()
    places = role_places(user, PEOPLE_ROLES | {Role.AUDITOR})
    query = Q(account=user)
    if places:
        # The place ids are listed (a district has about 1,500 places) rather than given as a
        # subquery, so PostgreSQL can estimate how many people they hold and choose its plan:
        # a grid's few hundred people by their place, a district's million by the name index.
        place_ids = list(Place.objects.filter(subtrees(places)).values_list("pk", flat=True))
        query |= Q(place_id__in=place_ids)
    return Person.objects.filter(query)


def role_assignments_visible_to(user) -> QuerySet[RoleAssignment]:
    """Assignments at places the user may hand roles out at, or audits, plus their own."""
    if user.is_superuser:
        return RoleAssignment.objects.all()
    from core.rules import GRANTABLE

    places = role_places(user, set(GRANTABLE) | {Role.AUDITOR})
    query = Q(user=user)
    if places:
        query |= Q(place__in=Place.objects.filter(subtrees(places)))
    return RoleAssignment.objects.filter(query)


def audit_events_visible_to(user) -> QuerySet[AuditEvent]:
    if user.is_superuser:
        return AuditEvent.objects.all()
    places = role_places(user, {Role.AUDITOR, Role.ADMIN})
    if not places:
        return AuditEvent.objects.none()
    query = Q(pk__in=[])
    for place in places:
        query |= Q(place_path__startswith=place.path)
    return AuditEvent.objects.filter(query)


def unread_notifications(user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user, read_at__isnull=True)


def account_links_to_review(user) -> QuerySet:
    """Residents' pending requests to be linked to their registry record, in the communities
    where the user is a community worker (core.review_account_link), oldest first."""
    from core.models import AccountLink, LinkState

    pending = AccountLink.objects.filter(state=LinkState.PENDING)
    if not user.is_superuser:
        communities = role_places(user, {Role.COMMUNITY_WORKER})
        pending = pending.filter(subtrees(communities, "community__path"))
    return pending.select_related(
        "community", "person", "person__place", "user__signup_mobile"
    ).order_by("created_at", "pk")
