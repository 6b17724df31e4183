"""The other second factor for staff: a code by SMS through the notification gateway, instead of
the authenticator app (core.services.second_factor). Issue #20 item 8.

A staff member whose person record has a mobile number may choose it at the first sign-in: a code
goes to that number, and the right code both proves the number and finishes the sign-in
(``SmsDevice``, confirmed). Each later sign-in sends a code to the proved number (the login page
does; the second-factor page can send again, at core.services.sms_codes' pace). Codes are the
same one-time codes as the sign-up's, for their own purpose and account: a sign-up or reset code
never opens a staff session. An account has one second factor: the app or SMS, not both; the
administrator who removes a lost authenticator removes an SMS device the same way.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import audit, field_crypto
from core.clock import one_write
from core.models import CodePurpose, Person, SmsDevice, User
from core.services.second_factor import _audit_failure
from core.services.sms_codes import SmsGate, code_claim, code_send, code_take

DEVICE_NAME = "sms"


def confirmed_sms_device(user: User) -> SmsDevice | None:
    return SmsDevice.objects.filter(user=user, confirmed=True).first()


def pending_sms_device(user: User) -> SmsDevice | None:
    return SmsDevice.objects.filter(user=user, confirmed=False).first()


def sms_number_on_file(user: User) -> str:
    """The masked mobile number of the staff member's person record ("" when none)."""
    person = Person.objects.filter(account=user).only("mobile_masked", "mobile_enc").first()
    return person.mobile_masked if person and person.mobile_enc else ""


def sms_factor_enrol(*, request, actor: User) -> SmsDevice:
    """Choose SMS as the second factor: send a code to the number on file and keep an
    unconfirmed device for it. Nothing is kept if the code could not be sent."""
    if TOTPDevice.objects.filter(user=actor, confirmed=True).exists() or confirmed_sms_device(
        actor
    ):
        raise ValidationError(_("您已设置第二重验证方式。"), code="second_factor_exists")
    person = Person.objects.filter(account=actor).first()
    if person is None or not person.mobile_enc:
        raise ValidationError(
            _("您的人员信息中没有手机号，不能用短信验证。请使用身份验证器，或请管理员登记手机号。"),
            code="second_factor_no_mobile",
        )
    gate = SmsGate(request, field_crypto.decrypt(person.mobile_enc))
    code_send(gate=gate, purpose=CodePurpose.SECOND_FACTOR, user=actor)
    return _keep_pending(actor=actor, person=person, gate=gate)


@one_write
def _keep_pending(*, actor: User, person: Person, gate: SmsGate) -> SmsDevice:
    SmsDevice.objects.filter(user=actor, confirmed=False).delete()
    TOTPDevice.objects.filter(user=actor, confirmed=False).delete()  # SMS chosen instead
    return SmsDevice.objects.create(
        user=actor,
        name=DEVICE_NAME,
        confirmed=False,
        mobile_enc=person.mobile_enc,
        mobile_hash=gate.mobile_hash,
        mobile_masked=gate.masked,
    )


def sms_factor_send(*, request, actor: User) -> SmsDevice:
    """A sign-in code to the actor's SMS device (the confirmed one, else the one being set up)."""
    device = confirmed_sms_device(actor) or pending_sms_device(actor)
    if device is None:
        raise ValidationError(_("您还没有设置短信验证。"), code="second_factor_missing")
    gate = SmsGate(request, field_crypto.decrypt(device.mobile_enc))
    code_send(gate=gate, purpose=CodePurpose.SECOND_FACTOR, user=actor)
    return device


def sms_factor_verify(*, actor: User, code: str) -> SmsDevice:
    """Check a sign-in code sent to the actor's SMS device; the first right one confirms a
    device being set up. A refused code is audited (and counted: core.services.sms_codes)."""
    device = confirmed_sms_device(actor) or pending_sms_device(actor)
    if device is None:
        raise ValidationError(_("您还没有设置短信验证。"), code="second_factor_missing")
    try:
        row = code_claim(
            number_hash=device.mobile_hash, purpose=CodePurpose.SECOND_FACTOR, user=actor
        )
        return _take(actor=actor, device=device, row=row, code=code)
    except ValidationError:
        _audit_failure(actor)
        raise


@one_write
def _take(*, actor: User, device: SmsDevice, row, code: str) -> SmsDevice:
    code_take(row=row, typed=code)
    device = SmsDevice.objects.select_for_update().get(pk=device.pk)
    if not device.confirmed:
        if TOTPDevice.objects.filter(user=actor, confirmed=True).exists():
            raise ValidationError(_("您已设置第二重验证方式。"), code="second_factor_exists")
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit.record(
            actor=actor, action="account.second_factor_enrolled", obj=actor,
            changes={"method": "sms", "mobile": device.mobile_masked},
        )  # fmt: skip
    return device
