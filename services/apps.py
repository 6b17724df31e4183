from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    """One-network service handling: catalogue, resident requests and their lifecycle, Open311."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "services"
    verbose_name = _("一网通办")
