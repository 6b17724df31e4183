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
    "workforce.assessment_rule_create": _("新增年度考核规则"),
    "workforce.assessment_rules_seed": _("载入示例年度考核规则"),
    "workforce.assessment_record": _("评定年度考核结果"),
    "workforce.assessment_view": _("查看年度考核结果"),
    "workforce.career_rule_create": _("新增岗位晋升条件"),
    "workforce.career_rules_seed": _("载入示例岗位晋升条件"),
    "workforce.surge_rate_create": _("新增突击性任务补贴标准"),
    "workforce.surge_rates_seed": _("载入示例突击性任务补贴标准"),
    "workforce.surge_task_record": _("登记突击性任务"),
    "workforce.surge_task_approve": _("审核通过突击性任务"),
    "workforce.surge_task_refuse": _("突击性任务未通过审核"),
}


class WorkforceConfig(AppConfig):
    """The community workforce (seed §4): staffing standards, worker records, posts and grades;
    pay standards, the annual assessment, surge work and careers."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "workforce"
    verbose_name = _("社区工作者队伍")

    def ready(self):
        from core import action_labels, navigation
        from core.demo import extensions
        from workforce import assessment, demo, hooks, rules, surge  # noqa: F401 - rules: perms
        from workload import hooks as workload_hooks

        navigation.register(
            _("人员配备"), "workforce:staffing", perm="workforce.view_staffing", order=24
        )
        navigation.register(
            _("社区工作者"), "workforce:workers", perm="workforce.view_workers", order=25
        )
        navigation.register(
            _("我的岗位等级"), "workforce:me", perm="workforce.view_own_record", order=26
        )
        navigation.register(
            _("年度考核"), "workforce:assessments", perm="workforce.view_assessments", order=27
        )
        navigation.register(
            _("突击性任务"), "workforce:surge", perm="workforce.view_surge", order=28
        )
        extensions.register("workforce")(demo.build)
        hooks.register_pause_source("assessment", assessment.paused)
        workload_hooks.register_time_source("surge", surge.minutes_by_community_month)
        action_labels.register(AUDIT_LABELS)
