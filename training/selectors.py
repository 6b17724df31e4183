"""Reads of the training app. ``hours_by_worker`` and ``requirement_for`` are what other apps
(workforce's careers: promotion eligibility, a worker's own page) read."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, Sum

from core import clock
from core.models import Place, PlaceLevel
from core.rules import role_places
from core.selectors import subtrees
from training.models import (
    Attendance,
    ContentArea,
    Course,
    Enrolment,
    Survey,
    SurveyAnswer,
    TrainingRule,
)
from workforce.models import Worker


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
    keys = {} if district is None else {"district": district}
    return TrainingRule.objects.in_force(day, **keys)


def requirement_for(year: int, district: Place | None = None) -> Requirement:
    """The requirement of ``year`` in ``district`` (a deployment of one district may omit it):
    the rule in force on 31 December of the year; no rule yet: zero hours, source empty."""
    rule = rule_in_force(getattr(district, "pk", district), datetime.date(year, 12, 31))
    if rule is None:
        return Requirement(year, 0, 0, 0, "", None)
    return Requirement(year=year, hours=rule.annual_hours, induction_months=rule.induction_months,
                       induction_hours=rule.induction_hours, source=rule.source, rule=rule)  # fmt: skip


# ---------------------------------------------------------------- pages


def courses_visible_to(user):
    """Courses of the plans whose place is within or above the places where the user holds a
    viewing role (a street officer sees the district's courses and their street's)."""
    from training.rules import VIEWERS

    courses = Course.objects.select_related("plan", "plan__street", "area")
    if user.is_superuser:
        return courses
    places = role_places(user, VIEWERS)
    if not places:
        return courses.none()
    query = Q(pk__in=[])
    for place in places:
        street = place if place.level == PlaceLevel.STREET else None
        if place.level == PlaceLevel.DISTRICT:
            query |= Q(district_id=place.pk)
        elif street is not None:
            query |= Q(district_id=place.district_id, plan__street__isnull=True)
            query |= Q(plan__street=street)
        else:  # a community auditor: the district's courses and their street's
            query |= Q(district_id=place.district_id, plan__street__isnull=True)
            query |= Q(plan__street_id=place.parent_id)
    return courses.filter(query)


def workers_visible_to(user):
    """Worker files (workforce's) of the communities where the user holds a viewing role."""
    from training.rules import VIEWERS

    workers = Worker.objects.select_related("person", "community", "community__parent")
    if user.is_superuser:
        return workers
    return workers.filter(subtrees(role_places(user, VIEWERS), "community__path"))


def own_worker(user):
    if not user.is_authenticated:
        return None
    return (
        Worker.objects.select_related("person", "community", "community__parent")
        .filter(person__account=user)
        .first()
    )


@dataclass
class HoursRow:
    worker: object
    hours: int
    due: int
    is_new: bool

    @property
    def met(self) -> bool:
        return self.hours >= self.due

    @property
    def short(self) -> int:
        return max(self.due - self.hours, 0)

    @property
    def percent(self) -> int:
        return min(100, self.hours * 100 // self.due) if self.due else 100


def hours_rows(workers, year: int, district) -> tuple[Requirement, list[HoursRow]]:
    """The year's requirement and one row per worker: hours done against hours due, the furthest
    behind first."""
    workers = list(workers)
    requirement = requirement_for(year, district)
    done = hours_by_worker(workers, year)
    rows = [
        HoursRow(w, done[w.pk], requirement.hours_for(w), requirement.is_new(w)) for w in workers
    ]
    rows.sort(key=lambda r: (r.met, r.percent, r.worker.community.code, r.worker.pk))
    return requirement, rows


def needs_tally(survey) -> list[tuple[ContentArea, int]]:
    """How many workers asked for each content area in a survey, most asked first."""
    counts = dict(
        SurveyAnswer.areas.through.objects.filter(surveyanswer__survey=survey)
        .values("contentarea_id")
        .annotate(n=Count("id"))
        .values_list("contentarea_id", "n")
    )
    areas = ContentArea.objects.filter(district_id=survey.district_id)
    return sorted(((a, counts.get(a.pk, 0)) for a in areas), key=lambda x: (-x[1], x[0].order))


def own_training(worker, year: int) -> dict:
    """A worker's own page: the year's hours against what they owe, their courses and
    certificates, and the open surveys they have not answered."""
    requirement, rows = hours_rows([worker], year, worker.district_id)
    enrolments = list(
        Enrolment.objects.filter(worker=worker)
        .select_related("course", "course__area", "attendance", "attendance__certificate")
        .order_by("-course__held_on")
    )  # fmt: skip
    answered = SurveyAnswer.objects.filter(worker=worker).values("survey_id")
    surveys = list(
        Survey.objects.filter(district_id=worker.district_id, closes_on__gte=clock.today())
        .exclude(pk__in=answered)
    )  # fmt: skip
    return {
        "requirement": requirement,
        "row": rows[0],
        "enrolments": enrolments,
        "surveys": surveys,
    }
