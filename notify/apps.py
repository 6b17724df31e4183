from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    """Telling people: one service (``notify.services.send``) for every app, message kinds
    rendered in the reader's language, channels in-app, SMS, e-mail and WeChat."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "notify"
    verbose_name = _("消息通知")
