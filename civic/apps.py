from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The audit log's names for this app's actions.
AUDIT_LABELS = {
    "civic.org_file": _("社会组织备案"),
    "civic.org_member_add": _("添加社会组织成员"),
    "civic.org_revoke": _("注销社会组织备案"),
    "civic.base_create": _("设立孵化基地"),
    "civic.incubation_start": _("入驻孵化基地"),
    "civic.incubation_stage": _("更新孵化阶段"),
    "civic.report_submit": _("提交社会组织年度报告"),
    "civic.fund_create": _("设立发展基金"),
    "civic.fund_deposit": _("基金注资"),
    "civic.fund_pay": _("基金支出"),
    "civic.call_open": _("发布公益创投"),
    "civic.seat_add": _("加入评审组"),
    "civic.seat_withdraw": _("退出评审组"),
    "civic.conflict_declare": _("申报利益冲突"),
    "civic.application_submit": _("申报公益创投项目"),
    "civic.call_review": _("开始公益创投评审"),
    "civic.score_give": _("公益创投评分"),
    "civic.grant_award": _("公益创投立项资助"),
    "civic.call_close": _("结束公益创投评审"),
    "civic.milestone_add": _("设定资助节点"),
    "civic.milestone_report": _("报告资助节点进展"),
    "civic.milestone_accept": _("验收资助节点并拨付"),
    "civic.contract_sign": _("签订购买服务合同"),
    "civic.contract_deliver": _("登记购买服务履约"),
    "civic.contract_rate": _("评价购买服务"),
    "civic.contract_end": _("终止购买服务合同"),
}


class CivicConfig(AppConfig):
    """Co-governance (seed §6): social organisations, incubation, the development fund and its
    公益创投 grants."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "civic"
    verbose_name = _("共建共治")

    def ready(self):
        from civic import demo, figures, rules, selectors  # noqa: F401 - rules registers the permissions
        from core import action_labels, navigation
        from core.demo import extensions
        from workload import hooks

        navigation.register(_("社会组织"), "civic:orgs", perm="civic.view", order=62)
        navigation.register(_("公益创投"), "civic:calls", perm="civic.view", order=63)
        navigation.register(_("购买服务"), "civic:contracts", perm="civic.view_contracts", order=64)
        # Work taken over by an organisation leaves the community's burden (issue #18 item 3).
        hooks.register_transfer_source("civic", selectors.transfers_in)
        extensions.register("civic")(demo.build)
        action_labels.register(AUDIT_LABELS)
        figures.register_all()  # its row of the district's one page (/outcomes/)
