"""Demo work in communities: a year of tasks from the admitted demo items, most completed by the
communities' workers, and a few refusals of un-admitted work. Runs after admission's builder.

The tasks are dispatched and completed through the services, month by month; after each month
the demo moves that month's rows back to their month (demo history only — a real deployment
never rewrites timestamps) so the burden trend has a year to show.
"""

import datetime
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from admission.selectors import active_items
from core import calendar as workcal
from core.models import Department, Notification, Place, PlaceLevel, Role, RoleAssignment
from core.selectors import role_holders
from workload import services
from workload.models import RefusedWork, Task, Trace


def _month_starts(today: datetime.date, count: int) -> list[datetime.date]:
    months = [today.replace(day=1)]
    while len(months) < count:
        months.insert(0, (months[0] - datetime.timedelta(days=1)).replace(day=1))
    return months


def _workers_by_community(district) -> dict:
    workers = {}
    for a in (
        RoleAssignment.objects.active()
        .filter(role=Role.COMMUNITY_WORKER, place__district=district)
        .order_by("user_id")
    ):
        workers.setdefault(a.place_id, a.user)
    return workers


def build(*, district, builder, seed, out):
    rng = random.Random(f"workload:{seed}")
    items = list(active_items(district))
    if not items:
        return
    workers = _workers_by_community(district)
    today = workcal.local_today()
    months = _month_starts(today, 12)
    created = 0
    for m_index, month in enumerate(months):
        for item in items:
            tasks = _dispatch_month(item, month, m_index, months, rng, seed)
            created += len(tasks)
            _complete(tasks, item, workers, rng, last_month=month == months[-1])
            if month != months[-1]:
                _move_back(tasks, month, rng)
                # Demo history: the notices of past months have long been read.
                Notification.objects.filter(title__endswith=f"（{month:%Y年%m月}）").update(
                    read_at=timezone.now()
                )
    refusals = _refusals(district, workers, months)
    # The history above was moved back around the services: count it into the summary again.
    services.burden_rebuild(
        actor=builder,
        community_ids=list(
            Place.objects.filter(district=district, level=PlaceLevel.COMMUNITY).values_list(
                "pk", flat=True
            )
        ),
    )
    # No typed time logs: the burden page's shares come from activity (workload.sources).
    out(f"社区任务：{created} 个任务，{refusals} 次拒绝未准入事项")


def _dispatch_month(item, month, m_index, months, rng, seed) -> list:
    """The item's tasks of one month (none when its frequency skips the month)."""
    if item.department.street_id is not None:  # a street office: its street officer sends
        officer = role_holders({Role.STREET_OFFICER}, places=[item.department.street_id]).first()
    else:
        officer = (
            get_user_model().objects.filter(username=f"qh-{item.department.short_code}").first()
        )
    if officer is None:
        return []
    if item.frequency == "quarterly" and month.month % 3 != 1:
        return []
    if item.frequency == "yearly" and month != months[-3]:
        return []
    scope = [
        s.community for s in item.scopes.select_related("community").order_by("community__code")
    ]
    # The burden falls over the year: fewer communities receive the monthly task late on.
    share = max(0.35, 1.0 - m_index * 0.06)
    chosen = [c for c in scope if rng.random() < share][:40] or scope[:1]
    return services.tasks_dispatch(
        actor=officer, item=item, communities=chosen, title=f"{item.title}（{month:%Y年%m月}）",
        due_in_working_days=10, dispatch_token=f"demo-{seed}-{item.pk}-{month:%Y%m}",
    )  # fmt: skip


def _complete(tasks, item, workers, rng, *, last_month: bool) -> None:
    """The community's worker completes most tasks (about half of this month's)."""
    for task in tasks:
        worker = workers.get(task.community_id)
        if worker is None or (last_month and rng.random() < 0.5):
            continue
        spent = max(10, int(item.minutes_per_community * rng.uniform(0.6, 1.3)))
        services.task_complete(
            actor=worker, task=task, minutes_spent=spent, result="已按要求完成。"
        )


def _refusals(district, workers, months) -> int:
    """A few communities refuse un-admitted work sent by a work group message."""
    refusals = 0
    departments = {d.short_code: d for d in Department.objects.filter(district=district)}
    for community_id, worker in list(workers.items())[:6]:
        department = departments.get("cg") or next(iter(departments.values()))
        refusal = services.unadmitted_refuse(
            actor=worker, community=worker.role_assignments.get(place_id=community_id).place,
            department=department, channel="message",
            description="工作群通知社区对辖区违建拍照取证并每日报送照片。",
        )  # fmt: skip
        refusals += 1
        if refusals % 2 == 0:
            _move_refusal_back(refusal, months[-2 - refusals % 4])
    # Street offices push un-admitted work too: two communities name theirs.
    for community_id, worker in list(workers.items())[:2]:
        services.unadmitted_refuse(
            actor=worker, community=worker.role_assignments.get(place_id=community_id).place,
            street_office=True, channel="meeting",
            description="街道例会要求社区每周报送创建文明城市迎检台账。",
        )  # fmt: skip
        refusals += 1
    return refusals


def _at(month: datetime.date, day: int, hour: int):
    return timezone.make_aware(datetime.datetime(month.year, month.month, day, hour, 0))


def _move_back(tasks, month, rng):
    for task in tasks:
        created = _at(month, rng.randint(1, 8), 9)
        fields = {"created_at": created, "due_at": created + datetime.timedelta(days=14)}
        if Task.objects.filter(pk=task.pk).exclude(status=Task.Status.OPEN).exists():
            fields["closed_at"] = created + datetime.timedelta(days=rng.randint(2, 12))
        Task.objects.filter(pk=task.pk).update(**fields)
        Trace.objects.filter(task=task, action="assigned").update(at=created)
        if "closed_at" in fields:
            Trace.objects.filter(task=task).exclude(action="assigned").update(
                at=fields["closed_at"]
            )


def _move_refusal_back(refusal, month):
    moment = _at(month, 12, 10)
    RefusedWork.objects.filter(pk=refusal.pk).update(refused_at=moment)
    Trace.objects.filter(
        action="refused_unadmitted", community=refusal.community, note=refusal.description
    ).update(at=moment)
