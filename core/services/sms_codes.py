"""One-time codes by SMS: sent through the notification gateway (notify.sms), kept only as a
keyed hash, valid for settings.SMS_CODE_MINUTES, used once, with settings.SMS_CODE_ATTEMPTS
tries, and sent at the pace ``SmsGate`` keeps per mobile number and per client address
(core.throttle's counters, so with Redis every app process counts together).

A code is written only after the gateway accepted it: a gateway that times out or refuses leaves
nothing behind (the earlier code, if any, still counts) and the caller gets a clear message.
Checking a code is two steps, so a wrong guess is counted even though the caller's write rolls
back: ``code_claim`` spends one attempt in a transaction of its own, then ``code_take``, inside
the caller's write, compares the code and marks it used.
"""

import datetime
import hmac
import secrets

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage

from core import audit, clock
from core.clock import one_write
from core.identifiers import mask_mobile, normalize_mobile
from core.models import CodePurpose, SmsCode, User
from core.personal_data import keyed_hash, mobile_hash
from core.throttle import RATE, _address_key

DIGITS = 6
# Defaults; a deployment may set any of these in its settings.
DEFAULT_RATES = {"mobile": ("1/m", "5/h", "10/d"), "address": ("20/h",)}


def lifetime_minutes() -> int:
    return getattr(settings, "SMS_CODE_MINUTES", 5)


def max_attempts() -> int:
    return getattr(settings, "SMS_CODE_ATTEMPTS", 5)


def _rates() -> dict:
    rates = getattr(settings, "SMS_CODE_RATES", DEFAULT_RATES)
    for scope, values in rates.items():
        for rate in values:
            if not RATE.match(rate):
                raise ImproperlyConfigured(
                    f"SMS_CODE_RATES[{scope!r}] = {rate!r}: write a rate as N/period, e.g. 5/h"
                )
    return rates


