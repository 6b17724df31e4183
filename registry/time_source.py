"""The registry's work in communities as a source of the burden index's time (workload.hooks,
issue #13 item 6): what community and grid workers type into the shared registry by hand —
one-table report cells filled, facts recorded, conflicts settled, residences, buildings and
houses registered — is administration (行政事务), counted from the audit events those services
record (one each), per community and local month.

| action | minutes (an estimate, as workload.sources' step figures are) |
| --- | --- |
| ``registry.report_fill`` (one cell of a one-table report) | ``CELL_MINUTES`` |
| ``registry.fact_record`` | ``CELL_MINUTES`` |
| ``registry.conflict_settle`` | ``CONFLICT_MINUTES`` |
| ``registry.residence_set``, ``registry.building_create``, ``registry.house_create`` | ``ROW_MINUTES`` |

Imports are not counted: a file a department sends is read by the machine, which is what the
registry is for. Only workers' own hands count (the actor holds a community or grid worker's
role), so a department officer's or the demo builder's rows are not the community's time.
"""

import datetime

from django.db.models.functions import TruncMonth

CELL_MINUTES = 2
CONFLICT_MINUTES = 10
ROW_MINUTES = 5
MINUTES = {
    "registry.report_fill": CELL_MINUTES,
    "registry.fact_record": CELL_MINUTES,
    "registry.conflict_settle": CONFLICT_MINUTES,
    "registry.residence_set": ROW_MINUTES,
    "registry.building_create": ROW_MINUTES,
    "registry.house_create": ROW_MINUTES,
}
WORKER_ROLES = ("community_worker", "grid_worker")


def _bounds(first_month: datetime.date, last_month: datetime.date):
    end = (last_month.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    return first_month.replace(day=1), end


def hand_work(community_ids, first_month, last_month):
    """(community_id, month, "administration", minutes) of registry work typed by workers."""
    from django.db.models import Count

    from core.models import AuditEvent, Place, RoleAssignment
    from core.selectors import subtrees

    communities = list(Place.objects.filter(pk__in=community_ids).only("pk", "path"))
    if not communities:
        return
    start, end = _bounds(first_month, last_month)
    workers = RoleAssignment.objects.filter(role__in=WORKER_ROLES).values("user_id")
    rows = (
        AuditEvent.objects.filter(
            subtrees(communities, "place_path"),
            action__in=list(MINUTES),
            at__date__gte=start,
            at__date__lt=end,
            actor_id__in=workers,
        )  # fmt: skip
        .annotate(month=TruncMonth("at"))
        .values_list("place_path", "month", "action")
        .annotate(n=Count("id"))
        .order_by()
    )
    for path, month, action, n in rows:
        for community in communities:
            if path.startswith(community.path):
                day = month.date() if isinstance(month, datetime.datetime) else month
                yield community.pk, day.replace(day=1), "administration", n * MINUTES[action]
                break


def register() -> None:
    """Called from RegistryConfig.ready()."""
    from workload import hooks

    hooks.register_time_source("registry", hand_work)
