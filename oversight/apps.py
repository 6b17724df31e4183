from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from notify import kinds as notify_kinds
from notify.kinds import RESIDENT, Kind

# The audit log's names for this app's actions.
AUDIT_LABELS = {
    "oversight.sanction_rules_seed": _("载入默认问责规则"),
    "oversight.sanction_rule_create": _("新增问责规则"),
    "oversight.reminder_issue": _("登记谈话提醒、函询或诫勉"),
    "oversight.reminder_reply": _("对提醒作出说明"),
    "oversight.case_decided": _("作出问责决定"),
    "oversight.case_replied": _("问责申辩"),
    "oversight.case_tolerance_asked": _("申请容错"),
    "oversight.case_tolerance_judged": _("容错认定"),
    "oversight.case_rectification_ordered": _("布置纠错整改"),
    "oversight.case_followed_up": _("跟踪督促整改"),
    "oversight.case_rectified": _("报告整改完成"),
    "oversight.case_closed": _("问责事项销号"),
    "oversight.case_view": _("查看问责事项"),
    "oversight.scheme_draft": _("制定考核方案"),
    "oversight.scheme_approve": _("批准考核方案"),
    "oversight.results_compute": _("计算考核结果"),
    "oversight.objection_file": _("对考核结果提出异议"),
    "oversight.objection_answer": _("答复考核异议"),
    "oversight.survey_rule_create": _("新增问卷计分规则"),
    "oversight.survey_send": _("发起民主评议或满意度调查"),
    "oversight.survey_answer": _("参加民主评议或满意度调查"),
    "oversight.survey_view": _("查看问卷结果"),
}


# Registered here rather than in notify's catalogue: the survey is oversight's own message.
MESSAGE_KINDS = [
    Kind("oversight.survey", _("社区民主评议和满意度调查"),
         _("%(community)s %(year)s年度%(what)s，请在%(closes)s前作答"),
         _("匿名统计，每人一次，约一分钟。"), RESIDENT),
]  # fmt: skip


class OversightConfig(AppConfig):
    """Oversight (seed §5, §1): the accountability chain and the yearly assessment of
    communities."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "oversight"
    verbose_name = _("监督考核")

    def ready(self):
        from core import action_labels, navigation
        from core import workbench as core_workbench
        from core.demo import extensions
        from oversight import demo, figures, pauses, rules, workbench  # noqa: F401 - rules: perms
        from workforce import hooks as workforce_hooks

        navigation.register(_("社区考核"), "oversight:assessment", perm="oversight.use", order=26)
        navigation.register(
            _("问责与容错"), "oversight:chain", perm="oversight.run_chain_anywhere", order=27
        )
        extensions.register("oversight")(demo.build)
        action_labels.register(AUDIT_LABELS)
        figures.register_all()
        core_workbench.register(workbench.cards)
        # A sanction in force pauses grade progression (issue #17 item 2 → #16 item 3).
        workforce_hooks.register_pause_source("oversight", pauses.paused)
        notify_kinds.register(*MESSAGE_KINDS)
