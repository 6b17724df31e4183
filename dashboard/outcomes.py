"""The proposal's outcomes, one registry row each (dashboard.figures), computed through the
owning apps' selectors. Registered by DashboardConfig.ready; later apps register their own."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from admission import selectors as admission
from dashboard.figures import Figure, Scope, Value, register
from registry import selectors as registry
from services import selectors as services
from timebank import selectors as timebank
from workforce import selectors as workforce
from workload import selectors as workload


def _split(monthly: list) -> Value:
    """A figure's 24 months: the last twelve summed against the twelve before."""
    return Value(
        current=round(sum(monthly[12:]), 1), previous=round(sum(monthly[:12]), 1), monthly=monthly
    )


def _burden(scope: Scope) -> dict:
    def compute():
        months = scope.months
        return workload.burden_by_month(scope.community_ids, months[0], months[-1])

    return scope.once("burden", compute)


def _burden_months(scope: Scope, attribute: str) -> list:
    rows = _burden(scope)
    return [(rows.get(m) or {}).get(attribute) or 0 for m in scope.months]


def burden_index(scope: Scope) -> Value:
    minutes = _burden_months(scope, "burden_minutes")
    return _split([round(m / 60, 1) for m in minutes])


def refused_unadmitted(scope: Scope) -> Value:
    return _split(_burden_months(scope, "refused_unadmitted"))


def _decisions(scope: Scope) -> tuple[dict, dict]:
    def compute():
        return tuple(
            admission.decisions_reaching(scope.community_ids, *scope.moments(period))
            for period in (scope.current, scope.previous)
        )

    return scope.once("decisions", compute)


def admitted(scope: Scope) -> Value:
    now, before = _decisions(scope)
    return Value(now["admitted"], before["admitted"])


def refused_at_gate(scope: Scope) -> Value:
    now, before = _decisions(scope)
    return Value(now["refused"], before["refused"])


IN_FORCE_KINDS = [
    admission.WorkKind.INSPECTION,
    admission.WorkKind.MEETING,
    admission.WorkKind.FORM,
]


def _in_force(scope: Scope, kind: str) -> tuple[int, int]:
    """Items of `kind` in force today and on the same day a year ago (one query per day)."""

    def compute():
        return tuple(
            admission.items_in_force(scope.community_ids, day, IN_FORCE_KINDS)
            for day in (scope.today, _same_day_last_year(scope))
        )

    now, before = scope.once("in_force", compute)
    return now[kind], before[kind]


def _same_day_last_year(scope: Scope):
    today = scope.today
    try:
        return today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 1, day=28)


def _kind_count(scope: Scope, attribute: str, kind: str) -> Value:
    value = _split(_burden_months(scope, attribute))
    now, before = _in_force(scope, kind)
    value.detail = _("在册准入事项：今天%(now)d项，一年前%(before)d项") % {
        "now": now,
        "before": before,
    }
    return value


def inspections(scope: Scope) -> Value:
    return _kind_count(scope, "inspections", admission.WorkKind.INSPECTION)


def meetings(scope: Scope) -> Value:
    return _kind_count(scope, "meetings", admission.WorkKind.MEETING)


def hand_ledgers(scope: Scope) -> Value:
    now, before = _in_force(scope, admission.WorkKind.FORM)
    return Value(now, before)


def typed_cells(scope: Scope) -> Value:
    columns = registry.report_columns_by_source(scope.district)
    now, before = registry.cells_typed(
        scope.place, [scope.moments(scope.current), scope.moments(scope.previous)]
    )
    return Value(
        current=now,
        previous=before,
        detail=_("在用报表共%(all)d列：系统自动填%(system)d列，需社区手填%(hand)d列")
        % {
            "all": columns["system"] + columns["hand"],
            "system": columns["system"],
            "hand": columns["hand"],
        },
    )


def _rates(scope: Scope) -> tuple[dict, dict]:
    def compute():
        return tuple(services.rates_of_place(scope.place, [scope.current, scope.previous]))

    return scope.once("rates", compute)


def _rate(name: str):
    def compute(scope: Scope) -> Value:
        now, before = _rates(scope)
        return Value(
            now[name],
            before[name],
            detail=_("诉求%(now)d件（此前12个月%(before)d件）")
            % {"now": now["total"], "before": before["total"]},
        )

    return compute


def staffing_shortfall(scope: Scope) -> Value:
    """Workers missing against the staffing standard (workforce.selectors.shortfall: the rule
    and the counts in post, two queries; no burden index)."""
    figures = workforce.shortfall(scope)
    return Value(
        current=figures.shortfall,
        detail=_("应配%(standard)d人，实有%(actual)d人，缺员社区%(short)d个")
        % {
            "standard": figures.standard,
            "actual": figures.actual,
            "short": figures.short_communities,
        },
    )


def timebank_hours(scope: Scope) -> Value:
    start = scope.moments((scope.months[0], scope.current[1]))
    minutes = timebank.deposits_by_month(scope.place, *start)
    return _split([round(minutes.get(m, 0) / 60, 1) for m in scope.months])


