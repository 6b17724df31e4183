"""The district's one page: 公益创投 grants awarded to the scope's community social organisations
(dashboard.figures rows ``civic_grants``, how many, and ``civic_grant_yuan``, how much), both from
one query over the grants awarded in the two periods."""

from django.db.models import Count, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civic.models import Grant
from dashboard.figures import Figure, Scope, Value, register


def _grants(scope: Scope) -> dict:
    """{"n_current", "n_previous", "fen_current", "fen_previous", "orgs"}: grants awarded in
    each period to organisations filed in the scope's communities, their amounts, and the
    organisations funded in the current period."""

    def compute():
        now = scope.within("awarded_at", scope.current)
        before = scope.within("awarded_at", scope.previous)
        return Grant.objects.filter(
            application__organisation__community_id__in=scope.community_ids
        ).aggregate(
            n_current=Count("id", filter=now),
            n_previous=Count("id", filter=before),
            fen_current=Sum("amount_fen", filter=now),
            fen_previous=Sum("amount_fen", filter=before),
            orgs=Count("application__organisation", filter=now, distinct=True),
        )

    return scope.once("civic_grants", compute)


def _yuan(fen: int | None) -> float:
    return round((fen or 0) / 100, 1)


def grants(scope: Scope) -> Value:
    rows = _grants(scope)
    return Value(
        rows["n_current"],
        rows["n_previous"],
        detail=_("资助社会组织%(n)d个") % {"n": rows["orgs"]},
    )


def grant_yuan(scope: Scope) -> Value:
    rows = _grants(scope)
    return Value(
        _yuan(rows["fen_current"]),
        _yuan(rows["fen_previous"]),
        detail=_("立项资助%(n)d个项目") % {"n": rows["n_current"]},
    )


NOTE = gettext_lazy(
    "公益创投评审后立项资助的项目，按立项日期统计；只计在本区域社区备案或登记的社会组织申报的项目。"
)


def register_all() -> None:
    register(Figure(
        "civic_grants", gettext_lazy("公益创投立项资助项目"), NOTE, "civic:calls", grants,
        unit=gettext_lazy("个"), better="up", order=88,
    ))  # fmt: skip
    register(Figure(
        "civic_grant_yuan", gettext_lazy("公益创投资助金额"), gettext_lazy(
            "立项时核定的资助金额合计（此后按节点分期拨付），单位：元；口径同“公益创投立项资助项目”。"
        ), "civic:calls", grant_yuan, unit=gettext_lazy("元"), better="up", order=89,
    ))  # fmt: skip
