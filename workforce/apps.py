from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The audit log's names for this app's actions.
AUDIT_LABELS = {
    "workforce.staffing_rule_create": _("新增配备标准"),
    "workforce.staffing_rules_seed": _("载入默认配备标准"),
    "workforce.worker_enrol": _("登记社区工作者"),
    "workforce.contract_add": _("新增聘用合同"),
    "workforce.contract_exit": _("办理离职"),
    "workforce.term_add": _("新增两委任期"),
    "workforce.term_end": _("两委成员提前离任"),
    "workforce.leave_add": _("登记假期"),
    "workforce.qualification_add": _("登记职业资格证书"),
    "workforce.posting_start": _("岗位变动"),
    "workforce.progression_pause": _("登记暂停晋级"),
    "workforce.grade_scheme_create": _("新增岗位等级规则"),
    "workforce.grade_schemes_seed": _("载入三岗十八级"),
    "workforce.pay_scale_create": _("新增工资标准"),
    "workforce.pay_scales_seed": _("载入示例工资标准"),
    "workforce.average_wage_enter": _("录入城市平均工资"),
    "workforce.pay_view": _("查看社区工作者工资标准"),
    "workforce.pay_roster_export": _("导出岗位等级花名册"),
}


class WorkforceConfig(AppConfig):
    """The community workforce (seed §4): staffing standards, worker records, posts and grades;
    pay standards, assessment and training to follow."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "workforce"
    verbose_name = _("社区工作者队伍")

    def ready(self):
        from core import action_labels, navigation
        from core.demo import extensions
        from workforce import demo, rules  # noqa: F401 - rules registers the permissions

        navigation.register(
            _("人员配备"), "workforce:staffing", perm="workforce.view_staffing", order=24
        )
        navigation.register(
            _("社区工作者"), "workforce:workers", perm="workforce.view_workers", order=25
        )
        navigation.register(
            _("我的岗位等级"), "workforce:me", perm="workforce.view_own_record", order=26
        )
        extensions.register("workforce")(demo.build)
        action_labels.register(AUDIT_LABELS)
