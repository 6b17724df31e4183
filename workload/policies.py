"""Who may see which task and which community's work (docs/architecture.md, "Policies": each
predicate for ``rules.py`` beside its queryset for ``selectors.py``; ``tests/test_policies.py``
checks that each pair agrees).

| permission | predicate | queryset |
| --- | --- | --- |
| ``workload.view_task`` | ``can_view_task`` (and superusers) | ``visible_tasks(user)`` |
| ``workload.view_community_work`` (a community: its tasks, ledger, time and burden) | ``can_view_community_work`` | ``watched_communities(user)`` |

Refused work and logged time have no object permission: their lists read ``worked_or_sent`` and
``in_watched_communities``, the querysets of the two policies above.
"""

import rules
from django.db.models import Q, QuerySet

from admission.offices import acting_units, acts_for
from core.models import Place, PlaceLevel, Role
from core.rules import holds, holds_at, role_places
from core.selectors import subtrees
from workload.models import Task

WORKERS = {Role.COMMUNITY_WORKER}
# Who may read a community's tasks, ledger and burden: those who work there or oversee it.
OVERSEERS = {Role.STREET_OFFICER, Role.COORDINATOR, Role.ADMIN, Role.AUDITOR}


# ---------------------------------------------------------------- a community's work

can_view_community_work = holds_at(WORKERS | OVERSEERS, "can_view_community_work")


def watched_q(user, path: str = "path") -> Q:
    """Rows (``path``: the lookup to their community's path) of the communities the user works
    in or oversees."""
    return subtrees(role_places(user, WORKERS | OVERSEERS), path)


def watched_communities(user) -> QuerySet[Place]:
    """workload.view_community_work: the communities whose work the user does or oversees."""
    communities = Place.objects.filter(level=PlaceLevel.COMMUNITY)
    if user.is_superuser:
        return communities
    return communities.filter(watched_q(user))


def in_watched_communities(queryset: QuerySet, user) -> QuerySet:
    """`queryset` (rows with a community) narrowed to the communities the user watches."""
    return queryset if user.is_superuser else queryset.filter(watched_q(user, "community__path"))


# ---------------------------------------------------------------- tasks


@rules.predicate
def can_view_task(user, task) -> bool:
    """Who works in or oversees the task's community, and the officers of the department (or
    street office) that sent it."""
    if task is None:
        return False
    if holds(user, WORKERS | OVERSEERS, task.community):
        return True
    return acts_for(user, task.department)


def worked_or_sent(queryset: QuerySet, user) -> QuerySet:
    """Rows (with a community and a department) of the communities the user works in or
    oversees, and of the departments the user serves as an officer (all for a superuser)."""
    if user.is_superuser:
        return queryset
    return queryset.filter(
        watched_q(user, "community__path") | Q(department__in=acting_units(user))
    )


def visible_tasks(user) -> QuerySet[Task]:
    """workload.view_task."""
    return worked_or_sent(Task.objects.select_related("community", "item", "department"), user)
