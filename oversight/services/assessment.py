"""Every write of the assessment: schemes (weights summing to 100), their approval, the results
computed from Linli's data, and one objection per community with the district's answer."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from core import audit, clock
from core.clock import one_write
from core.models import Place, PlaceLevel
from core.validation import clean_int, clean_text
from core.validation import require_perm as _require
from oversight import indicators
from oversight.models import Result, Scheme
from oversight.services.common import community_workers, district_of, officers, require_state, tell

NOT_OFFICER = _("只有本区纪检组织干部可以制定考核方案、计算结果和答复异议。")


def _weights(weights) -> dict:
    if not isinstance(weights, dict):
        raise ValidationError(_("请填写各项指标的权重。"), code="weights")
    clean = {}
    for indicator in indicators.INDICATORS:
        clean[indicator.key] = clean_int(
            weights.get(indicator.key, 0) or 0, str(indicator.label), 0, 100
        )
    unknown = set(weights) - set(clean)
    if unknown:
        raise ValidationError(_("没有这项指标：%(keys)s。"), params={"keys": "、".join(sorted(unknown))},
                              code="weights")  # fmt: skip
    total = sum(clean.values())
    if total != 100:
        raise ValidationError(
            _("各项指标的权重合计须为100%%（现为%(total)d%%）。"), params={"total": total},
            code="weights_sum",
        )  # fmt: skip
    return clean


@one_write
def scheme_draft(
    *, actor, district: Place, year: int, name: str, weights: dict, source: str
) -> Scheme:
    """A year's scheme, or a new version of its draft (weights must sum to 100%)."""
    district = district_of(district)
    _require(actor, "oversight.run_chain", district, NOT_OFFICER)
    year = clean_int(year, _("年度"), 2000, 2100)
    name = clean_text(name, _("名称"), limit=100)
    source = clean_text(source, _("依据"), limit=300)
    weights = _weights(weights)
    scheme = Scheme.objects.filter(district=district, year=year).first()
    if scheme is not None and scheme.state != Scheme.State.DRAFT:
        raise ValidationError(_("%(year)d年度的考核方案已批准，不能再修改。"), params={"year": year},
                              code="bad_state")  # fmt: skip
    if scheme is None:
        scheme = Scheme(district=district, year=year, drafted_by=actor)
    scheme.name, scheme.source, scheme.weights, scheme.drafted_by = name, source, weights, actor
    scheme.save()
    audit.record(actor=actor, action="oversight.scheme_draft", obj=scheme, place=district,
                 changes={"year": year, "weights": weights})  # fmt: skip
    return scheme


@one_write
def scheme_approve(*, actor, scheme: Scheme) -> Scheme:
    """The coordinators (or administrators) approve a draft, as an admitted item is."""
    _require(
        actor, "oversight.approve_scheme", scheme, _("只有区减负办或系统管理员可以批准考核方案。")
    )
    require_state(scheme, {Scheme.State.DRAFT}, _("只有草案可以批准。"))
    _weights(scheme.weights)
    scheme.state, scheme.approved_by, scheme.approved_at = Scheme.State.APPROVED, actor, clock.now()
    scheme.save(update_fields=["state", "approved_by", "approved_at"])
    audit.record(actor=actor, action="oversight.scheme_approve", obj=scheme, place=scheme.district)
    return scheme


