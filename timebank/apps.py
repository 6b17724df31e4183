from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimebankConfig(AppConfig):
    """Community time bank: members, offers and needs, verified service, the hour ledger."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "timebank"
    verbose_name = _("时间银行")
