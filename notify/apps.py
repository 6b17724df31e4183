from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

AUDIT_LABELS = {
    "notify.preferences_update": _("修改消息接收设置"),
    "notify.follow": _("关注"),
    "notify.unfollow": _("取消关注"),
    "notify.wechat_binding_start": _("获取微信绑定码"),
    "notify.wechat_bind": _("绑定微信"),
    "notify.wechat_unbind": _("解除微信绑定"),
}


class NotifyConfig(AppConfig):
    """Telling people: one service (``notify.services.send``) for every app, message kinds
    rendered in the reader's language, channels in-app, SMS, e-mail and WeChat."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "notify"
    verbose_name = _("消息通知")

    def ready(self):
        from core import action_labels, inbox
        from notify import catalogue, kinds  # noqa: F401 - catalogue registers today's kinds

        inbox.register(kinds.render_notifications)
        action_labels.register(AUDIT_LABELS)
