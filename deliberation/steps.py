"""The three state machines of deliberation as tables of steps (core.steps): a meeting (notice,
registration, holding, decisions, minutes, publishing), a proposal (support, agenda) and a
decision (progress, completion, the convention it adopts). The pages, the API
(``POST /api/deliberation/<collection>/{id}/steps/{name}``) and the tests loop over them."""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy

from core import steps as core_steps
from core.models import Person
from core.steps import TEXT, Input
from deliberation import services
from deliberation.models import (
    AgendaItem,
    Decision,
    Document,
    Meeting,
    MeetingKind,
    Participant,
    Proposal,
    Support,
)

M, P, D = Meeting.State, Proposal.State, Decision.Status
PERSON, ROLE, ATTENDANCE, NUMBER = "person", "role", "attendance", "number"
AGENDA, MEETING, DOC_KIND, WHEN = "agenda", "meeting", "doc_kind", "when"
CONVENE, TAKE_PART, WITHDRAW = (
    "deliberation.convene",
    "deliberation.take_part",
    "deliberation.withdraw",
)


def _person_id(user):
    person = getattr(user, "person", None) if getattr(user, "is_authenticated", False) else None
    return person.pk if person else None


def _not_registered(user, meeting) -> bool:
    pid = _person_id(user)
    return (
        pid is not None and not Participant.objects.filter(meeting=meeting, person_id=pid).exists()
    )


def _not_supported(user, proposal) -> bool:
    pid = _person_id(user)
    return pid is not None and not Support.objects.filter(proposal=proposal, person_id=pid).exists()


def _adoptable(user, decision) -> bool:
    return decision.meeting.kind == MeetingKind.REPRESENTATIVES and not hasattr(decision, "adopted")


def _minutes(meeting) -> dict:
    return {"minutes": meeting.minutes}


@dataclass(frozen=True, kw_only=True)
class MeetingStep(core_steps.Step):
    OBJECT = "meeting"
    subject: str = "meeting"


@dataclass(frozen=True, kw_only=True)
class ProposalStep(core_steps.Step):
    OBJECT = "proposal"
    subject: str = "proposal"


@dataclass(frozen=True, kw_only=True)
class DecisionStep(core_steps.Step):
    OBJECT = "decision"
    STATE = "status"
    subject: str = "decision"


_ = gettext_lazy
VOTES = (Input("votes_for", NUMBER, _("赞成票"), required=True),
         Input("votes_against", NUMBER, _("反对票"), required=True),
         Input("votes_abstain", NUMBER, _("弃权票"), required=True))  # fmt: skip

MEETING_STEPS = [
    MeetingStep("agenda", _("增加议题"), services.agenda_add, CONVENE, frozenset({M.DRAFT}),
                inputs=(Input("title", TEXT, _("议题"), required=True, max_length=100, rows=1),),
                title=_("会议议题"), done=_("议题已增加。")),
    MeetingStep("reschedule", _("改期"), services.meeting_reschedule, CONVENE,
                frozenset({M.DRAFT}),
                inputs=(Input("starts_at", WHEN, _("召开时间"), required=True),),
                title=_("会议改期"), collapsed=True, done=_("已改期。")),
    MeetingStep("notice", _("发布会议公告"), services.meeting_notice, CONVENE, frozenset({M.DRAFT}),
                title=_("发布公告"), style="primary", done=_("会议公告已发布。"),
                help=_("公告须在规则规定的天数之前发布；公告后议题不再增加。")),
    MeetingStep("register", _("登记参会人员"), services.participant_register, CONVENE,
                frozenset({M.NOTICED}),
                inputs=(Input("person", PERSON, _("参会人员"), required=True),
                        Input("role", ROLE, _("身份"), required=True)),
                title=_("登记参会人员（居民代表、居民、利害关系人、专家）"), done=_("已登记。")),
    MeetingStep("sign_up", _("我要报名参加"), services.meeting_sign_up, TAKE_PART,
                frozenset({M.NOTICED}), guard=_not_registered, style="primary",
                title=_("报名参加"), done=_("已报名。")),
    MeetingStep("hold", _("登记会议召开"), services.meeting_hold, CONVENE, frozenset({M.NOTICED}),
                inputs=(Input("attended", ATTENDANCE, _("到会人员")),
                        Input("minutes", TEXT, _("会议纪要"), required=True, max_length=20000,
                              rows=6)),
                title=_("会议召开：到会情况和纪要"), style="primary", done=_("已登记会议召开。")),
    MeetingStep("decide", _("登记决定"), services.decision_record, CONVENE, frozenset({M.HELD}),
                inputs=(Input("agenda_item", AGENDA, _("所议议题")),
                        Input("title", TEXT, _("决定事项"), required=True, max_length=100, rows=1),
                        Input("text", TEXT, _("决定内容"), required=True, max_length=8000, rows=3),
                        *VOTES),
                title=_("登记会议决定（表决结果）"), done=_("决定已登记。"),
                help=_("到会人数不足规则规定的法定人数时，决定不能登记。")),
    MeetingStep("minutes", _("保存纪要"), services.minutes_edit, CONVENE, frozenset({M.HELD}),
                inputs=(Input("minutes", TEXT, _("会议纪要"), required=True, max_length=20000,
                              rows=6),),
                title=_("修改会议纪要"), collapsed=True, initial=_minutes, done=_("纪要已保存。")),
    MeetingStep("publish", _("公布纪要和决定"), services.meeting_publish, CONVENE,
                frozenset({M.HELD}), title=_("公布"), style="primary",
                help=_("公布后纪要不能再修改，决定进入公开的落实跟踪。"), done=_("纪要和决定已公布。")),
    MeetingStep("cancel", _("取消会议"), services.meeting_cancel, CONVENE,
                frozenset({M.DRAFT, M.NOTICED}),
                inputs=(Input("reason", TEXT, _("取消原因"), required=True),),
                title=_("取消会议"), style="danger", collapsed=True, done=_("会议已取消。")),
]  # fmt: skip

