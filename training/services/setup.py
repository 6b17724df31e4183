"""The district's training rules, content areas and needs surveys."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import audit, clock
from core.clock import one_write
from core.models import Place
from core.validation import clean_text, require_perm
from training import defaults
from training.models import ContentArea, Survey, SurveyAnswer, TrainingRule
from training.services import checks
from training.services.checks import a_date, a_year, number


def _may_set(actor, place) -> None:
    require_perm(
        actor, "training.set_rules", place, _("只有区组织、民政部门人员可以设定培训规则。")
    )


@one_write
def rule_create(
    *, actor, district: Place, name: str, annual_hours, induction_months, induction_hours,
    source: str, effective_from: datetime.date,
) -> TrainingRule:  # fmt: skip
    """The yearly training requirement from a date (earlier rules stay, for past years)."""
    place = _district(district)
    _may_set(actor, place)
    rule = TrainingRule(
        district=place, name=clean_text(name, _("名称"), limit=100),
        annual_hours=number(annual_hours, _("每年培训学时要求"), 1, 500),
        induction_months=number(induction_months, _("新入职认定期（月）"), 0, 60),
        induction_hours=number(induction_hours, _("岗前培训学时要求"), 0, 500),
        source=clean_text(source, _("政策依据"), limit=300),
        effective_from=a_date(effective_from, _("生效日期")), created_by=actor,
    )  # fmt: skip
    if TrainingRule.objects.filter(district=place, effective_from=effective_from).exists():
        raise ValidationError(_("%(date)s已有培训学时规则生效；请换一个生效日期。"),
                              params={"date": effective_from.isoformat()}, code="same_start")  # fmt: skip
    rule.save()
    audit.record(actor=actor, action="training.rule_create", obj=rule, place=place,
                 changes={"annual_hours": rule.annual_hours, "source": rule.source,
                          "effective_from": effective_from.isoformat()})  # fmt: skip
    return rule


def _district(place):
    return checks.district(place)


@one_write
def defaults_seed(*, actor, district: Place) -> int:
    """The example rule and the seed's four content areas, once per district."""
    place = _district(district)
    _may_set(actor, place)
    added = 0
    if not TrainingRule.objects.filter(district=place).exists():
        TrainingRule.objects.create(district=place, created_by=actor, **defaults.RULE)
        added += 1
    for order, (name, source) in enumerate(defaults.AREAS, start=1):
        _area, made = ContentArea.objects.get_or_create(
            district=place, name=name,
            defaults={"source": source, "effective_from": defaults.AREAS_FROM, "order": order,
                      "created_by": actor},
        )  # fmt: skip
        added += made
    if added:
        audit.record(actor=actor, action="training.defaults_seed", obj=place, changes={"rows": added})  # fmt: skip
    return added


@one_write
def area_create(*, actor, district: Place, name: str, source: str) -> ContentArea:
    place = _district(district)
    _may_set(actor, place)
    name = clean_text(name, _("内容领域"), limit=40)
    if ContentArea.objects.filter(district=place, name=name).exists():
        raise ValidationError(_("内容领域“%(name)s”已存在。"), params={"name": name}, code="duplicate")  # fmt: skip
    last = ContentArea.objects.filter(district=place).order_by("-order").first()
    area = ContentArea.objects.create(
        district=place, name=name, source=clean_text(source, _("依据"), limit=300),
        effective_from=clock.today(), order=(last.order + 1) if last else 1, created_by=actor,
    )  # fmt: skip
    audit.record(actor=actor, action="training.area_create", obj=area, place=place,
                 changes={"name": name, "source": area.source})  # fmt: skip
    return area


@one_write
def survey_create(*, actor, district: Place, year, title: str, closes_on: datetime.date) -> Survey:
    """A needs survey: every worker of the district may answer it until it closes."""
    place = _district(district)
    _may_set(actor, place)
    closes_on = a_date(closes_on, _("截止日期"))
    if closes_on < clock.today():
        raise ValidationError(_("截止日期不能早于今天。"), code="closed")
    survey = Survey.objects.create(
        district=place, year=a_year(year), title=clean_text(title, _("标题"), limit=100),
        closes_on=closes_on, created_by=actor,
    )  # fmt: skip
    audit.record(actor=actor, action="training.survey_create", obj=survey, place=place,
                 changes={"year": survey.year, "title": survey.title})  # fmt: skip
    return survey


@one_write
def survey_answer(*, actor, survey: Survey, worker, areas, note: str = "") -> SurveyAnswer:
    """A worker's answer: the content areas they need (one answer a survey)."""
    require_perm(actor, "training.answer_survey", worker, _("只能为本人填写培训需求。"))
    if worker.district_id != survey.district_id:
        raise ValidationError(_("该调查不面向该社区工作者所在的区。"), code="other_district")
    if survey.closes_on < clock.today():
        raise ValidationError(_("该调查已于%(date)s截止。"),
                              params={"date": survey.closes_on.isoformat()}, code="closed")  # fmt: skip
    areas = list(areas or [])
    if not areas:
        raise ValidationError(_("请至少选择一个需要培训的内容领域。"), code="no_area")
    if any(a.district_id != survey.district_id for a in areas):
        raise ValidationError(_("所选内容领域不属于本区。"), code="other_area")
    if SurveyAnswer.objects.filter(survey=survey, worker=worker).exists():
        raise ValidationError(_("已填写过该调查。"), code="answered")
    answer = SurveyAnswer.objects.create(
        district_id=worker.district_id, community_id=worker.community_id, survey=survey,
        worker=worker, note=clean_text(note, _("其他需求"), required=False, limit=200),
        answered_by=actor,
    )  # fmt: skip
    answer.areas.set(areas)
    audit.record(actor=actor, action="training.survey_answer", obj=answer,
                 changes={"survey": survey.pk, "areas": [a.name for a in areas]})  # fmt: skip
    return answer
