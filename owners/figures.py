"""The district's one page: owners' votes (业主表决) held to a result (dashboard.figures row
``owners_votes``), in one query.

A vote has a result when its ballots are counted (计票: both counts, by area and by owners,
checked against the thresholds fixed at its opening); it counts in the twelve months in which it
was counted. Consultations (征询) decide nothing and are left out. Neither more nor fewer is
better: a vote follows the matters a compound's owners face.
"""

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dashboard.figures import Figure, Scope, Value, register
from owners.models import Decision


def _counts(scope: Scope) -> dict:
    now = scope.within("closed_at", scope.current)
    return Decision.objects.filter(
        community_id__in=scope.community_ids, kind=Decision.Kind.VOTE, closed_at__isnull=False
    ).aggregate(
        current=Count("id", filter=now),
        previous=Count("id", filter=scope.within("closed_at", scope.previous)),
        passed=Count("id", filter=now & Q(tally__result__passed=True)),
        published=Count("id", filter=now & Q(state=Decision.State.PUBLISHED)),
    )


def votes(scope: Scope) -> Value:
    counts = _counts(scope)
    return Value(
        counts["current"],
        counts["previous"],
        detail=_("通过%(passed)d项，未通过%(failed)d项；已公布结果%(published)d项")
        % {
            "passed": counts["passed"],
            "failed": counts["current"] - counts["passed"],
            "published": counts["published"],
        },
    )


def register_all() -> None:
    register(Figure(
        "owners_votes", gettext_lazy("业主表决形成结果"), gettext_lazy(
            "小区业主表决（不含征询）计票得出结果的事项，按计票日期统计；是否通过按专有部分面积和业主人数两项核对。"
        ), "owners:index", votes, unit=gettext_lazy("项"), order=86,
    ))  # fmt: skip