def settled_in_grid(scope: Scope) -> Value:
    now, before = services.settled_levels_of_place(
        scope.place, [scope.moments(scope.current), scope.moments(scope.previous)]
    )
    return Value(now["grid_share"], before["grid_share"], detail=_("办结 %(n)d 件") % {
        "n": now["finished"]})  # fmt: skip


def _metrics_query(scope: Scope) -> str:
    return "days=365&group=" + ("community" if scope.street else "street")


RATE_NOTE = gettext_lazy("按诉求提交日期统计，口径同“诉求统计”页。")

ROWS = [
    Figure("burden_index", gettext_lazy("社区负担指数"), gettext_lazy(
        "下达到社区的准入任务用时（已完成的按实际用时，未完成的按预计用时），各社区合计，单位：小时。"
    ), "workload:burden", burden_index, unit=gettext_lazy("小时"), better="down", order=10, chart=True),
    Figure("refused_unadmitted", gettext_lazy("社区拒绝的未准入派活"), gettext_lazy(
        "社区登记拒绝的、未经准入的派活（电话、工作群、文件、会议布置等）。"
    ), "workload:refusals", refused_unadmitted, unit=gettext_lazy("件"), order=20, chart=True),
    Figure("admitted", gettext_lazy("准予准入的事项"), gettext_lazy(
        "联席会议或区减负办决定准予（含附条件）且涉及本区域社区的准入申请。"
    ), "admission:decisions", admitted, unit=gettext_lazy("项"), order=22),
    Figure("refused_at_gate", gettext_lazy("不予准入的事项"), gettext_lazy(
        "决定不予准入（含命中负面清单）且涉及本区域社区的准入申请。"
    ), "admission:decisions", refused_at_gate, unit=gettext_lazy("项"), order=24),
    Figure("inspections", gettext_lazy("督查检查考核"), gettext_lazy(
        "下达到社区的督查检查考核类任务（次），与上年同期比较。"
    ), "workload:burden", inspections, unit=gettext_lazy("次"), better="down", order=30, chart=True),
    Figure("meetings", gettext_lazy("要求社区参加的会议"), gettext_lazy(
        "下达到社区的会议类任务（次），与上年同期比较。"
    ), "workload:burden", meetings, unit=gettext_lazy("次"), better="down", order=32, chart=True),
    Figure("typed_cells", gettext_lazy("一表通：社区手填的单元格"), gettext_lazy(
        "社区在一表通报表中手工补填的单元格数；其余单元格由字段库从部门数据自动填写。"
    ), "registry:reports", typed_cells, unit=gettext_lazy("格"), better="down", order=40),
    Figure("hand_ledgers", gettext_lazy("仍需社区手工填报的报表台账"), gettext_lazy(
        "今天仍在准入期内、下达到本区域社区的报表/台账类准入事项，与一年前比较；工作台账由系统按留痕自动生成，不计在内。"
    ), "admission:catalogue", hand_ledgers, unit=gettext_lazy("项"), better="down", order=42),
    Figure("response_rate", gettext_lazy("响应率"), RATE_NOTE, "services:metrics",
           _rate("response_rate"), query=_metrics_query, unit="%", better="up", order=50),
    Figure("resolution_rate", gettext_lazy("解决率"), RATE_NOTE, "services:metrics",
           _rate("resolution_rate"), query=_metrics_query, unit="%", better="up", order=51),
    Figure("satisfaction_rate", gettext_lazy("满意率"), RATE_NOTE, "services:metrics",
           _rate("satisfaction_rate"), query=_metrics_query, unit="%", better="up", order=52),
    Figure("on_time_rate", gettext_lazy("按时办结率"), RATE_NOTE, "services:metrics",
           _rate("on_time_rate"), query=_metrics_query, unit="%", better="up", order=53),
    Figure("settled_in_grid", gettext_lazy("网格内解决的诉求占比"), gettext_lazy(
        "已办结的诉求中，由网格员受理并办结（未上报社区、街道或部门）的占比；按诉求提交日期统计。"
    ), "services:metrics", settled_in_grid, query=_metrics_query, unit="%", better="up", order=55),
    Figure("staffing_shortfall", gettext_lazy("社区工作者缺口"), gettext_lazy(
        "按现行配备标准计算的应配人数减去实有社区工作者，各社区缺口合计（今天）。"
    ), "workforce:staffing", staffing_shortfall, unit=gettext_lazy("人"), better="down", order=60),
    Figure("timebank_hours", gettext_lazy("时间银行服务时长"), gettext_lazy(
        "志愿服务经确认后存入成员账户的时长，单位：小时。"
    ), "timebank:statistics", timebank_hours, unit=gettext_lazy("小时"), better="up", order=70,
        chart=True),
    Figure("assessment", gettext_lazy("社区考核结果"), gettext_lazy(
        "需要年度考核方案与考核结果（监督考核模块）后才能显示。"
    ), "", pending_issue="#17", order=80),
]  # fmt: skip


def register_all() -> None:
    for row in ROWS:
        register(row)
