from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The audit log's names for this app's actions.
AUDIT_LABELS = {
    "deliberation.rules_seed": _("载入默认议事规则"),
    "deliberation.meeting_rule_create": _("新增议事会议规则"),
    "deliberation.support_rule_create": _("新增议题支持人数规则"),
    "deliberation.representative_add": _("登记居民代表"),
    "deliberation.representative_end": _("居民代表离任"),
    "deliberation.proposal_file": _("提出居民提议"),
    "deliberation.proposal_support": _("支持居民提议"),
    "deliberation.proposal_decline": _("居民提议不予列入"),
    "deliberation.proposal_withdraw": _("撤回居民提议"),
    "deliberation.proposal_schedule": _("居民提议列入会议议程"),
    "deliberation.meeting_create": _("拟定议事会议"),
    "deliberation.agenda_add": _("增加会议议题"),
    "deliberation.meeting_reschedule": _("议事会议改期"),
    "deliberation.meeting_notice": _("发布会议公告"),
    "deliberation.meeting_cancel": _("取消议事会议"),
    "deliberation.participant_register": _("登记参会人员"),
    "deliberation.meeting_sign_up": _("报名参加议事会议"),
    "deliberation.meeting_hold": _("登记会议召开和到会情况"),
    "deliberation.minutes_edit": _("修改会议纪要"),
    "deliberation.decision_record": _("登记议事决定"),
    "deliberation.meeting_publish": _("公布会议纪要和决定"),
    "deliberation.decision_update": _("更新决定落实进度"),
    "deliberation.document_adopt": _("通过居民公约或议事规则"),
}


class DeliberationConfig(AppConfig):
    """Deliberation (协商议事), hearings, residents' representative meetings, conventions and
    the tracking of every decision to completion (issue #18 item 6)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "deliberation"
    verbose_name = _("协商议事")

    def ready(self):
        from core import action_labels, navigation
        from core.demo import extensions
        from deliberation import demo, figures, notices, rules  # noqa: F401 - rules registers the permissions
        from notify import kinds

        navigation.register(_("协商议事"), "deliberation:index", perm="deliberation.use", order=47)
        navigation.register(_("议事规则"), "deliberation:rules", perm="deliberation.set_any_rules",
                            unless="deliberation.use", order=48)  # fmt: skip
        action_labels.register(AUDIT_LABELS)
        figures.register_all()  # its row of the district's one page (/outcomes/)
        kinds.register(*notices.kinds())
        extensions.register("deliberation")(demo.build)
        from deliberation import time_source  # issue #13: meetings held as self-government time

        time_source.register()
