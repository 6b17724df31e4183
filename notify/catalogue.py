"""The kinds of message the apps send today (issue #15 item 2: who is told what).

Residents: their request accepted, dispatched, answered, closed with the rating invitation (by
SMS too unless they choose otherwise). Staff: new work in their queue, warnings and 催办,
decisions on what they asked. Time-bank members: each step of an order. Apps to come register
their own kinds with ``notify.kinds.register``.
"""

from django.utils.translation import gettext_noop as _

from notify.kinds import MEMBER, RESIDENT, STAFF, Kind, register

SMS = ("sms",)
STEP = _("%(number)s %(what)s")


def _resident(key, label, what, *, body="%(note)s", urgent=False):
    return Kind(key, label, STEP, body, RESIDENT, urgent, SMS, fixed=(("what", what),))


def _desk(key, label, what, *, body="", urgent=False):
    return Kind(key, label, STEP, body, STAFF, urgent, fixed=(("what", what),))


SERVICES = [
    _resident("services.request_accepted", _("诉求已受理"), _("已受理")),
    _resident("services.request_rejected", _("诉求不予受理"), _("不予受理")),
    _resident("services.request_dispatched", _("诉求已派单"), _("已派单，由%(department)s办理")),
    _resident("services.request_handling", _("部门已签收诉求"), _("部门已签收，正在办理")),
    _resident("services.request_answered", _("部门已答复诉求"), _("部门已答复")),
    _resident("services.request_closed", _("诉求办结与评价邀请"), _("已办结，请您评价")),
    _resident("services.request_reopened", _("诉求重办"), _("已安排重办")),
    _resident("services.request_extended", _("诉求办理期限延长"), _("办理期限已延长至%(due)s")),
    _resident(
        "services.request_merged", _("诉求合并办理"), _("与%(into)s反映的是同一问题，已合并办理")
    ),
    # A step named in the writer's words (a notice written before kinds had this step).
    _resident("services.request_update", _("诉求办理进展"), "%(text)s"),
    Kind("services.requests_waiting", _("新诉求待受理"), _("%(n)d件新诉求待受理")),
    _desk("services.department_dispatched", _("新派单"), _("新派单，请签收")),
    _desk("services.department_co", _("协办派单"), _("协办派单")),
    _desk("services.department_redispatched", _("改派"), _("改派给您，请签收")),
    _desk("services.department_decision", _("退单、延期、异议的决定"), "%(decision)s"),
    _desk("services.department_reopen", _("群众不满意重办"), _("群众不满意，请重办")),
    _desk("services.department_update", _("诉求办理提示"), "%(text)s"),
    _desk("services.request_chased", _("群众催办"), _("催办：%(note)s"), urgent=True),
    _desk("services.warn_due_soon", _("即将到期预警"), _("催办：即将到期"), body="%(note)s"),
    _desk("services.warn_overdue", _("超期催办"), _("催办：已超期"), body="%(note)s", urgent=True),
    _desk("services.warn_supervise", _("超期督办"), _("超期督办"), body="%(note)s", urgent=True),
    _desk("services.warn_unaccepted", _("超期未受理"), _("超期未受理"), body="%(note)s"),
    Kind("services.overdue_list", _("部门超期诉求清单"), _("%(day)s 本部门超期诉求%(n)s件")),
]

WORKLOAD = [
    Kind(
        "workload.task_new",
        _("社区新任务"),
        _("新任务：%(title)s"),
        _("%(dept)s，准入事项%(number)s，%(due)s前完成。"),
    ),  # fmt: skip
    Kind(
        "workload.task_mismatch",
        _("任务与准入事项不完全相符"),
        _("任务与准入事项不完全相符：%(title)s"),
        _("%(dept)s在准入事项%(number)s“%(item)s”下派发（相符度%(p)d%%），理由：%(r)s"),
    ),  # fmt: skip
    Kind("workload.task_done", _("任务完成"), _("%(community)s已完成：%(title)s"), "%(result)s"),
    Kind(
        "workload.refusal",
        _("社区拒绝未准入事项"),
        _("%(community)s拒绝了%(dept)s的未准入事项"),
        "%(description)s",
    ),  # fmt: skip
]


