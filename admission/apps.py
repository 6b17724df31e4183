from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdmissionConfig(AppConfig):
    """Admission gate (准入): duty, negative, certificate and power lists; admission requests and review."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "admission"
    verbose_name = _("准入")
