from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimebankConfig(AppConfig):
    """Community time bank: members, offers and needs, verified service, the hour ledger."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "timebank"
    verbose_name = _("时间银行")

    def ready(self):
        from core import action_labels, workbench
        from timebank import rules  # noqa: F401 - registers the permissions
        from timebank.workbench import provider

        workbench.register(provider)
        action_labels.register(
            {
                "timebank.account_open": _("开立时间账户"),
                "timebank.account_close": _("时间账户销户"),
                "timebank.deposit": _("时间存入"),
                "timebank.withdrawal": _("时间支取"),
                "timebank.transfer": _("时间转赠亲属"),
                "timebank.donation": _("时间捐赠"),
                "timebank.reversal": _("时间记账冲正"),
                "timebank.rule_update": _("修改时间银行规则"),
                "timebank.listing_create": _("发布时间银行需求/服务"),
                "timebank.order_take": _("时间银行接单"),
                "timebank.order_sign_in": _("时间银行签到"),
                "timebank.order_sign_out": _("时间银行签退"),
                "timebank.order_confirm": _("确认时间银行服务"),
                "timebank.order_approve": _("审核时间银行服务"),
                "timebank.order_reject": _("驳回时间银行服务"),
                "timebank.order_cancel": _("取消时间银行接单"),
            }
        )
        from core import navigation
        from core.demo import extensions
        from timebank import demo

        navigation.register(_("时间银行"), "timebank:home", order=60)
        extensions.register("timebank")(demo.build)