def _order(key, label, what):
    return Kind(key, label, _("%(what)s：%(listing)s"), "%(body)s", MEMBER, fixed=(("what", what),))


TIMEBANK = [
    _order("timebank.order_taken", _("需求被接单"), _("已有志愿者接单")),
    _order("timebank.order_signed_in", _("志愿者签到"), _("志愿者已签到")),
    _order("timebank.order_confirm", _("请确认服务"), _("请确认服务")),
    _order("timebank.order_confirmed", _("服务已确认"), _("服务已确认")),
    _order("timebank.order_credited", _("服务审核入账"), _("服务已审核入账")),
    _order("timebank.order_refused", _("服务未通过审核"), _("服务未通过审核")),
    _order("timebank.order_cancelled", _("志愿者取消接单"), _("志愿者取消了接单")),
    Kind(
        "timebank.ledger_mismatch",
        _("时间银行对账不一致"),
        _("时间银行对账发现%(n)d处不一致"),
        _("%(d)s的时间银行账本对账不一致（%(kinds)s），请立即核查。"),
        urgent=True,
    ),  # fmt: skip
]

ADMISSION = [
    Kind("admission.review_asked", _("准入申请待审核"), _("准入申请待审核：%(title)s"),
         _("%(dept)s提交，审核期限%(due)s。")),
    Kind("admission.incomplete", _("准入申请材料不全"), _("准入申请材料不全：%(title)s"),
         "%(text)s"),
    Kind("admission.refused_negative", _("准入申请不予受理"), _("准入申请不予受理：%(title)s"),
         "%(text)s"),
    Kind("admission.to_meeting", _("准入申请提交联席会议"),
         _("准入申请已提交联席会议审议：%(title)s"), _("审核期限%(due)s。")),
    Kind("admission.appeal", _("准入申诉待复核"), _("准入申诉待复核：%(title)s"), "%(text)s"),
    Kind("admission.decided", _("准入申请的决定"), _("准入申请已审核：%(title)s（%(status)s）"),
         _("联席会议%(number)s（%(date)s）决定。%(text)s")),
    Kind("admission.item_new", _("新准入事项"), _("新准入事项：%(title)s"),
         _("%(dept)s，%(freq)s，每社区约%(min)d分钟。")),
    Kind("admission.item_withdrawn", _("准入事项退出"), _("准入事项已退出：%(title)s"),
         "%(text)s"),
    Kind("admission.review_overdue", _("准入审核超期"), _("准入申请已超过审核期限：%(title)s"),
         _("%(dept)s提交，期限%(due)s。"), urgent=True),
    Kind("admission.annual_review", _("准入事项年度复核"), _("准入事项年度复核：%(title)s"),
         _("准入已满%(n)d年，请复核是否继续保留；不再需要的请决定退出。")),
]  # fmt: skip

CORE = [
    Kind(
        "core.account_linked",
        _("居民信息关联通过"),
        _("社区已核实您的居民信息，账号已关联。"),
        audience=RESIDENT,
        channels=SMS,
    ),
    Kind(
        "core.account_link_refused",
        _("居民信息关联未通过"),
        _("您的居民信息关联申请未通过：%(reason)s"),
        audience=RESIDENT,
        channels=SMS,
    ),
    Kind(
        "core.calendar_missing",
        _("节假日安排待录入"),
        _("请录入%(year)d年节假日安排"),
        _(
            "系统内置的法定节假日数据不含%(year)d年。在录入国务院办公厅公布的%(year)d年节假日安排"
            "并标记“已录入”之前，该年的工作日按周一至周五推算，跨入该年的办理期限可能不准确。"
        ),
    ),  # fmt: skip
    Kind(
        "core.audit_broken",
        _("操作记录完整性校验未通过"),
        _("操作记录完整性校验未通过"),
        _(
            "操作记录在第%(seq)s条处与哈希链不符（%(reason)s），可能被修改或删除。"
            "请立即保全数据库并联系安全管理员。"
        ),
        urgent=True,
    ),  # fmt: skip
]


def _followed(key, label, what):
    """What a request's followers hear: its public step and note, in-app unless they chose."""
    return Kind(key, label, STEP, "%(note)s", RESIDENT, fixed=(("what", what),))


