"""The monthly burden summary (``BurdenMonth``): kept up to date by the workload services in
the same transaction as the work they record, and recounted from the raw rows by
``rebuild`` (a job, the migration that creates the table, and the tests that compare both).
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from admission.selectors import WorkKind


def month_of(moment) -> datetime.date:
    """The local (Asia/Shanghai) month of a moment or a day, as its first day."""
    if isinstance(moment, datetime.datetime):
        moment = timezone.localtime(moment).date()
    return moment.replace(day=1)


def bump(*, community, month: datetime.date, **deltas: int) -> None:
    """Add `deltas` to the community's month. Only called inside a workload service's
    transaction, so the summary commits or rolls back with the work it counts."""
    from workload.models import BurdenMonth

    deltas = {name: value for name, value in deltas.items() if value}
    if not deltas:
        return
    month = month.replace(day=1)
    rows = BurdenMonth.objects.filter(community_id=community.pk, month=month)
    if rows.update(**{name: F(name) + value for name, value in deltas.items()}):
        return
    try:
        with transaction.atomic():
            BurdenMonth.objects.create(
                district_id=community.district_id, community_id=community.pk, month=month,
                **deltas,
            )  # fmt: skip
    except IntegrityError:  # created meanwhile by a concurrent transaction
        rows.update(**{name: F(name) + value for name, value in deltas.items()})


def recount(community_ids=None, *, models=None) -> dict[tuple[int, datetime.date], dict]:
    """Every community month counted again from tasks, refusals and time logs.

    `models` (Task, RefusedWork, TimeLog) lets a migration pass its historical models.
    """
    if models is None:
        from workload.models import RefusedWork, Task, TimeLog
    else:
        Task, RefusedWork, TimeLog = models
    rows: dict[tuple[int, datetime.date], dict] = {}

    def row(district_id, community_id, month):
        key = (community_id, month_of(month))
        if key not in rows:
            rows[key] = {"district_id": district_id}
        return rows[key]

    def scoped(queryset):
        return (
            queryset if community_ids is None else queryset.filter(community_id__in=community_ids)
        )

    done = Q(status="done")
    for t in (
        scoped(Task.objects.all())
        .annotate(month=TruncMonth("created_at"))
        .values("district_id", "community_id", "month")
        .annotate(
            tasks=Count("id"),
            done=Count("id", filter=done),
            forms=Count("id", filter=Q(item__kind=WorkKind.FORM)),
            inspections=Count("id", filter=Q(item__kind=WorkKind.INSPECTION)),
            meetings=Count("id", filter=Q(item__kind=WorkKind.MEETING)),
            estimated_minutes=Sum("item__minutes_per_community"),
            logged_minutes=Sum("minutes_spent", filter=done),
            open_estimate_minutes=Sum("item__minutes_per_community", filter=~done),
        )
    ):
        r = row(t.pop("district_id"), t.pop("community_id"), t.pop("month"))
        r.update({name: value or 0 for name, value in t.items()})
    for f in (
        scoped(RefusedWork.objects.all())
        .annotate(month=TruncMonth("refused_at"))
        .values("district_id", "community_id", "month")
        .annotate(n=Count("id"))
    ):
        row(f["district_id"], f["community_id"], f["month"])["refused_unadmitted"] = f["n"]
    for g in (
        scoped(TimeLog.objects.all())
        .annotate(month=TruncMonth("day"))
        .values("district_id", "community_id", "month", "category")
        .annotate(minutes=Sum("minutes"))
    ):
        r = row(g["district_id"], g["community_id"], g["month"])
        r[f"{g['category']}_minutes"] = g["minutes"] or 0
    return rows


def rebuild(community_ids=None, *, models=None) -> int:
    """Replace the summary rows (of `community_ids`, or all) by a recount. Returns rows written."""
    if models is None:
        from workload.models import BurdenMonth, RefusedWork, Task, TimeLog

        models = (Task, RefusedWork, TimeLog, BurdenMonth)
    BurdenMonth = models[3]
    with transaction.atomic():
        existing = BurdenMonth.objects.all()
        if community_ids is not None:
            existing = existing.filter(community_id__in=community_ids)
        existing.delete()
        counted = recount(community_ids, models=models[:3])
        BurdenMonth.objects.bulk_create(
            [
                BurdenMonth(community_id=community_id, month=month, **values)
                for (community_id, month), values in counted.items()
            ],
            batch_size=2000,
        )
    return len(counted)


def stored(community_ids=None) -> dict[tuple[int, datetime.date], dict]:
    """The summary rows as `recount` returns them (for comparing the two)."""
    from workload.models import BurdenMonth

    rows = BurdenMonth.objects.all()
    if community_ids is not None:
        rows = rows.filter(community_id__in=community_ids)
    result = {}
    for r in rows.values("district_id", "community_id", "month", *BurdenMonth.COUNTS):
        key = (r.pop("community_id"), r.pop("month"))
        values = {name: value for name, value in r.items() if value or name == "district_id"}
        result[key] = values
    return result
