"""The annual assessment (issue #16 item 5): the rule row (quota of 优秀, the least 民主评议 for
优秀, the results that pause progression, performance pay) and one community's assessment,
recorded whole from the community's own result (oversight) and the residents' 民主评议."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import audit, clock
from core.clock import one_write
from core.models import Place, PlaceLevel
from core.validation import clean_text
from core.validation import require_perm as _require
from workforce import assessment as reads
from workforce import defaults
from workforce.models import Assessment, AssessmentResult, AssessmentRule, Worker, WorkerAssessment
from workforce.services.checks import a_date
from workforce.services.pay import _district, _int

R = AssessmentResult
MAX_PAY_FEN = 100_000_000  # 1,000,000 元 a year


def _clean_rule(values: dict) -> dict:
    pausing = values.get("pausing") or []
    if any(p not in (R.BASIC, R.INCOMPETENT) for p in pausing):
        raise ValidationError(_("暂停晋级只能由“基本称职”或“不称职”引起。"), code="pausing")
    pay = values.get("performance_pay") or {}
    if set(pay) - set(R.values):
        raise ValidationError(_("绩效工资中有未知的考核结果。"), code="performance_pay")
    labels = dict(R.choices)
    return {
        "name": clean_text(values.get("name"), _("名称"), limit=100),
        "excellent_permille": _int(values.get("excellent_permille"), _("优秀比例（千分比）"), 0, 1000),
        "excellent_permille_good": _int(values.get("excellent_permille_good"), _("社区考核良好时优秀比例（千分比）"), 0, 1000),
        "good_score_tenths": _int(values.get("good_score_tenths"), _("社区考核良好分数线（0.1分）"), 0, 1000),
        "min_review_for_excellent": _int(values.get("min_review_for_excellent"), _("评为优秀所需民主评议最低分"), 0, 100),
        "pausing": sorted(set(pausing)),
        "performance_pay": {k: _int(v, _("%(r)s年度绩效工资（分）") % {"r": labels[k]}, 0, MAX_PAY_FEN) for k, v in pay.items()},
        "source": clean_text(values.get("source"), _("政策依据"), limit=300),
    }  # fmt: skip


@one_write
def assessment_rule_create(*, actor, district: Place, effective_from: datetime.date, **values):
    """An assessment rule for a district from a date (earlier ones stay, for history)."""
    district = _district(district)
    _require(actor, "workforce.set_grade_rules", district, _("只有区管理员或区减负办可以设定年度考核规则。"))  # fmt: skip
    clean = _clean_rule(values)
    effective_from = a_date(effective_from, _("生效日期"))
    if AssessmentRule.objects.filter(district=district, effective_from=effective_from).exists():
        raise ValidationError(_("%(date)s已有一条年度考核规则生效；请换一个生效日期。"),
                              params={"date": effective_from.isoformat()}, code="same_start")  # fmt: skip
    rule = AssessmentRule.objects.create(
        district=district, effective_from=effective_from, created_by=actor, **clean
    )
    audit.record(actor=actor, action="workforce.assessment_rule_create", obj=rule, place=district,
                 changes={**clean, "effective_from": effective_from.isoformat()})  # fmt: skip
    return rule


@one_write
def assessment_rules_seed(*, actor, district: Place) -> int:
    district = _district(district)
    _require(actor, "workforce.set_grade_rules", district)
    if AssessmentRule.objects.filter(district=district).exists():
        return 0
    AssessmentRule.objects.create(district=district, created_by=actor, **defaults.ASSESSMENT_RULE)
    audit.record(actor=actor, action="workforce.assessment_rules_seed", obj=district,
                 changes={"rules": 1})  # fmt: skip
    return 1


def _community(place) -> Place:
    if place is None or place.level != PlaceLevel.COMMUNITY:
        raise ValidationError(_("年度考核按社区进行，请选择社区。"), code="not_a_community")
    return place


def _results(results, expected: dict[int, Worker]) -> dict[int, str]:
    """{worker id: result} for exactly the workers expected (those in post at the year's end)."""
    clean = {}
    for key, result in (results or {}).items():
        worker_id = key.pk if isinstance(key, Worker) else _int(key, _("社区工作者"), 1, 2**62)
        if worker_id not in expected:
            raise ValidationError(_("考核名单中有不属于本社区在岗人员的人。"), code="not_in_post")
        if result not in R.values:
            raise ValidationError(_("%(name)s的考核结果应为优秀、称职、基本称职或不称职。"),
                                  params={"name": expected[worker_id].person.name}, code="result")  # fmt: skip
        clean[worker_id] = result
    missing = [w.person.name for pk, w in expected.items() if pk not in clean]
    if missing:
        raise ValidationError(
            _("年度考核须为每一名在岗社区工作者评定结果，还缺：%(names)s。"),
            params={"names": "、".join(missing)}, code="incomplete",
        )  # fmt: skip
    return clean


def _reviews(reviews, expected) -> dict[int, int]:
    clean = {}
    for key, score in (reviews or {}).items():
        worker_id = key.pk if isinstance(key, Worker) else int(key)
        if worker_id not in expected:
            raise ValidationError(_("考核名单中有不属于本社区在岗人员的人。"), code="not_in_post")
        if score not in (None, ""):
            clean[worker_id] = _int(score, _("%(name)s的民主评议得分") % {"name": expected[worker_id].person.name}, 0, 100)  # fmt: skip
    return clean


def _check_excellent(results, reviews, community_review, rule, quota, expected) -> None:
    excellent = [pk for pk, r in results.items() if r == R.EXCELLENT]
    if len(excellent) > quota:
        raise ValidationError(
            _("优秀名额为%(quota)d名（本社区在岗%(n)d人），评了%(count)d名。"),
            params={"quota": quota, "n": len(expected), "count": len(excellent)}, code="quota",
        )  # fmt: skip
    for pk in excellent:
        score = reviews.get(pk, community_review)
        if score is None or score < rule.min_review_for_excellent:
            raise ValidationError(
                _("%(name)s的民主评议得分不足%(min)d分（或未评议），不能评为优秀。"),
                params={"name": expected[pk].person.name, "min": rule.min_review_for_excellent},
                code="review_too_low",
            )  # fmt: skip


@one_write
def assessment_record(*, actor, community: Place, year, results: dict, reviews=None, rule=None):
    """A community's assessment for a year, whole: a result for every worker in post on the
    year's last day (or today, in the year itself), the quota of 优秀 kept, every 优秀 with a
    民主评议 (their own, or the community's) at or above the rule's least score."""
    community = _community(community)
    _require(actor, "workforce.assess", community, _("年度考核由街道或区组织评定，您无权为该社区评定。"))  # fmt: skip
    today = clock.today()
    year = _int(year, _("年度"), 2000, today.year)
    if Assessment.objects.filter(community=community, year=year).exists():
        raise ValidationError(_("%(year)d年度考核已评定，不能重复评定。"), params={"year": year},
                              code="already_assessed")  # fmt: skip
    inputs = reads.inputs_for(community, year)
    if inputs.rule is None:
        raise ValidationError(_("本区尚未设定年度考核规则，请先由区设定。"), code="no_rule")
    expected = {w.pk: w for w in inputs.workers}
    if not expected:
        raise ValidationError(_("该社区%(year)d年末没有在岗社区工作者，无需考核。"),
                              params={"year": year}, code="nobody")  # fmt: skip
    clean = _results(results, expected)
    taken = WorkerAssessment.objects.filter(worker_id__in=list(clean), year=year).first()
    if taken is not None:
        raise ValidationError(_("%(name)s的%(year)d年度考核已在其他社区评定。"),
                              params={"name": expected[taken.worker_id].person.name, "year": year},
                              code="already_assessed")  # fmt: skip
    scores = _reviews(reviews, expected)
    _check_excellent(clean, scores, inputs.review_score, inputs.rule, inputs.quota, expected)
    assessment = Assessment.objects.create(
        district_id=community.district_id, community=community, year=year, rule=inputs.rule,
        community_score_tenths=inputs.community_score_tenths,
        review_score=None if inputs.review_score is None else round(inputs.review_score),
        excellent_quota=inputs.quota, recorded_by=actor, recorded_at=clock.now(),
    )  # fmt: skip
    WorkerAssessment.objects.bulk_create(
        WorkerAssessment(district_id=community.district_id, community=community, year=year,
                         assessment=assessment, worker_id=pk, result=result,
                         review_score=scores.get(pk))
        for pk, result in clean.items()
    )  # fmt: skip
    counts = {r: sum(1 for v in clean.values() if v == r) for r in R.values}
    audit.record(actor=actor, action="workforce.assessment_record", obj=assessment,
                 changes={"year": year, "workers": len(clean), "results": counts,
                          "quota": inputs.quota})  # fmt: skip
    return assessment
