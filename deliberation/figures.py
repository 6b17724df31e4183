"""The district's one page: matters of 议事协商 concluded with an outcome made public (dashboard.
figures row ``deliberation_decisions``), in one query.

A matter is concluded when the meeting that decided it (a 协商议事会, 听证会 or 居民代表会议,
quorum present) has published its minutes and decisions: the decision, passed or not, is then
public with its votes. It counts in the twelve months in which it was published.
"""

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dashboard.figures import Figure, Scope, Value, register
from deliberation.models import Decision

S = Decision.Status


def _counts(scope: Scope) -> dict:
    now = scope.within("published_at", scope.current)
    return Decision.objects.filter(
        community_id__in=scope.community_ids, published_at__isnull=False
    ).aggregate(
        current=Count("id", filter=now),
        previous=Count("id", filter=scope.within("published_at", scope.previous)),
        rejected=Count("id", filter=now & Q(status=S.REJECTED)),
        done=Count("id", filter=now & Q(status=S.DONE)),
    )


def decisions(scope: Scope) -> Value:
    counts = _counts(scope)
    passed = counts["current"] - counts["rejected"]
    return Value(
        counts["current"],
        counts["previous"],
        detail=_("通过%(passed)d项（已落实完成%(done)d项），未通过%(rejected)d项")
        % {"passed": passed, "done": counts["done"], "rejected": counts["rejected"]},
    )


def register_all() -> None:
    register(Figure(
        "deliberation_decisions", gettext_lazy("议事协商形成结果"), gettext_lazy(
            "协商议事会、听证会和居民代表会议表决并公布的事项（通过与未通过均计入），按公布日期统计。"
        ), "deliberation:public", decisions, unit=gettext_lazy("项"), better="up", order=84,
    ))  # fmt: skip
