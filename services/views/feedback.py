"""What a step of a request did and what comes next, told after it is taken (issue #21, item 6:
every step used to answer "已保存。"). Read from the request as the step left it."""

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from services.models import ServiceRequest, State


def _day(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "MONTH_DAY_FORMAT")


def done_message(step, request_pk: int, *, state_before: str) -> str:
    """``state_before``: the request's state before the step; a step that leaves it where it
    was (催办, 公开, a note) says what it saved and where the request stands."""
    req = ServiceRequest.objects.select_related("lead_department", "merged_into").get(pk=request_pk)
    department = req.lead_department.name if req.lead_department_id else ""
    due = _day(req.due_at) if req.due_at else ""
    if step.name == "urge" and department:
        return _("已催办%(dept)s，办理时限%(due)s。") % {"dept": department, "due": due}
    if req.state == state_before:
        return _("“%(step)s”已保存，诉求当前%(state)s。") % {
            "step": step.label,
            "state": req.get_state_display(),
        }
    if req.state == State.DISPATCHED and department:
        return _("已派单至%(dept)s，办理时限%(due)s，等待部门签收。") % {
            "dept": department,
            "due": due,
        }
    told = {
        State.ACCEPTED: _("已受理，下一步：派单给主办部门。"),
        State.REJECTED: _("已不予受理，诉求到此结束。"),
        State.ANSWERED: _("答复已提交，等待派单人审核办结。"),
        State.CLOSED: _("已办结，等待反映人评价或回访。"),
        State.VISITED: _("回访已记录，等待反映人评价。"),
        State.RATED: _("评价已记录，诉求办结。"),
        State.DISPUTED: _("评价为不满意，等待派单人核实。"),
    }
    if req.state == State.HANDLING and due:
        return _("%(dept)s办理中，请在%(due)s前答复。") % {"dept": department, "due": due}
    if req.state == State.MERGED and req.merged_into_id:
        return _("已并入诉求%(number)s，随其一并办理。") % {"number": req.merged_into.number}
    if req.state in told:
        return told[req.state]
    return _("已完成“%(step)s”，诉求当前%(state)s。") % {  # a state no line above tells
        "step": step.label,
        "state": req.get_state_display(),
    }
