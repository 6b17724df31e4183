"""Residents' surveys as numbers: a survey's score out of 100 under the survey rule in force on
its closing day, with the formula and an explanation. Counts only: nobody's answer is shown."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils.translation import gettext_lazy

from oversight.models import Grade, Survey, SurveyAnswer, SurveyRule

FORMULA = gettext_lazy(
    "每份答卷按题目取平均分（满意、基本满意、不满意各按问卷规则计分），再取全部答卷的平均；"
    "有效答卷少于规则规定的份数时不计分。"
)


@dataclass
class Tally:
    """A survey's counts and score: ``score`` None below the rule's fewest answers."""

    survey: Survey
    rule: SurveyRule | None
    answers: int = 0
    score: float | None = None
    # per question: {grade: count}
    questions: list[dict] = field(default_factory=list)

    @property
    def response_rate(self) -> float | None:
        if not self.survey.recipients:
            return None
        return round(100 * self.answers / self.survey.recipients, 1)


def rule_for(district_id: int, day: datetime.date) -> SurveyRule | None:
    return SurveyRule.objects.in_force(day, district_id=district_id)


def tally(survey: Survey, rule: SurveyRule | None = None) -> Tally:
    """Counts per question and grade, and the score (two or three queries)."""
    rule = rule or rule_for(survey.district_id, survey.closes_on)
    rows = list(SurveyAnswer.objects.filter(survey=survey).values_list("grades", flat=True))
    counts = [{g: 0 for g in Grade.values} for _q in survey.questions]
    total = 0.0
    for grades in rows:
        for i, grade in enumerate(grades[: len(counts)]):
            counts[i][grade] = counts[i].get(grade, 0) + 1
        if rule is not None and grades:
            total += sum(rule.points(g) for g in grades) / len(grades)
    result = Tally(survey, rule, len(rows), questions=counts)
    if rule is not None and rows and len(rows) >= max(rule.min_answers, 1):
        result.score = round(total / len(rows), 1)
    return result


def score_of(community_id: int, kind: str, year: int) -> Tally | None:
    """The community's survey of that kind and year, tallied (None: no survey was sent)."""
    survey = Survey.objects.filter(community_id=community_id, kind=kind, year=year).first()
    return None if survey is None else tally(survey)


def answer_counts(survey_ids) -> dict[int, int]:
    return dict(
        SurveyAnswer.objects.filter(survey_id__in=survey_ids)
        .values("survey_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("survey_id", "n")
    )
