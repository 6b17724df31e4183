"""Every write of residents' surveys: the scoring rule, a survey sent to a community's residents
through notify, and one resident's answer (once; results shown as counts only)."""

import datetime

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from core import audit, clock
from core.clock import one_write
from core.models import Place, PlaceLevel, Role, RoleAssignment
from core.validation import clean_int, clean_text
from core.validation import require_perm as _require
from oversight import defaults
from oversight.models import Grade, Survey, SurveyAnswer, SurveyRule
from oversight.services.common import district_of, tell

NOT_SENDER = _("只有本区纪检组织干部或本街道工作人员可以发起民主评议和满意度调查。")


@one_write
def survey_rule_create(
    *, actor, district: Place, points_satisfied: int, points_basic: int, points_unsatisfied: int,
    min_answers: int, source: str, effective_from: datetime.date,
) -> SurveyRule:  # fmt: skip
    """A new scoring rule from a date (rules are never edited in place)."""
    district = district_of(district)
    _require(
        actor, "oversight.run_chain", district, _("只有本区纪检组织干部可以修改问卷计分规则。")
    )
    points = [
        clean_int(points_satisfied, _("满意得分"), 0, 100),
        clean_int(points_basic, _("基本满意得分"), 0, 100),
        clean_int(points_unsatisfied, _("不满意得分"), 0, 100),
    ]
    if not points[0] >= points[1] >= points[2]:
        raise ValidationError(
            _("计分须满足：满意不低于基本满意，基本满意不低于不满意。"), code="points_order"
        )
    min_answers = clean_int(min_answers, _("最少有效答卷"), 1, 10000)
    source = clean_text(source, _("政策依据"), limit=300)
    if not isinstance(effective_from, datetime.date):
        raise ValidationError(_("请填写生效日期。"), code="effective_from")
    if SurveyRule.objects.filter(district=district, effective_from=effective_from).exists():
        raise ValidationError(_("这一天已有一条计分规则生效。"), code="duplicate")
    rule = SurveyRule.objects.create(
        district=district, points_satisfied=points[0], points_basic=points[1],
        points_unsatisfied=points[2], min_answers=min_answers, source=source,
        effective_from=effective_from, created_by=actor,
    )  # fmt: skip
    audit.record(actor=actor, action="oversight.survey_rule_create", obj=rule, place=district,
                 changes={"points": points, "min_answers": min_answers})  # fmt: skip
    return rule


def _seed_rule(actor, district: Place) -> None:
    if not SurveyRule.objects.filter(district=district).exists():
        SurveyRule.objects.create(district=district, created_by=actor, **defaults.survey_rule())


def residents_of(community: Place) -> list[int]:
    """The accounts holding the resident role at the community or one of its grids."""
    return list(
        RoleAssignment.objects.active()
        .filter(role=Role.RESIDENT, place__path__startswith=community.path)
        .values_list("user_id", flat=True)
        .distinct()
    )


@one_write
def survey_send(
    *, actor, community: Place, kind: str, year: int, closes_on: datetime.date
) -> Survey:
    """A year's survey of the community's residents (one of each kind a year), sent to every
    resident with an account through notify; they answer on their phone until ``closes_on``."""
    if community is None or community.level != PlaceLevel.COMMUNITY:
        raise ValidationError(_("请选择社区。"), code="not_a_community")
    _require(actor, "oversight.send_survey", community, NOT_SENDER)
    if kind not in Survey.Kind.values:
        raise ValidationError(_("请选择问卷类别。"), code="kind")
    today = clock.today()
    year = clean_int(year, _("年度"), 2000, today.year)
    if not isinstance(closes_on, datetime.date) or closes_on < today:
        raise ValidationError(_("截止日期不能早于今天。"), code="closes_on")
    if Survey.objects.filter(community=community, kind=kind, year=year).exists():
        raise ValidationError(
            _("本社区%(year)d年度的%(kind)s已经发起，每年一次。"),
            params={"year": year, "kind": Survey.Kind(kind).label}, code="duplicate",
        )  # fmt: skip
    _seed_rule(actor, community.district)
    recipients = residents_of(community)
    survey = Survey.objects.create(
        district_id=community.district_id, community=community, kind=kind, year=year,
        questions=[str(q) for q in defaults.SURVEY_QUESTIONS[kind]], closes_on=closes_on,
        sent_by=actor, sent_at=clock.now(), recipients=len(recipients),
    )  # fmt: skip
    audit.record(actor=actor, action="oversight.survey_send", obj=survey,
                 changes={"kind": kind, "year": year, "recipients": len(recipients)})  # fmt: skip
    tell("oversight.survey", recipients, actor=actor, subject=survey,
         url=reverse("oversight:survey_answer", args=[survey.pk]), community=community.name,
         what=Survey.Kind(kind).label, year=year, closes=closes_on)  # fmt: skip
    return survey


@one_write
def survey_answer(*, actor, survey: Survey, grades: list) -> SurveyAnswer:
    """A resident's answer: one grade for each question, once, before the closing day."""
    _require(actor, "oversight.answer_survey", survey,
             _("只有本社区的居民可以参加本社区的评议和调查。"))  # fmt: skip
    if clock.today() > survey.closes_on:
        raise ValidationError(_("问卷已于%(day)s截止。"), params={"day": survey.closes_on},
                              code="closed")  # fmt: skip
    grades = list(grades or [])
    if len(grades) != len(survey.questions) or any(g not in Grade.values for g in grades):
        raise ValidationError(_("请对每一道题选择满意、基本满意或不满意。"), code="grades")
    if SurveyAnswer.objects.filter(survey=survey, respondent=actor).exists():
        raise ValidationError(_("每位居民只能回答一次。"), code="answered")
    answer = SurveyAnswer.objects.create(
        survey=survey, respondent=actor, grades=grades, answered_at=clock.now()
    )
    # Anonymous: the audit event names the survey, never the answer's grades.
    audit.record(actor=actor, action="oversight.survey_answer", obj=survey)
    return answer
