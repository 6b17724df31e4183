"""Careers (issue #16 item 8): a worker's next step — the yearly grade and the next post, with
what the district's career rule asks (years in post, the latest annual assessments, the year's
training hours from the training app) — and the district's figures: 持证率 (workers in post
holding a social-work certificate), staff per 10,000 residents and the year's turnover."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from core.models import Place, PlaceLevel
from core.selectors import places_visible_to
from workforce.grades import full_years
from workforce.models import AssessmentResult, CareerRule, Contract, Post, Term, WorkerAssessment
from workforce.workers import in_post, workers_counted_for

NEXT_POST = {Post.OTHER: Post.DEPUTY, Post.MEMBER: Post.DEPUTY, Post.DEPUTY: Post.CHIEF}
GOOD = {AssessmentResult.EXCELLENT, AssessmentResult.COMPETENT}


@dataclass
class Check:
    label: str
    met: bool
    detail: str


@dataclass
class Career:
    rule: CareerRule | None
    next_post: str = ""
    checks: list[Check] = field(default_factory=list)
    training_done: int = 0
    training_due: int = 0
    training_source: str = ""

    @property
    def eligible(self) -> bool:
        return bool(self.next_post) and all(c.met for c in self.checks)


def training_of(worker, year: int) -> tuple[int, int, str]:
    """(hours done, hours due, the rule's source) for the year, from the training app."""
    from training import selectors as training

    done = training.hours_by_worker([worker], year).get(worker.pk, 0)
    requirement = training.requirement_for(year, worker.district_id)
    return done, requirement.hours_for(worker), requirement.source or ""


def career_of(worker, row, day: datetime.date) -> Career:
    rule = CareerRule.objects.in_force(day, district_id=worker.district_id)
    career = Career(rule)
    career.training_done, career.training_due, career.training_source = training_of(
        worker, day.year
    )
    posting = row.posting
    if rule is None or posting is None or posting.post not in NEXT_POST:
        return career
    career.next_post = Post(NEXT_POST[posting.post]).label
    years = full_years(posting.starts_on, day)
    career.checks.append(Check(
        _("现岗位年限"), years >= rule.min_years_in_post,
        _("自%(start)s任现岗位满%(n)d年，须满%(need)d年。")
        % {"start": posting.starts_on.isoformat(), "n": years, "need": rule.min_years_in_post},
    ))  # fmt: skip
    if rule.assessments_needed:
        career.checks.append(_assessments(worker, day.year, rule.assessments_needed))
    if rule.training_required:
        career.checks.append(Check(
            _("培训学时"), career.training_done >= career.training_due,
            _("%(year)d年已完成%(done)d学时，应完成%(due)d学时。")
            % {"year": day.year, "done": career.training_done, "due": career.training_due},
        ))  # fmt: skip
    return career


def _assessments(worker, year: int, needed: int) -> Check:
    years = list(range(year - needed, year))
    found = dict(
        WorkerAssessment.objects.filter(worker=worker, year__in=years).values_list("year", "result")
    )
    labels = dict(AssessmentResult.choices)
    shown = "、".join(f"{y}{labels[found[y]]}" if y in found else _("%(y)d未考核") % {"y": y} for y in years)  # fmt: skip
    met = all(found.get(y) in GOOD for y in years)
    return Check(
        _("年度考核"),
        met,
        _("须近%(n)d个年度均称职以上：%(shown)s。") % {"n": needed, "shown": shown},
    )


@dataclass
class Figures:
    in_post: int
    certified: int
    residents: int
    at_year_start: int
    left: int

    @property
    def certified_percent(self) -> float | None:
        return round(self.certified * 100 / self.in_post, 1) if self.in_post else None

    @property
    def per_10k(self) -> float | None:
        return round(self.in_post * 10_000 / self.residents, 1) if self.residents else None

    @property
    def turnover_percent(self) -> float | None:
        return round(self.left * 100 / self.at_year_start, 1) if self.at_year_start else None


def district_figures(user, district: Place, day: datetime.date) -> Figures:
    """持证率, staff per 10,000 residents and this year's turnover (workers who left since
    1 January over those in post then), over the communities the user may see. Five queries."""
    residents = sum(
        places_visible_to(user)
        .filter(district=district, level=PlaceLevel.COMMUNITY, is_active=True)
        .values_list("population", flat=True)
    )
    visible = workers_counted_for(user).filter(district=district)
    now = visible.filter(in_post(day))
    start = day.replace(month=1, day=1)
    left = set(Contract.objects.filter(worker__in=visible, exited_on__gte=start, exited_on__lte=day)
               .values_list("worker_id", flat=True))  # fmt: skip
    left |= set(Term.objects.filter(worker__in=visible).filter(
        Q(ended_on__gte=start, ended_on__lte=day)).values_list("worker_id", flat=True))  # fmt: skip
    return Figures(
        in_post=now.count(),
        certified=now.filter(qualifications__obtained_on__lte=day).distinct().count(),
        residents=residents,
        at_year_start=visible.filter(in_post(start)).count(),
        left=len(left),
    )