PROPOSAL_STEPS = [
    ProposalStep("support", _("支持"), services.proposal_support, TAKE_PART,
                 frozenset({P.OPEN, P.QUALIFIED}), guard=_not_supported, style="primary",
                 title=_("支持这项提议"), done=_("已支持。每位居民只能支持一次。")),
    ProposalStep("schedule", _("列入会议议程"), services.proposal_schedule, CONVENE,
                 frozenset({P.QUALIFIED}),
                 inputs=(Input("meeting", MEETING, _("会议"), required=True),),
                 title=_("列入会议议程"), style="primary", done=_("已列入会议议程。")),
    ProposalStep("decline", _("不予列入"), services.proposal_decline, CONVENE,
                 frozenset({P.OPEN, P.QUALIFIED}),
                 inputs=(Input("reason", TEXT, _("不予列入的理由"), required=True),),
                 title=_("不予列入"), collapsed=True, done=_("已答复提议人。")),
    ProposalStep("withdraw", _("撤回提议"), services.proposal_withdraw, WITHDRAW,
                 frozenset({P.OPEN, P.QUALIFIED}),
                 inputs=(Input("reason", TEXT, _("撤回说明")),),
                 title=_("撤回提议"), collapsed=True, done=_("提议已撤回。")),
]  # fmt: skip

OPEN = frozenset({D.PLANNED, D.IN_PROGRESS})
DECISION_STEPS = [
    DecisionStep("progress", _("更新进度"), services.decision_progress, CONVENE, OPEN,
                 inputs=(Input("progress", NUMBER, _("进度（%）"), required=True),
                         Input("text", TEXT, _("进展情况"), required=True)),
                 title=_("更新落实进度"), style="primary", done=_("进度已更新。")),
    DecisionStep("complete", _("已落实"), services.decision_complete, CONVENE, OPEN,
                 inputs=(Input("text", TEXT, _("完成情况"), required=True),),
                 title=_("决定已落实"), collapsed=True, done=_("已标记为完成。")),
    DecisionStep("drop", _("未能实施"), services.decision_drop, CONVENE, OPEN,
                 inputs=(Input("text", TEXT, _("未能实施的原因"), required=True),),
                 title=_("说明未能实施"), style="danger", collapsed=True, done=_("已说明。")),
    DecisionStep("adopt", _("通过公约或规则"), services.document_adopt, CONVENE,
                 frozenset({D.PLANNED, D.IN_PROGRESS, D.DONE}), guard=_adoptable,
                 inputs=(Input("kind", DOC_KIND, _("类别"), required=True),
                         Input("title", TEXT, _("名称"), required=True, max_length=100, rows=1),
                         Input("text", TEXT, _("条文"), required=True, max_length=20000, rows=8)),
                 title=_("据此决定通过居民公约或议事规则（新版本）"), collapsed=True,
                 done=_("公约或规则的新版本已生效。")),
]  # fmt: skip
del _

MEETINGS = core_steps.Table(MEETING_STEPS)
PROPOSALS = core_steps.Table(PROPOSAL_STEPS)
DECISIONS = core_steps.Table(DECISION_STEPS)


def _pk(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _person(value, spec):
    pk = _pk(value)
    return Person.objects.filter(pk=pk).select_related("place").first() if pk else None


def _attendance(value, spec):
    if value in (None, ""):
        return []
    values = value if isinstance(value, list | tuple) else [value]
    return [pk for pk in (_pk(v) for v in values) if pk is not None]


def _number(value, spec):
    return value


def _agenda(value, spec):
    pk = _pk(value)
    return AgendaItem.objects.filter(pk=pk).first() if pk else None


def _meeting(value, spec):
    pk = _pk(value)
    return Meeting.objects.filter(pk=pk).first() if pk else None


def _when(value, spec):
    """An aware moment; a naive one (a form's local time) is taken as Beijing time."""
    moment = parse_datetime(value) if isinstance(value, str) else value
    if isinstance(moment, datetime.datetime) and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _choice(value, spec):
    return "" if value is None else str(value)


CLEANERS = {PERSON: _person, ROLE: _choice, ATTENDANCE: _attendance, NUMBER: _number,
            AGENDA: _agenda, MEETING: _meeting, DOC_KIND: _choice, WHEN: _when}  # fmt: skip
DOC_KINDS = Document.Kind


def clean_input(step, raw: dict) -> dict:
    return core_steps.clean_input(step, raw, CLEANERS)
