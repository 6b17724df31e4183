"""Reads of surge work: the tasks a user may see (the district sees every one and its
approval), each worker's hours and subsidy, and the minutes workload's burden index counts
(registered in WorkforceConfig.ready as the time source "surge")."""

import datetime

from django.db.models import Prefetch, QuerySet, Sum

from core.selectors import subtrees
from workforce.models import SurgeHours, SurgeTask
from workforce.rules import record_places


def tasks_visible_to(user) -> QuerySet[SurgeTask]:
    tasks = SurgeTask.objects.select_related(
        "community", "community__parent", "recorded_by", "decided_by", "rate"
    )
    tasks = tasks.prefetch_related(
        Prefetch("hours", SurgeHours.objects.select_related("worker__person"))
    )
    if user.is_superuser:
        return tasks
    places = record_places(user)  # the tasks name each worker's hours: where records are read
    return tasks.filter(subtrees(places, "community__path")) if places else tasks.none()


def worker_subsidy_fen(task: SurgeTask, hours: SurgeHours) -> int | None:
    if task.rate is None:
        return None
    return -(-hours.minutes * task.rate.hourly_fen // 60)


def minutes_by_community_month(
    community_ids, first_month: datetime.date, last_month: datetime.date
):
    """workload.hooks source: each task's minutes in the month it started, as administration
    (行政事务) — recorded, approved or refused alike: the time was spent."""
    end = (last_month.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    rows = (
        SurgeHours.objects.filter(
            community_id__in=community_ids,
            task__started_on__gte=first_month.replace(day=1),
            task__started_on__lt=end,
        )
        .values_list("community_id", "task__started_on")
        .annotate(minutes=Sum("minutes"))
    )
    for community_id, started_on, minutes in rows:
        yield community_id, started_on.replace(day=1), "administration", minutes


def own_hours(worker) -> list[SurgeHours]:
    return list(
        worker.surge_hours.select_related("task", "task__rate").order_by("-task__started_on")
    )
