"""What the notify app keeps: the kind and parameters of each in-app message (rendered in the
reader's language), each person's choices, and a record of every send on every channel."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import clock
from core.clock import MomentField


class Channel(models.TextChoices):
    INAPP = "inapp", _("站内消息")
    SMS = "sms", _("短信")
    EMAIL = "email", _("电子邮件")
    WECHAT = "wechat", _("微信")


EXTERNAL = (Channel.SMS, Channel.EMAIL, Channel.WECHAT)


class Message(models.Model):
    """The kind and parameters behind one in-app notification (core.Notification keeps the text
    in the site's language for search and for notices written before kinds; pages show this,
    rendered in the reader's language). ``subject`` names the matter ("services.request:12"):
    when the matter is decided, its open messages are resolved (notify.services.resolve)."""

    notification = models.OneToOneField(
        "core.Notification", primary_key=True, on_delete=models.CASCADE, related_name="message"
    )
    kind = models.CharField(max_length=80)
    params = models.JSONField(default=dict, blank=True)
    subject = models.CharField(max_length=80, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["subject"], name="notify_message_subject")]

    def __str__(self):
        return f"{self.kind} #{self.pk}"


class Preference(models.Model):
    """How one account wants to be told: channels besides in-app, quiet hours (Beijing time) and
    the language messages are written in when sent."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notify_preference"
    )
    channels = models.JSONField(_("接收渠道"), default=list, blank=True)
    quiet_start = models.TimeField(_("免打扰开始"), null=True, blank=True)
    quiet_end = models.TimeField(_("免打扰结束"), null=True, blank=True)
    language = models.CharField(
        _("消息语言"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    wechat_openid = models.CharField(_("微信OpenID"), max_length=64, blank=True)
    # Per message kind, the channels besides in-app ({"services.request_closed": ["sms"]}):
    # a kind named here goes on these instead of ``channels``.
    by_kind = models.JSONField(_("按消息类别的接收渠道"), default=dict, blank=True)
    updated_at = MomentField(auto_now=True)

    def __str__(self):
        return str(self.user)

    def channels_for(self, key: str) -> list[str]:
        """The channels besides in-app for a message of kind ``key``."""
        return list(self.by_kind.get(key, self.channels))


class Delivery(models.Model):
    """One message on one channel to one person: who, what kind, the outcome, attempts, error."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FALLBACK = "fallback", _("发送失败，已转站内消息")
        FAILED = "failed", _("发送失败")
        CANCELLED = "cancelled", _("事项已办结，未再发送")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="deliveries",
    )  # fmt: skip
    # The district of the person told (DESIGN: district on every large table, to shard by);
    # empty only for an account with no person and no role (a superuser).
    district = models.ForeignKey(
        "core.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Someone without an account (a resident who phoned 12345) is told by SMS only.
    person = models.ForeignKey(
        "core.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notification = models.ForeignKey(
        "core.Notification", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=80)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=300, blank=True)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    to = models.CharField(max_length=100, blank=True)  # masked address
    provider_id = models.CharField(max_length=100, blank=True)
    not_before = models.DateTimeField(null=True, blank=True)  # held for quiet hours
    created_at = MomentField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"], name="notify_delivery_status")]

    def __str__(self):
        return f"{self.kind} {self.channel} {self.status}"


class Follow(models.Model):
    """One account follows one matter: a request, a place or a service item, named by its
    subject key ("services.servicerequest:12", notify.services.subject_key). Followers are told
    of a request's public steps; whether they still may see it is checked at each send."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    target = models.CharField(max_length=80)
    created_at = MomentField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "target"], name="notify_follow_once")
        ]
        indexes = [models.Index(fields=["target"], name="notify_follow_target")]

    def __str__(self):
        return f"{self.user} → {self.target}"


class WechatBinding(models.Model):
    """A one-time code an account shows to the official account (公众号) to bind its WeChat:
    the relay posts the code with the sender's OpenID to the signed callback
    (notify.wechat.verify_callback). Kept hashed, short-lived, used once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wechat_bindings"
    )
    code_hash = models.CharField(max_length=64, unique=True)
    created_at = MomentField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.user_id} {clock.shown(self.created_at, '%Y-%m-%d %H:%M')}"
