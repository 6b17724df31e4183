"""The district's one page: the assessment results (dashboard.figures row ``assessment``)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dashboard.figures import Figure, Scope, Value, register
from oversight.models import Result, Scheme


def _average(scheme: Scheme | None, scope: Scope) -> float | None:
    if scheme is None:
        return None
    scores = [
        r.final_tenths
        for r in Result.objects.filter(scheme=scheme, community_id__in=scope.community_ids)
    ]
    scores = [s for s in scores if s is not None]
    return round(sum(scores) / len(scores) / 10, 1) if scores else None


def assessment(scope: Scope) -> Value:
    """The average score of the scope's communities in the latest computed year, against the
    year before; the detail names the year and the lowest community."""
    schemes = list(
        Scheme.objects.filter(district=scope.district, state=Scheme.State.COMPUTED).order_by(
            "-year"
        )[:2]
    )
    latest = schemes[0] if schemes else None
    before = schemes[1] if len(schemes) > 1 and schemes[1].year == latest.year - 1 else None
    value = Value(_average(latest, scope), _average(before, scope))
    if latest is not None:
        objections = Result.objects.filter(
            scheme=latest, community_id__in=scope.community_ids, objected_at__isnull=False
        ).count()
        value.detail = _("%(year)d年度平均分；异议%(n)d件") % {"year": latest.year, "n": objections}
    return value


def _query(scope: Scope) -> str:
    return f"district={scope.district.pk}"


def register_all() -> None:
    register(Figure(
        "assessment", gettext_lazy("社区考核平均分"), gettext_lazy(
            "最近一个年度考核方案的各社区得分平均（满意度与工作实绩按方案权重计算，异议调整后的以调整后为准），与上一年度比较。"
        ), "oversight:assessment", assessment, query=_query, unit=gettext_lazy("分"), better="up",
        order=80,
    ))  # fmt: skip
