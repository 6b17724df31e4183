from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The audit log's names for this app's actions.
AUDIT_LABELS = {
    "workforce.staffing_rule_create": _("新增配备标准"),
    "workforce.staffing_rules_seed": _("载入默认配备标准"),
}


class WorkforceConfig(AppConfig):
    """The community workforce (seed §4): staffing standards first; posts, grades, pay standards,
    assessment and training to follow."""

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
        extensions.register("workforce")(demo.build)
        action_labels.register(AUDIT_LABELS)
