"""The accountability case as one table of steps (core.steps): the case page, the API
(``POST /api/oversight/cases/{id}/steps/{name}``) and the tests loop over ``STEPS``."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import steps as core_steps
from core.steps import TEXT, Input
from oversight import services
from oversight.models import Case

S = Case.State
DATE = "date"  # a day (YYYY-MM-DD)
YES_NO = "yes_no"  # 予以容错 or not
GROUNDS = "grounds"  # which of the three distinctions (several)

CONCERNED, OFFICER = "oversight.act_as_concerned", "oversight.run_chain"
DISTINCTION_LABELS = {
    "inexperience": gettext_lazy("先行先试中的失误，不是明知故犯"),
    "exploration": gettext_lazy("探索性试验中的失误，不是明令禁止后依然我行我素"),
    "development": gettext_lazy("为推动发展的无意过失，不是为谋取私利的违纪违法"),
}


@dataclass(frozen=True, kw_only=True)
class Step(core_steps.Step):
    OBJECT = "case"
    STATE = "state"
    subject: str = "case"

    def target(self, case: Case):
        return case.district if self.perm == OFFICER else case


def _no_reply(user, case) -> bool:
    return not case.reply


def _not_asked(user, case) -> bool:
    return not case.tolerance_reason


def _second_officer(user, case) -> bool:
    return user.pk != case.opened_by_id


STEPS = [
    Step("reply", gettext_lazy("申辩"), services.case_reply, CONCERNED,
         frozenset({S.DECIDED, S.TOLERANCE_ASKED, S.RECTIFYING}), guard=_no_reply,
         inputs=(Input("reply", TEXT, gettext_lazy("申辩意见"), required=True, rows=4),),
         title=gettext_lazy("对问责决定申辩"), done=gettext_lazy("申辩已提交。"), collapsed=True),
    Step("apply_tolerance", gettext_lazy("申请容错"), services.tolerance_apply, CONCERNED,
         frozenset({S.DECIDED}), guard=_not_asked,
         inputs=(Input("grounds", GROUNDS, gettext_lazy("属于“三个区分开来”中的哪种情形"), required=True),
                 Input("reason", TEXT, gettext_lazy("申请理由"), required=True, rows=4)),
         title=gettext_lazy("申请容错免责"), style="primary", done=gettext_lazy("容错申请已提交。")),
    Step("judge_tolerance", gettext_lazy("作出容错认定"), services.tolerance_judge, OFFICER,
         frozenset({S.TOLERANCE_ASKED}),
         inputs=(Input("granted", YES_NO, gettext_lazy("认定结论"), required=True),
                 Input("inexperience", TEXT, DISTINCTION_LABELS["inexperience"], required=True),
                 Input("exploration", TEXT, DISTINCTION_LABELS["exploration"], required=True),
                 Input("development", TEXT, DISTINCTION_LABELS["development"], required=True)),
         title=gettext_lazy("按“三个区分开来”认定容错"), style="primary",
         help=gettext_lazy("三种情形都须写明认定理由。予以容错的，免除问责对考核、评优和晋升的影响。"),
         done=gettext_lazy("容错认定已作出。")),
    Step("order_rectification", gettext_lazy("布置整改"), services.rectification_order, OFFICER,
         frozenset({S.DECIDED}),
         inputs=(Input("rectification", TEXT, gettext_lazy("纠错整改要求"), required=True, rows=3),
                 Input("rectify_by", DATE, gettext_lazy("整改期限"), required=True)),
         title=gettext_lazy("纠错整改"), done=gettext_lazy("已布置整改。"), collapsed=True),
    Step("follow_up", gettext_lazy("记录跟踪督促"), services.case_follow_up, OFFICER,
         frozenset({S.RECTIFYING}),
         inputs=(Input("note", TEXT, gettext_lazy("跟踪情况"), required=True),),
         title=gettext_lazy("跟踪督促整改"), done=gettext_lazy("已记录跟踪情况。"), collapsed=True),
    Step("report_rectified", gettext_lazy("报告整改完成"), services.rectification_report, CONCERNED,
         frozenset({S.RECTIFYING}),
         inputs=(Input("report", TEXT, gettext_lazy("整改情况"), required=True, rows=3),),
         title=gettext_lazy("报告整改完成"), style="primary", done=gettext_lazy("整改情况已报告，等待销号。")),
    Step("close", gettext_lazy("核实销号"), services.case_close, OFFICER,
         frozenset({S.DECIDED, S.RECTIFIED}), guard=_second_officer,
         inputs=(Input("note", TEXT, gettext_lazy("核实意见"), required=True),),
         title=gettext_lazy("核实销号（须由立案人以外的干部核实）"), done=gettext_lazy("已销号。")),
]  # fmt: skip
TABLE = core_steps.Table(STEPS)
BY_NAME = TABLE.by_name


def available_steps(user, case: Case) -> list[Step]:
    return TABLE.available(user, case)


def _date(value, spec):
    if value in (None, ""):
        return None
    day = parse_date(str(value)) if isinstance(value, str) else value
    if day is None:
        raise ValidationError(_("日期格式应为YYYY-MM-DD。"), code="date")
    return day


def _yes_no(value, spec):
    if value in (True, "true", "yes", "1", 1):
        return True
    if value in (False, "false", "no", "0", 0):
        return False
    return None


def _grounds(value, spec):
    if isinstance(value, str):
        value = [value]
    return [g for g in (value or []) if g in DISTINCTION_LABELS]


CLEANERS = {DATE: _date, YES_NO: _yes_no, GROUNDS: _grounds}


def clean_input(step: Step, raw: dict) -> dict:
    return core_steps.clean_input(step, raw, CLEANERS)
