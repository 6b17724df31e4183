from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkloadConfig(AppConfig):
    """Work pushed to communities (only through admission), automatic traces and ledgers, burden index."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "workload"
    verbose_name = _("社区工作负担")
