from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dashboard"
    verbose_name = _("工作台与指标")

    def ready(self):
        from core import navigation
        from dashboard import outcomes, rules  # noqa: F401 - rules registers the permissions

        outcomes.register_all()
        navigation.register(_("成效一览"), "outcomes", perm="dashboard.view_outcomes", order=8)
