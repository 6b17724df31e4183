"""The assessment's indicators: each computed from Linli's own data through the owning app's
selectors, with its formula in words and an explanation of the community's number. Never typed
in; the time bank is not an indicator (volunteering is not ranked).

An indicator gives a value and a score out of 100; an indicator without data that year (no
requests, no work last year) is left out and its weight shared among the others in proportion,
which the explanation says."""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_noop as _

from core.models import Place
from oversight import surveys
from registry import selectors as registry
from services import selectors as services
from workload import selectors as workload

SATISFACTION, WORK = "satisfaction", "work"


@dataclass(frozen=True)
class Indicator:
    key: str
    label: object
    group: str
    formula: object


@dataclass
class Year:
    """The assessed year's local days [first, end) (up to today for the current year)."""

    year: int
    today: datetime.date

    @property
    def first(self) -> datetime.date:
        return datetime.date(self.year, 1, 1)

    @property
    def end(self) -> datetime.date:
        return min(datetime.date(self.year + 1, 1, 1), self.today + datetime.timedelta(days=1))

    def aware(self, day: datetime.date):
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


INDICATORS = [
    Indicator("satisfaction_rate", gettext_lazy("居民满意率"), SATISFACTION,
              gettext_lazy("本社区当年提交、已评价的诉求中评价为满意的比例；得分即比率（百分制）。")),
    Indicator("satisfaction_survey", gettext_lazy("居民满意度调查"), SATISFACTION,
              gettext_lazy("本社区当年居民满意度调查（匿名、每人一次）的得分：每份答卷各题按问卷计分规则"
                           "取平均，再取全部答卷平均；有效答卷不足规则规定份数时不计入。")),
    Indicator("democratic_review", gettext_lazy("居民民主评议"), SATISFACTION,
              gettext_lazy("本社区当年居民对社区居委会和社区工作者的民主评议（匿名、每人一次）的得分，"
                           "计分方法同满意度调查；有效答卷不足规则规定份数时不计入。")),
    Indicator("response_rate", gettext_lazy("响应率"), WORK,
              gettext_lazy("本社区当年提交、已到受理期限的诉求中按时响应的比例；得分即比率。")),
    Indicator("resolution_rate", gettext_lazy("解决率"), WORK,
              gettext_lazy("本社区当年提交的诉求中已办结的比例；得分即比率。")),
    Indicator("on_time_rate", gettext_lazy("按时办结率"), WORK,
              gettext_lazy("本社区当年已答复的诉求中在办理期限内答复的比例；得分即比率。")),
    Indicator("settled_in_grid", gettext_lazy("网格内办结占比"), WORK,
              gettext_lazy("本社区当年提交并已办结的诉求中在网格一级办结的比例（接诉即办分级处置）；"
                           "得分即比率。")),
    Indicator("burden_trend", gettext_lazy("社区负担指数变化"), WORK,
              gettext_lazy("当年准入任务用时与上年同期相比：未增加得100分，每增加1%扣1分，最低0分。")),
    Indicator("refused_unadmitted", gettext_lazy("拒绝未准入派活"), WORK,
              gettext_lazy("社区当年登记拒绝的未准入派活件数；依法拒绝不扣分，得100分，仅作说明。")),
    Indicator("typed_cells", gettext_lazy("一表通手填单元格"), WORK,
              gettext_lazy("社区当年在一表通中手工补填的单元格数：0格得100分，每100格扣1分，最低0分。")),
]  # fmt: skip
BY_KEY = {i.key: i for i in INDICATORS}


def _rates(community: Place, year: Year) -> dict:
    (row,) = services.rates_of_place(community, [(year.first, year.end)])
    return row


def _months(first: datetime.date, end: datetime.date) -> list[datetime.date]:
    months, month = [], first.replace(day=1)
    while month < end:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def _burden(community: Place, first: datetime.date, end: datetime.date) -> dict:
    months = _months(first, end)
    rows = workload.burden_by_month([community.pk], months[0], months[-1])
    return {
        "minutes": sum((r.get("burden_minutes") or 0) for r in rows.values()),
        "refused": sum((r.get("refused_unadmitted") or 0) for r in rows.values()),
    }


def _rate(key: str, rates: dict) -> tuple:
    value = rates[key]
    if value is None:
        return None, None, (_("当年没有可计算此项的诉求，不计入，权重按比例分给其他指标。"), {})
    return value, float(value), (_("诉求%(n)d件，比率%(v)s%%。"), {"n": rates["total"], "v": value})