FOLLOWED = [
    _followed("services.followed_accepted", _("关注的诉求已受理"), _("（关注）已受理")),
    _followed("services.followed_rejected", _("关注的诉求不予受理"), _("（关注）不予受理")),
    _followed(
        "services.followed_dispatched",
        _("关注的诉求已派单"),
        _("（关注）已派单，由%(department)s办理"),
    ),
    _followed("services.followed_answered", _("关注的诉求已答复"), _("（关注）部门已答复")),
    _followed("services.followed_closed", _("关注的诉求已办结"), _("（关注）已办结")),
    Kind("services.followed_new", _("关注的地区或事项有新诉求"), _("%(name)s：%(n)d件新诉求")),
    # A new public request in a followed community (notify.follows.tell_community_followers).
    Kind("notify.wechat_bound", _("微信绑定成功"), _("您的账号已绑定微信"), audience=RESIDENT),
    Kind("notify.community_request", _("关注的社区有新的公开诉求"),
         _("%(community)s：新的公开诉求%(number)s"), "%(summary)s", RESIDENT),
]  # fmt: skip


def _case(key, label, what, audience=STAFF):
    """A step of an accountability case, to the person concerned or to the officers."""
    return Kind(key, label, _("问责事项（%(date)s）：%(what)s"), "%(text)s", audience,
                fixed=(("what", what),))  # fmt: skip


OVERSIGHT = [
    Kind("oversight.reminder", _("谈话提醒、函询或诫勉"), _("您收到一次%(way)s"), "%(text)s"),
    _case("oversight.case_decided", _("对您作出的问责决定"), _("对您作出问责决定")),
    _case("oversight.case_replied", _("被问责人申辩"), _("%(name)s提交了申辩")),
    _case("oversight.tolerance_asked", _("容错申请待认定"), _("%(name)s申请容错")),
    _case("oversight.tolerance_judged", _("容错认定结果"), _("容错申请已认定")),
    _case("oversight.rectification_ordered", _("纠错整改要求"), _("请按要求整改")),
    _case("oversight.case_followed_up", _("整改跟踪督促"), _("整改跟踪督促")),
    _case("oversight.case_rectified", _("整改完成待销号"), _("%(name)s报告整改完成，请核实销号")),
    _case("oversight.case_closed", _("问责事项销号"), _("已核实销号")),
    Kind("oversight.results", _("社区考核结果"), _("%(year)s年度社区考核结果：%(score)s分")),
    Kind("oversight.objection", _("社区对考核结果的异议"),
         _("%(community)s对%(year)s年度考核结果提出异议"), "%(text)s"),
    Kind("oversight.objection_answered", _("考核异议的答复"), _("%(year)s年度考核异议已答复"),
         "%(text)s"),
]  # fmt: skip

register(*SERVICES, *WORKLOAD, *TIMEBANK, *ADMISSION, *CORE, *FOLLOWED, *OVERSIGHT)

# Which staff roles receive each staff kind (the longest matching key prefix counts): the
# preferences page lists a staff kind only to those roles (notify.selectors.kinds_for). A staff
# kind matched by none is listed to every staff role.
_HANDLERS = ("department_officer", "street_officer", "community_worker", "grid_worker")
STAFF_ROLES_BY_KIND = {
    "services.": ("admin", "coordinator", *_HANDLERS),
    "services.requests_waiting": ("admin", "coordinator"),
    "services.department_": ("department_officer",),
    "services.overdue_list": ("department_officer",),
    "workload.": ("coordinator", "community_worker"),
    "workload.task_new": ("community_worker",),
    "admission.": ("coordinator", "department_officer", "street_officer", "community_worker"),
    "core.": ("admin",),
    "timebank.": ("admin", "coordinator"),
    "oversight.": ("oversight_officer", "admin", "coordinator", *_HANDLERS),
    "oversight.objection": ("oversight_officer", "coordinator", "community_worker"),
    "channel.": ("admin", "street_officer", "community_worker"),
}


def staff_roles_for(key: str) -> tuple[str, ...] | None:
    matched = [p for p in STAFF_ROLES_BY_KIND if key.startswith(p)]
    return STAFF_ROLES_BY_KIND[max(matched, key=len)] if matched else None
