"""The second factor staff sign in with: a TOTP authenticator app (django-otp's TOTPDevice).

An account has at most one authenticator. Enrolling makes an unconfirmed one (replacing any
earlier unconfirmed one); the first right code confirms it. An administrator who may grant the
user's roles can remove it (a lost phone), and the user enrols again at the next login.
"""

from base64 import b32encode

import segno
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import audit
from core.clock import one_write
from core.models import SmsDevice, User
from core.rules import assignments_of, grantable_roles

DEVICE_NAME = "authenticator"


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


@one_write
def second_factor_enrol(*, actor: User) -> TOTPDevice:
    """A new, unconfirmed authenticator for the actor's own account."""
    if confirmed_device(actor):
        raise ValidationError(_("您已绑定身份验证器。"), code="second_factor_exists")
    if SmsDevice.objects.filter(user=actor, confirmed=True).exists():
        raise ValidationError(_("您已设置第二重验证方式。"), code="second_factor_exists")
    TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
    SmsDevice.objects.filter(user=actor, confirmed=False).delete()  # the app chosen instead
    return TOTPDevice.objects.create(user=actor, name=DEVICE_NAME, confirmed=False)


def _check_code(device: TOTPDevice, code: str) -> None:
    code = (code or "").strip().replace(" ", "")
    allowed, _reason = device.verify_is_allowed()
    if not allowed:
        raise ValidationError(_("验证码错误次数过多，请稍后再试。"), code="second_factor_throttled")
    if not (code.isdigit() and len(code) == device.digits and device.verify_token(code)):
        raise ValidationError(_("验证码不正确或已过期。"), code="second_factor_wrong")


@one_write
def second_factor_confirm(*, actor: User, device: TOTPDevice, code: str) -> TOTPDevice:
    """Confirm the actor's new authenticator with its first code."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if device.user_id != actor.pk or device.confirmed:
        raise PermissionDenied(_("这个身份验证器不能再确认。"))
    _check_code(device, code)
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.record(actor=actor, action="account.second_factor_enrolled", obj=actor)
    return device


def second_factor_verify(*, actor: User, code: str) -> TOTPDevice:
    """Check a sign-in code against the actor's authenticator; a wrong one is audited. Not one
    write: the wrong-code count django-otp keeps must stay written when the code is refused."""
    device = confirmed_device(actor)
    if device is None:
        raise ValidationError(_("您还没有绑定身份验证器。"), code="second_factor_missing")
    try:
        _check_code(device, code)
    except ValidationError:
        _audit_failure(actor)
        raise
    return device


@one_write
def _audit_failure(actor: User) -> None:
    audit.record(actor=actor, action="account.second_factor_failed", obj=actor)


@one_write
def second_factor_remove(*, actor: User, user: User) -> int:
    """Remove `user`'s authenticator (a lost phone). Only someone who may grant every role the
    user holds, where they hold it, may do so; the user enrols again at the next login."""
    held = assignments_of(user)
    if not held or any(a.role not in grantable_roles(actor, a.place) for a in held):
        raise PermissionDenied(_("您无权重置这个账号的身份验证器。"))
    removed, _detail = TOTPDevice.objects.filter(user=user).delete()
    removed += SmsDevice.objects.filter(user=user).delete()[0]  # the SMS factor, the same way
    audit.record(actor=actor, action="account.second_factor_removed", obj=user)
    return removed


# ---------------------------------------------------------------- what the setup page shows


def second_factor_key(device: TOTPDevice) -> str:
    """The key to type into an authenticator app that cannot scan, in groups of four."""
    key = b32encode(device.bin_key).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def second_factor_qr(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG QR code (no image file, no external service)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, border=2)
