"""Accounts people open themselves: one-time SMS codes, the mobile number an account signs in
with, a resident's request to be linked to their registry record, and the SMS second factor.

Imported by core.models (these are core's models: core holds people and their logins).

- ``SmsCode``: a one-time code sent to a mobile number for one purpose. Only a keyed hash of the
  code is kept; it expires, is used once, and allows a few attempts (core.services.sms_codes).
- ``AccountMobile``: the number an account proved it holds with a code (a resident who signed up;
  a staff member's SMS second factor keeps its own number on its device). Encrypted, found by
  keyed hash, shown masked, as core.Person keeps numbers.
- ``AccountLink``: a resident's request to be linked to their record in the registry (a core
  Person), decided by a community worker of the community named.
- ``SmsDevice``: a django-otp device whose codes are SmsCodes, so ``otp_login`` and
  ``is_verified`` work for it as for the authenticator app. Not django-otp's SideChannelDevice:
  that one keeps its token in plain text.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device

from core import clock
from core.clock import MomentField


class CodePurpose(models.TextChoices):
    SIGNUP = "signup", _("注册账号")
    RESET = "reset", _("找回密码")
    SECOND_FACTOR = "second_factor", _("登录验证")


class SmsCode(models.Model):
    """One code sent to one number for one purpose; only the newest of (number, purpose) counts."""

    mobile_hash = models.CharField(max_length=64)
    purpose = models.CharField(max_length=16, choices=CodePurpose.choices)
    # The account the code is for (a reset, a second factor); none for a sign-up.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    salt = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=64)
    created_at = MomentField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        indexes = [
            models.Index(fields=["mobile_hash", "purpose", "-created_at"], name="sms_code_latest")
        ]

    def __str__(self):
        return f"{self.purpose} {clock.shown(self.created_at, '%Y-%m-%d %H:%M')}"


class AccountMobile(models.Model):
    """The mobile number an account signs in with, proved by a code."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signup_mobile"
    )
    mobile_enc = models.TextField()
    mobile_hash = models.CharField(max_length=64, unique=True)
    mobile_masked = models.CharField(_("手机号"), max_length=11)
    verified_at = models.DateTimeField()

    class Meta:
        verbose_name = _("账号手机号")
        verbose_name_plural = _("账号手机号")

    def __str__(self):
        return self.mobile_masked


class LinkState(models.TextChoices):
    PENDING = "pending", _("待核实")
    APPROVED = "approved", _("已关联")
    REFUSED = "refused", _("未通过")


class AccountLink(models.Model):
    """A resident asks to be linked to their registry record; a community worker decides."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="account_links"
    )
    community = models.ForeignKey(
        "core.Place", verbose_name=_("所在社区"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("姓名"), max_length=50)
    id_number_hash = models.CharField(max_length=64)
    id_number_masked = models.CharField(_("身份证号"), max_length=18)
    # The registry record with that ID number when the request was made (none: not on file).
    person = models.ForeignKey(
        "core.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=LinkState.choices, default=LinkState.PENDING
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = MomentField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("居民账号关联")
        verbose_name_plural = _("居民账号关联")
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(state="pending"), name="account_link_one_pending"
            )
        ]
        indexes = [models.Index(fields=["community", "state"], name="account_link_queue")]

    def __str__(self):
        return f"{self.name} @ {self.community_id}"


class SmsDevice(Device):
    """A staff member's second factor by SMS: codes go to the number proved when it was set up."""

    mobile_enc = models.TextField()
    mobile_hash = models.CharField(max_length=64)
    mobile_masked = models.CharField(_("手机号"), max_length=11)

    class Meta:
        verbose_name = _("短信验证设备")
        verbose_name_plural = _("短信验证设备")

    def verify_token(self, token) -> bool:
        """django-otp's check (its verify_token/match_token helpers): the newest sign-in code of
        this device's number, counted against its attempts."""
        from django.core.exceptions import ValidationError

        from core.services import sms_codes

        try:
            sms_codes.code_verify(
                number_hash=self.mobile_hash,
                purpose=CodePurpose.SECOND_FACTOR,
                typed=str(token),
                user=self.user,
            )
        except ValidationError:
            return False
        return True


def rotation_targets():
    """What these models store encrypted, for core.key_rotation: the proved mobile numbers."""
    from core.field_crypto import keyed_hash
    from core.key_rotation import Sealed, Target

    def sealed():
        return (Sealed("mobile_enc", "mobile_hash", lambda _row, v: keyed_hash("mobile:" + v)),)

    return [
        Target("core.accountmobile", lambda: AccountMobile.objects.all(), sealed()),
        Target("core.smsdevice", lambda: SmsDevice.objects.all(), sealed()),
    ]
