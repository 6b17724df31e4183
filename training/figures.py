"""The district's one page: training hours (学时) credited to the scope's community workers
(dashboard.figures row ``training_hours``), in one query.

An attendance credits its 学时 (at most the course's) to the worker, in the community the worker
served when it was recorded; it counts in the twelve months in which the course was held, whether
or not its assessment was passed (the hours owed are reckoned the same way:
training.selectors.hours_by_worker).
"""

from django.db.models import Count, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dashboard.figures import Figure, Scope, Value, register
from training.models import Attendance


def _sums(scope: Scope) -> dict:
    held = "enrolment__course__held_on"
    now = scope.within(held, scope.current, days=True)
    before = scope.within(held, scope.previous, days=True)
    return Attendance.objects.filter(community_id__in=scope.community_ids).aggregate(
        hours_current=Sum("hours", filter=now),
        hours_previous=Sum("hours", filter=before),
        n_current=Count("id", filter=now),
        workers=Count("worker_id", filter=now, distinct=True),
    )


def hours(scope: Scope) -> Value:
    sums = _sums(scope)
    return Value(
        sums["hours_current"] or 0,
        sums["hours_previous"] or 0,
        detail=_("参训%(n)d人次，涉及社区工作者%(workers)d人")
        % {"n": sums["n_current"], "workers": sums["workers"]},
    )


def register_all() -> None:
    register(Figure(
        "training_hours", gettext_lazy("社区工作者培训学时"), gettext_lazy(
            "社区工作者参加培训课程、登记出勤后计入的学时合计（按课程举办日期统计），单位：学时。"
        ), "training:index", hours, query=lambda scope: f"district={scope.district.pk}",
        unit=gettext_lazy("学时"), better="up", order=90,
    ))  # fmt: skip