def _waited(seconds: int) -> str:
    if seconds >= 3600:
        return _("%(n)s小时") % {"n": (seconds + 3599) // 3600}
    if seconds >= 60:
        return _("%(n)s分钟") % {"n": (seconds + 59) // 60}
    return _("%(n)s秒") % {"n": max(1, seconds)}


class SmsGate:
    """The pace of codes to one mobile number from one client address."""

    def __init__(self, request, mobile: str):
        self.request = request
        self.mobile = normalize_mobile(mobile)  # a clear message for a malformed number
        self.mobile_hash = mobile_hash(self.mobile)
        self.masked = mask_mobile(self.mobile)

    def admit(self) -> None:
        """Count one message to this number from this address, or refuse it (not counted: a
        second click does not spend the hour's allowance). The number's limits answer first."""
        keys = {"mobile": lambda g, r: "mobile:" + self.mobile_hash, "address": _address_key}
        windows = [
            (scope, key, rate) for scope, key in keys.items() for rate in _rates().get(scope, ())
        ]
        worst: dict[str, int] = {}
        for scope, key, rate in windows:
            usage = get_usage(self.request, group=f"sms-code:{scope}", key=key, rate=rate)
            if usage is not None and (usage["should_limit"] or usage["count"] >= usage["limit"]):
                worst[scope] = max(worst.get(scope, 0), max(0, usage["time_left"]) + 1)
        if "mobile" in worst:
            raise ValidationError(
                _("向这个手机号发送验证码过于频繁，请%(wait)s后再试。"),
                params={"wait": _waited(worst["mobile"])},
                code="sms_flood_mobile",
            )
        if "address" in worst:
            raise ValidationError(
                _("您获取验证码过于频繁，请%(wait)s后再试。"),
                params={"wait": _waited(worst["address"])},
                code="sms_flood_address",
            )
        for scope, key, rate in windows:
            get_usage(self.request, group=f"sms-code:{scope}", key=key, rate=rate, increment=True)


def _code_hash(salt: str, purpose: str, number_hash: str, code: str) -> str:
    return keyed_hash(f"sms-code:{salt}:{purpose}:{number_hash}:{code}")


def deliver(*, gate: SmsGate, text: str, template_params: dict | None = None) -> str:
    """Send one message through the gateway; its message id, or a clear ValidationError.
    With a template "sms_code" in settings.SMS["TEMPLATES"] (LINLI_SMS_TEMPLATES: the code
    template a Chinese SMS platform approved) a code goes as that template with its parameters;
    otherwise as free text."""
    from notify import sms

    template = ((getattr(settings, "SMS", {}) or {}).get("TEMPLATES") or {}).get("sms_code", "")
    if template and template_params is not None:
        result = sms.send_sms_template(
            phone=gate.mobile, template=template, params=template_params, text=text
        )
    else:
        result = sms.send_sms(phone=gate.mobile, text=text)
    if result.ok:
        return result.message_id[:100]
    if result.retryable:
        raise ValidationError(
            _("短信平台暂时没有响应，验证码没有发出。请稍后重新获取。"), code="sms_unavailable"
        )
    raise ValidationError(
        _("验证码短信发送失败，请稍后再试；多次失败请联系社区。"), code="sms_failed"
    )


def code_send(*, gate: SmsGate, purpose: str, user: User | None = None) -> SmsCode:
    """Send a new code to the gate's number for ``purpose`` and keep its hash (it replaces any
    earlier one). Refused before sending past a rate; nothing written if the gateway fails."""
    if purpose not in CodePurpose.values:
        raise ValueError(purpose)
    gate.admit()
    sent_at = clock.now()  # the one reading of the clock for this write
    code = f"{secrets.randbelow(10**DIGITS):0{DIGITS}d}"
    minutes = lifetime_minutes()
    text = _("您的%(purpose)s验证码是%(code)s，%(minutes)s分钟内有效。请勿告诉他人。") % {
        "purpose": CodePurpose(purpose).label,
        "code": code,
        "minutes": minutes,
    }
    message_id = deliver(gate=gate, text=text, template_params={"code": code, "minutes": minutes})
    return _keep(
        gate=gate, purpose=purpose, user=user, code=code, at=sent_at, message_id=message_id
    )


def _keep(*, gate, purpose, user, code, at, message_id) -> SmsCode:
    salt = secrets.token_hex(8)
    with clock.moment(at), transaction.atomic():
        row = SmsCode.objects.create(
            mobile_hash=gate.mobile_hash,
            purpose=purpose,
            user=user,
            salt=salt,
            code_hash=_code_hash(salt, purpose, gate.mobile_hash, code),
            expires_at=at + datetime.timedelta(minutes=lifetime_minutes()),
            message_id=message_id,
        )
        audit.record(
            actor=user,
            action="sms_code.sent",
            obj=user,
            changes={"mobile": gate.masked, "purpose": purpose},
        )
    return row


def _refused(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


@one_write
def code_claim(*, number_hash: str, purpose: str, user: User | None = None) -> SmsCode:
    """Spend one attempt on the newest code of (number, purpose): call it outside the write that
    uses the code, so the attempt stays counted when that write is refused."""
    row = (
        SmsCode.objects.select_for_update()
        .filter(mobile_hash=number_hash, purpose=purpose)
        .order_by("-created_at", "-pk")
        .first()
    )
    if row is None or (user is not None and row.user_id != user.pk):
        raise _refused(_("请先获取短信验证码。"), "sms_code_missing")
    if row.used_at is not None:
        raise _refused(_("这个验证码已经用过了，请重新获取。"), "sms_code_used")
    if row.expires_at <= clock.now():
        raise _refused(_("验证码已过期，请重新获取。"), "sms_code_expired")
    if row.attempts >= max_attempts():
        raise _refused(_("验证码输错次数过多，请重新获取。"), "sms_code_exhausted")
    SmsCode.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
    row.attempts += 1
    return row


def code_take(*, row: SmsCode, typed: str) -> SmsCode:
    """Inside the caller's write: the claimed code is ``typed``; mark it used, or refuse."""
    locked = SmsCode.objects.select_for_update().get(pk=row.pk)
    if locked.used_at is not None:
        raise _refused(_("这个验证码已经用过了，请重新获取。"), "sms_code_used")
    typed = (typed or "").strip().replace(" ", "")
    expected = locked.code_hash
    given = _code_hash(locked.salt, locked.purpose, locked.mobile_hash, typed)
    if not (typed.isdigit() and len(typed) == DIGITS and hmac.compare_digest(expected, given)):
        left = max(0, max_attempts() - locked.attempts)
        if not left:
            raise _refused(_("验证码不正确。输错次数过多，请重新获取。"), "sms_code_wrong")
        raise ValidationError(
            _("验证码不正确，还可以再试%(left)s次。"), params={"left": left}, code="sms_code_wrong"
        )
    locked.used_at = clock.now()
    locked.save(update_fields=["used_at"])
    return locked


def code_verify(*, number_hash: str, purpose: str, typed: str, user: User | None = None):
    """Claim and take in one call (django-otp's verify_token): the used code, or a refusal."""
    row = code_claim(number_hash=number_hash, purpose=purpose, user=user)
    with clock.moment(), transaction.atomic():
        return code_take(row=row, typed=typed)
