from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    """Shared registry: residents, households, buildings, one source per field, imports, reports."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "registry"
    verbose_name = _("共享数据")