def _burden_trend(now: dict, before: dict) -> tuple:
    hours_now, hours_before = round(now["minutes"] / 60, 1), round(before["minutes"] / 60, 1)
    if not before["minutes"]:
        return hours_now, None, (_("上年同期没有准入任务用时，无法比较，不计入。"), {})
    change = round(100 * (now["minutes"] - before["minutes"]) / before["minutes"], 1)
    score = 100.0 if change <= 0 else max(0.0, 100 - change)
    return (
        change,
        score,
        (
            _("当年%(now)s小时，上年同期%(before)s小时，变化%(c)s%%。"),
            {"now": hours_now, "before": hours_before, "c": change},
        ),
    )


def _a_year_before(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _settled(row: dict) -> tuple:
    share = row["grid_share"]
    if share is None:
        return None, None, (_("当年没有已办结的诉求，不计入，权重按比例分给其他指标。"), {})
    return share, float(share), (
        _("办结%(n)d件，其中网格内办结%(g)d件，占%(v)s%%。"),
        {"n": row["finished"], "g": row["grid"], "v": share},
    )  # fmt: skip


def _survey(community: Place, kind: str, year: int) -> tuple:
    found = surveys.score_of(community.pk, kind, year)
    if found is None:
        return None, None, (_("当年没有发起此项问卷，不计入，权重按比例分给其他指标。"), {})
    if found.score is None:
        need = found.rule.min_answers if found.rule else 0
        return None, None, (
            _("收回答卷%(n)d份，少于计分规则要求的%(need)d份，不计入。"),
            {"n": found.answers, "need": need},
        )  # fmt: skip
    return found.score, found.score, (
        _("发出%(sent)d份，收回%(n)d份，得分%(v)s。"),
        {"sent": found.survey.recipients, "n": found.answers, "v": found.score},
    )  # fmt: skip


def explained(explanation) -> str:
    """A stored explanation ([msgid, params]) in the reader's language."""
    msgid, params = explanation
    return gettext(msgid) % params if params else gettext(msgid)


def compute(community: Place, year_number: int, today: datetime.date) -> dict:
    """{key: (value, score or None, explanation)} for every indicator, for one community."""
    year = Year(year_number, today)
    rates = _rates(community, year)
    last = Year(year_number - 1, today)
    now = _burden(community, year.first, year.end)
    before = _burden(community, last.first, _a_year_before(year.end))
    (typed,) = registry.cells_typed(community, [(year.aware(year.first), year.aware(year.end))])
    out = {key: _rate(key, rates) for key in ("satisfaction_rate", "response_rate",
                                              "resolution_rate", "on_time_rate")}  # fmt: skip
    (settled,) = services.settled_levels_of_place(
        community, [(year.aware(year.first), year.aware(year.end))]
    )
    out["settled_in_grid"] = _settled(settled)
    out["satisfaction_survey"] = _survey(community, "satisfaction", year_number)
    out["democratic_review"] = _survey(community, "review", year_number)
    out["burden_trend"] = _burden_trend(now, before)
    out["refused_unadmitted"] = (
        now["refused"], 100.0, (_("当年登记拒绝%(n)d件。"), {"n": now["refused"]}),
    )  # fmt: skip
    out["typed_cells"] = (
        typed, max(0.0, 100 - typed / 100), (_("当年手工补填%(n)d格。"), {"n": typed}),
    )  # fmt: skip
    return out


def weigh(values: dict, weights: dict) -> tuple[float | None, list[dict]]:
    """The weighted score (out of 100) and one row per indicator; indicators without a score
    give their weight to the others in proportion (no weighted indicator with data: None)."""
    used = {k: w for k, w in weights.items() if w and values[k][1] is not None}
    total_weight = sum(used.values())
    rows, score = [], 0.0
    for indicator in INDICATORS:
        value, points, explanation = values[indicator.key]
        weight = weights.get(indicator.key, 0)
        share = (weight / total_weight * 100) if indicator.key in used else 0
        if indicator.key in used:
            score += points * share / 100
        rows.append({
            "key": indicator.key, "value": value, "score": points, "weight": weight,
            "effective_weight": round(share, 1), "explanation": explanation,
        })  # fmt: skip
    return (round(score, 1) if used else None), rows
