from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from notify import kinds as notify_kinds
from notify.kinds import Kind

# The audit log's names for this app's actions.
AUDIT_LABELS = {
    "finance.rules_seed": _("载入默认财务与公开规则"),
    "finance.approval_rule_create": _("新增支出审批规则"),
    "finance.disclosure_rule_create": _("新增公开规则"),
    "finance.budget_set": _("核定预算"),
    "finance.income_record": _("登记收入"),
    "finance.item_funding_pay": _("费随事转经费到账"),
    "finance.spending_record": _("登记支出"),
    "finance.receipt_attach": _("补传票据"),
    "finance.spending_approve": _("审批支出"),
    "finance.spending_reject": _("退回支出"),
    "finance.disclosure_prepare": _("编制公开栏"),
    "finance.disclosure_refresh": _("重新生成公开栏"),
    "finance.disclosure_submit": _("提交公开栏审核"),
    "finance.disclosure_publish": _("审核通过并公开"),
    "finance.disclosure_return": _("退回公开栏"),
    "finance.funding_rule_create": _("新增考核拨款规则"),
    "finance.assessment_grants_pay": _("按考核结果拨付社区经费"),
    "finance.street_notice": _("通知街道：财务异常或公开逾期"),
}

# The street office's notices (finance.notices), registered here as finance's own messages.
MESSAGE_KINDS = [
    Kind("finance.anomaly", _("社区财务异常"),
         _("%(community)s：%(what)s（%(payee)s，%(day)s，%(amount)s元）")),
    Kind("finance.board_overdue", _("公开栏逾期未公开"),
         _("%(community)s：%(board)s（%(start)s起）逾期未公开，应于%(due)s前公开")),
]  # fmt: skip


def _pay_item_funding(sender, instance, created, raw=False, **kwargs):
    """费随事转: a community's share of an admitted item's funding reaches its books when the
    item's first task is dispatched to it (in the dispatch's transaction)."""
    if created and not raw and instance.item_id:
        from finance import services

        services.item_funding_pay(task=instance)


class FinanceConfig(AppConfig):
    """Community finances (居账街管, 费随事转) and public disclosure (居务公开), issue #17."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "finance"
    verbose_name = _("社区财务与居务公开")

    def ready(self):
        from django.apps import apps
        from django.db.models.signals import post_save

        from core import action_labels, navigation
        from core import workbench as core_workbench
        from core.demo import extensions
        from finance import demo, figures, rules, workbench  # noqa: F401 - rules registers the permissions

        post_save.connect(
            _pay_item_funding, sender=apps.get_model("workload", "Task"),
            dispatch_uid="finance.pay_item_funding",
        )  # fmt: skip
        navigation.register(_("社区财务"), "finance:books", perm="finance.view_finance", order=26)
        navigation.register(
            _("财务监督"), "finance:supervision", perm="finance.supervise_any", order=27
        )
        navigation.register(_("居务公开"), "finance:boards", perm="finance.view_boards", order=28)
        action_labels.register(AUDIT_LABELS)
        figures.register_all()  # its row of the district's one page (/outcomes/)
        core_workbench.register(workbench.cards)
        notify_kinds.register(*MESSAGE_KINDS)
        # After workload's builder (INSTALLED_APPS order): the demo's tasks pay their items.
        extensions.register("finance")(demo.build)
