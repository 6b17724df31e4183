"""The district's one page: the assessment results (dashboard.figures row ``assessment``), in
two queries (the two latest computed schemes; their results' averages in one grouped query)."""

from django.db.models import Avg, Count, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dashboard.figures import Figure, Scope, Value, register
from oversight.models import Result, Scheme


def assessment(scope: Scope) -> Value:
    """The average score of the scope's communities in the latest computed year (adjusted
    scores where an objection changed one; communities not scored left out), against the year
    before; the detail names the year and the objections."""
    schemes = list(
        Scheme.objects.filter(district=scope.district, state=Scheme.State.COMPUTED)
        .order_by("-year")
        .values_list("pk", "year")[:2]
    )
    if not schemes:
        return Value(None)
    rows = {
        row["scheme_id"]: row
        for row in Result.objects.filter(
            scheme_id__in=[pk for pk, _year in schemes], community_id__in=scope.community_ids
        )
        .values("scheme_id")
        .annotate(
            tenths=Avg(Coalesce("adjusted_tenths", "score_tenths")),
            objections=Count("id", filter=Q(objected_at__isnull=False)),
        )
        .order_by()
    }

    def average(pk):
        tenths = (rows.get(pk) or {}).get("tenths")
        return None if tenths is None else round(tenths / 10, 1)

    (latest, year), before = schemes[0], schemes[1] if len(schemes) > 1 else (None, None)
    previous = average(before[0]) if before[0] and before[1] == year - 1 else None
    objections = (rows.get(latest) or {}).get("objections", 0)
    return Value(
        average(latest),
        previous,
        detail=_("%(year)d年度平均分；异议%(n)d件") % {"year": year, "n": objections},
    )


def _query(scope: Scope) -> str:
    return f"district={scope.district.pk}"


def register_all() -> None:
    register(Figure(
        "assessment", gettext_lazy("社区考核平均分"), gettext_lazy(
            "最近一个年度考核方案的各社区得分平均（满意度与工作实绩按方案权重计算，异议调整后的以调整后为准），与上一年度比较。"
        ), "oversight:assessment", assessment, query=_query, unit=gettext_lazy("分"), better="up",
        order=80,
    ))  # fmt: skip
