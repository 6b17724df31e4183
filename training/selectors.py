"""Reads of the training app. ``hours_by_worker`` and ``requirement_for`` are what other apps
(workforce's careers: promotion eligibility, a worker's own page) read."""

import datetime
from dataclasses import dataclass

from django.db.models import Sum

from core.models import Place
from training.models import Attendance, TrainingRule


def hours_by_worker(workers, year: int) -> dict[int, int]:
    """{worker id: 学时 credited in ``year``} for the given workers (or their ids); a worker
    with no attendance that year is 0. One query."""
    ids = [getattr(w, "pk", w) for w in workers]
    totals = dict.fromkeys(ids, 0)
    rows = (
        Attendance.objects.filter(worker_id__in=ids, year=year)
        .values("worker_id")
        .annotate(total=Sum("hours"))
    )
    for row in rows:
        totals[row["worker_id"]] = row["total"] or 0
    return totals


@dataclass(frozen=True)
class Requirement:
    """The training requirement of a year, by the rule in force on its last day."""

    year: int
    hours: int  # 学时 a year for every worker
    induction_months: int
    induction_hours: int  # on top, for a worker who started within induction_months
    source: str
    rule: TrainingRule | None

    def hours_for(self, worker) -> int:
        """The 学时 ``worker`` owes in the year: the yearly hours, plus the induction's if they
        started community work within the rule's months before the year's end."""
        return self.hours + (self.induction_hours if self.is_new(worker) else 0)

    def is_new(self, worker) -> bool:
        end = datetime.date(self.year, 12, 31)
        start = worker.service_start
        months = (end.year - start.year) * 12 + end.month - start.month
        return start <= end and months < self.induction_months


def rule_in_force(district, day: datetime.date) -> TrainingRule | None:
    rules = TrainingRule.objects.filter(effective_from__lte=day)
    if district is not None:
        rules = rules.filter(district=district)
    return rules.order_by("-effective_from", "-id").first()


def requirement_for(year: int, district: Place | None = None) -> Requirement:
    """The requirement of ``year`` in ``district`` (a deployment of one district may omit it):
    the rule in force on 31 December of the year; no rule yet: zero hours, source empty."""
    rule = rule_in_force(getattr(district, "pk", district), datetime.date(year, 12, 31))
    if rule is None:
        return Requirement(year, 0, 0, 0, "", None)
    return Requirement(year=year, hours=rule.annual_hours, induction_months=rule.induction_months,
                       induction_hours=rule.induction_hours, source=rule.source, rule=rule)  # fmt: skip
