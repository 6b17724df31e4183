from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

AUDIT_LABELS = {
    "owners.compound_create": _("登记小区"),
    "owners.building_add": _("楼栋划入小区"),
    "owners.part_set": _("登记专有部分和业主"),
    "owners.rule_create": _("新增业主表决规则"),
    "owners.rules_seed": _("载入默认业主表决规则"),
    "owners.decision_create": _("拟定业主表决"),
    "owners.roll_freeze": _("冻结业主名册"),
    "owners.decision_open": _("开始业主表决"),
    "owners.proxy_record": _("登记表决委托"),
    "owners.ballot_cast": _("业主表决"),
    "owners.decision_close": _("业主表决计票"),
    "owners.decision_publish": _("公布业主表决结果"),
    "owners.committee_prepare": _("成立业主委员会筹备组"),
    "owners.committee_elect": _("登记业主委员会选举结果"),
    "owners.committee_file": _("业主委员会备案"),
    "owners.contract_record": _("登记物业服务合同"),
    "owners.staff_grant": _("登记物业企业工作人员"),
    "owners.staff_end": _("解除物业企业工作人员"),
    "owners.property_rule_create": _("新增物业诉求办理时限"),
}


class OwnersConfig(AppConfig):
    """Compounds, owners' committees, property companies and owners' decisions counted twice
    (issue #18 items 4 and 5)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "owners"
    verbose_name = _("小区与业主")

    def ready(self):
        from core import action_labels, navigation
        from core.demo import extensions
        from owners import demo, figures, routing, rules  # noqa: F401 - rules registers the permissions
        from services import property_hooks

        property_hooks.register(routing.Provider())

        navigation.register(_("小区与业主"), "owners:index", perm="owners.view", order=46)
        action_labels.register(AUDIT_LABELS)
        figures.register_all()  # its row of the district's one page (/outcomes/)
        extensions.register("owners")(demo.build)
