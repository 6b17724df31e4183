"""Reads of the annual assessment: what a community's assessment is decided on (the rule in
force, the workers in post at the year's end, the community's own result and the residents'
民主评议 from oversight, the quota of 优秀), the years it pauses (a workforce.hooks source), the
results a user may see and a worker's performance pay."""

import datetime
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core import clock
from core.models import Place
from core.rules import role_places
from core.selectors import subtrees
from workforce.models import AssessmentRule, Worker, WorkerAssessment
from workforce.workers import in_post


def year_end(year: int) -> datetime.date:
    """The day a year's assessment looks at: 31 December, or today within the year."""
    return min(datetime.date(year, 12, 31), clock.today())


def community_inputs(community: Place, year: int) -> tuple[int | None, float | None]:
    """(the community's own assessment score in tenths, the residents' 民主评议 score out of
    100) for the year, read through oversight's selectors (None where there is none yet)."""
    from oversight import selectors as oversight

    result = oversight.community_result(community, year)
    return (
        result.final_tenths if result else None,
        oversight.democratic_review_score(community, year),
    )


def quota(rule: AssessmentRule, workers: int, community_score_tenths: int | None) -> int:
    """优秀 places: the share of the workers assessed, rounded down, at least one when the share
    allows any; the higher share when the community's own result reached the good score."""
    good = community_score_tenths is not None and community_score_tenths >= rule.good_score_tenths
    permille = rule.excellent_permille_good if good else rule.excellent_permille
    if not workers or not permille:
        return 0
    return max(workers * permille // 1000, 1)


@dataclass
class Inputs:
    community: Place
    year: int
    rule: AssessmentRule | None
    workers: list[Worker] = field(default_factory=list)
    community_score_tenths: int | None = None
    review_score: float | None = None
    quota: int = 0

    @property
    def community_score(self) -> float | None:
        return None if self.community_score_tenths is None else self.community_score_tenths / 10


def inputs_for(community: Place, year: int) -> Inputs:
    day = year_end(year)
    rule = AssessmentRule.objects.in_force(
        datetime.date(year, 12, 31), district_id=community.district_id
    )
    workers = list(
        Worker.objects.filter(community=community)
        .filter(in_post(day))
        .select_related("person")
        .order_by("id")
    )
    score, review = community_inputs(community, year)
    found = Inputs(community, year, rule, workers, score, review)
    if rule is not None:
        found.quota = quota(rule, len(workers), score)
    return found


def paused(people: dict[int, int], up_to_year: int) -> dict[int, dict[int, str]]:
    """The workforce.hooks source: a year assessed 基本称职 or 不称职 (as the rule then in force
    says) does not count towards grade progression. One query."""
    from workforce.models import AssessmentResult

    labels = dict(AssessmentResult.choices)
    found: dict[int, dict[int, str]] = {}
    for worker_id, year, result, pausing in WorkerAssessment.objects.filter(
        worker_id__in=list(people), year__lte=up_to_year
    ).values_list("worker_id", "year", "result", "assessment__rule__pausing"):
        if result in (pausing or []):
            found.setdefault(worker_id, {})[year] = _("%(year)d年度考核%(result)s") % {
                "year": year,
                "result": labels[result],
            }
    return found


def results_visible_to(user) -> QuerySet[WorkerAssessment]:
    """Workers' results in the places where the user may see pay (personal: the district,
    street officers for their streets, auditors); none otherwise."""
    from workforce.rules import PAY_VIEWERS

    results = WorkerAssessment.objects.select_related(
        "worker__person", "community", "assessment__rule"
    )
    if user.is_superuser:
        return results
    places = role_places(user, PAY_VIEWERS)
    return results.filter(subtrees(places, "community__path")) if places else results.none()


def own_results(worker: Worker) -> list[WorkerAssessment]:
    return list(worker.assessments.select_related("assessment__rule").order_by("-year"))


def performance_pay_fen(result: WorkerAssessment) -> int | None:
    """The yearly performance pay of a result by the rule it was decided under."""
    value = (result.assessment.rule.performance_pay or {}).get(result.result)
    return None if value is None else int(value)