@one_write
def results_compute(*, actor, scheme: Scheme) -> int:
    """Each active community's result from the indicators, ranked; once a scheme (then the
    communities may object). Communities' workers are told their result."""
    _require(actor, "oversight.run_chain", scheme.district, NOT_OFFICER)
    require_state(
        scheme, {Scheme.State.APPROVED}, _("考核方案须先批准，且每个方案只计算一次结果。")
    )
    today = clock.today()
    if scheme.year > today.year:
        raise ValidationError(
            _("%(year)d年度尚未开始。"), params={"year": scheme.year}, code="year"
        )
    communities = Place.objects.filter(
        district=scheme.district, level=PlaceLevel.COMMUNITY, is_active=True
    ).order_by("code")
    scored = []
    for community in communities:
        score, rows = indicators.weigh(
            indicators.compute(community, scheme.year, today), scheme.weights
        )
        scored.append((community, None if score is None else round(score * 10), rows))
    scored.sort(key=lambda item: (item[1] is None, -(item[1] or 0), item[0].code))
    results, rank, previous = [], 0, None
    for position, (community, tenths, rows) in enumerate(scored, start=1):
        rank = None if tenths is None else (rank if tenths == previous else position)
        previous = tenths
        results.append(Result(scheme=scheme, district=scheme.district, community=community,
                              score_tenths=tenths, rank=rank, indicators=rows))  # fmt: skip
    Result.objects.bulk_create(results)
    scheme.state, scheme.computed_at = Scheme.State.COMPUTED, clock.now()
    scheme.save(update_fields=["state", "computed_at"])
    audit.record(actor=actor, action="oversight.results_compute", obj=scheme, place=scheme.district,
                 changes={"communities": len(results)})  # fmt: skip
    for result in Result.objects.filter(scheme=scheme).select_related("community"):
        tell("oversight.results", community_workers(result.community), actor=actor,
             url=reverse("oversight:result", args=[result.pk]), subject=None,
             year=scheme.year, score="—" if result.score is None else f"{result.score:.1f}")  # fmt: skip
    return len(results)


@one_write
def objection_file(*, actor, result: Result, objection: str) -> Result:
    """The community objects to its result, once."""
    _require(
        actor,
        "oversight.object",
        result,
        _("只有本社区的社区工作者可以对本社区的考核结果提出异议。"),
    )
    if result.objected_at:
        raise ValidationError(_("每个社区对一个年度的考核结果只能提出一次异议。"), code="objected")
    result.objection = clean_text(objection, _("异议"), limit=4000)
    result.objected_by, result.objected_at = actor, clock.now()
    result.save(update_fields=["objection", "objected_by", "objected_at"])
    audit.record(actor=actor, action="oversight.objection_file", obj=result)
    tell("oversight.objection", officers(result.district), actor=actor, subject=result,
         url=reverse("oversight:result", args=[result.pk]), community=result.community.name,
         year=result.scheme.year, text=result.objection)  # fmt: skip
    return result


@one_write
def objection_answer(
    *, actor, result: Result, answer: str, kind: str, adjusted_score=None
) -> Result:
    """The district's answer: the result maintained, or adjusted to a new score (0–100)."""
    if not actor.has_perm("oversight.run_chain", result.district):
        raise PermissionDenied(NOT_OFFICER)
    if not result.objected_at or result.answered_at:
        raise ValidationError(_("没有待答复的异议。"), code="bad_state")
    if kind not in Result.Answer.values:
        raise ValidationError(_("请选择答复结论。"), code="kind")
    result.answer = clean_text(answer, _("答复"), limit=4000)
    if kind == Result.Answer.ADJUSTED:
        try:
            tenths = round(float(adjusted_score) * 10)
        except (TypeError, ValueError):
            tenths = -1
        if not 0 <= tenths <= 1000:
            raise ValidationError(_("调整后得分应在0到100之间。"), code="adjusted_score")
        result.adjusted_tenths = tenths
    result.answer_kind = kind
    result.answered_by, result.answered_at = actor, clock.now()
    result.save(
        update_fields=["answer", "answer_kind", "adjusted_tenths", "answered_by", "answered_at"]
    )
    audit.record(actor=actor, action="oversight.objection_answer", obj=result,
                 changes={"kind": kind, "adjusted_tenths": result.adjusted_tenths})  # fmt: skip
    tell("oversight.objection_answered", community_workers(result.community), actor=actor,
         subject=result, url=reverse("oversight:result", args=[result.pk]),
         year=result.scheme.year, text=result.answer)  # fmt: skip
    notify_resolve(result)
    return result


def notify_resolve(result: Result) -> None:
    from notify import services as notify

    notify.resolve(subject=result)
