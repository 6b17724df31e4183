"""Staff may confirm each sign-in with a code by SMS instead of the authenticator app (issue #20
item 8, "SMS through the notification gateway"): chosen at the first sign-in for the number on
file, sent at each later login, enforced by the same middleware as the app, and none of the
ways around it works: another purpose's code, a used code, another account's code, too many
wrong codes, the API, a second factor of each kind."""

import datetime
import re

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import personal_data, services
from core.identifiers import mask_mobile
from core.models import AuditEvent, CodePurpose, SmsCode, SmsDevice
from core.services.sms_codes import SmsGate, code_send
from core.testing import PASSWORD
from notify import sms

pytestmark = pytest.mark.django_db

WORKER = "community_worker:own"
AT = datetime.datetime(2026, 12, 2, 1, 30, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def second_factor_on(settings):
    settings.STAFF_SECOND_FACTOR = True
    settings.SMS = {"BACKEND": "console"}
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def clock():
    with time_machine.travel(AT, tick=False) as traveller:
        yield traveller


def number_of(d, key=WORKER) -> str:
    return personal_data.decrypt(d.users[key].person.mobile_enc)


def last_code(number: str) -> str:
    text = next(m["text"] for m in reversed(sms.outbox) if m["phone"] == number)
    return re.search(r"验证码是(\d{6})", text).group(1)


def signed_in(client, d, key=WORKER):
    answer = client.post(reverse("login"), {"username": d.logins[key], "password": PASSWORD})
    assert answer.status_code == 302, answer.content.decode()[:500]
    return client


def code(client, value: str, **extra):
    return client.post(reverse("second_factor"), {"action": "code", "code": value, **extra})


def sms_enrolled(client, d, key=WORKER) -> SmsDevice:
    """The first sign-in of `key`, choosing SMS; returns the confirmed device."""
    signed_in(client, d, key)
    page = client.get(reverse("second_factor")).content.decode()
    assert 'id="sms-enrol"' in page and "138****" in page
    client.post(reverse("second_factor"), {"action": "sms_enrol"})
    done = code(client, last_code(number_of(d, key)))
    assert done.status_code == 302
    return SmsDevice.objects.get(user=d.users[key], confirmed=True)


def test_a_staff_member_chooses_sms_at_the_first_sign_in(client, d):
    signed_in(client, d)
    assert client.get(reverse("person_list")).url.startswith(reverse("second_factor"))
    client.post(reverse("second_factor"), {"action": "sms_enrol"})
    device = SmsDevice.objects.get(user=d.users[WORKER])
    assert not device.confirmed and device.mobile_masked == mask_mobile(number_of(d))
    page = client.get(reverse("second_factor")).content.decode()
    assert 'id="sms-sent-to"' in page and 'id="sms-resend"' in page and "完成绑定" in page
    assert client.get(reverse("person_list")).status_code == 302  # not before the code
    wrong = code(client, "000000").content.decode()
    assert "验证码不正确，还可以再试" in wrong
    assert AuditEvent.objects.filter(action="account.second_factor_failed").exists()
    done = code(client, last_code(number_of(d)), next=reverse("person_list"))
    assert done.status_code == 302 and done.url == reverse("person_list")
    assert client.get(reverse("person_list")).status_code == 200
    device.refresh_from_db()
    assert device.confirmed and number_of(d) not in device.mobile_enc
    assert AuditEvent.objects.filter(
        action="account.second_factor_enrolled", changes__method="sms"
    ).exists()


def test_each_later_login_sends_a_code_and_asks_for_it(client, d, clock):
    sms_enrolled(client, d)
    client.logout()
    clock.shift(61)
    sent = len(sms.outbox)
    signed_in(client, d)
    assert len(sms.outbox) == sent + 1  # sent by the login itself
    assert client.get(reverse("workbench")).url.startswith(reverse("second_factor"))
    page = client.get(reverse("second_factor")).content.decode()
    assert "验证码短信已发送" in page and "开始绑定" not in page
    assert code(client, last_code(number_of(d))).status_code == 302
    assert client.get(reverse("workbench")).status_code == 200


def test_a_used_code_does_not_open_a_second_session(client, d, clock):
    sms_enrolled(client, d)
    used = last_code(number_of(d))
    other = client.__class__()
    clock.shift(61)
    signed_in(other, d)  # a new code is sent; the old one was used anyway
    refused = code(other, used).content.decode()
    assert "验证码不正确" in refused or "已经用过" in refused
    assert other.get(reverse("workbench")).status_code == 302


def test_codes_for_other_purposes_or_accounts_do_not_pass(client, d, clock):
    sms_enrolled(client, d)
    client.logout()
    number = number_of(d)
    # A sign-up code to the same number (anyone may ask one) is not a sign-in code.
    clock.shift(61)
    code_send(
        gate=SmsGate(RequestFactory().post("/", REMOTE_ADDR="10.0.0.5"), number),
        purpose=CodePurpose.SIGNUP,
    )
    signup_code = last_code(number)
    clock.shift(61)
    signed_in(client, d)
    assert SmsCode.objects.filter(purpose=CodePurpose.SECOND_FACTOR).count() == 2
    if signup_code != last_code(number):
        assert "验证码不正确" in code(client, signup_code).content.decode()
    # Another staff member's sign-in code does not open this account.
    other = client.__class__()
    sms_enrolled(other, d, "street_officer:own")
    other_code = last_code(number_of(d, "street_officer:own"))
    assert "验证码" in code(client, other_code).content.decode()
    assert client.get(reverse("workbench")).status_code == 302


def test_too_many_wrong_codes_need_a_new_one(client, d, clock):
    sms_enrolled(client, d)
    client.logout()
    clock.shift(61)
    signed_in(client, d)
    right = last_code(number_of(d))
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    for _ in range(5):
        code(client, wrong)
    assert "输错次数过多" in code(client, right).content.decode()
    assert client.get(reverse("workbench")).status_code == 302
    # Sending again is paced: once a minute.
    resend = client.post(reverse("second_factor"), {"action": "sms_send"}, follow=True)
    assert "过于频繁" in resend.content.decode()
    clock.shift(61)
    client.post(reverse("second_factor"), {"action": "sms_send"})
    assert code(client, last_code(number_of(d))).status_code == 302


def test_the_api_refuses_until_the_code(client, d):
    sms_enrolled(client, d)
    client.logout()
    signed_in(client, d)
    response = client.get("/api/core/me")
    assert response.status_code == 403 and "验证码" in response.json()["detail"]


def test_one_second_factor_per_account(client, d):
    sms_enrolled(client, d)
    worker = d.users[WORKER]
    with pytest.raises(ValidationError) as refused:
        services.second_factor_enrol(actor=worker)
    assert refused.value.code == "second_factor_exists"
    with pytest.raises(ValidationError):
        services.sms_factor_enrol(request=RequestFactory().post("/"), actor=worker)
    assert not TOTPDevice.objects.filter(user=worker).exists()


def test_an_authenticator_user_cannot_switch_to_sms_on_the_sign_in_page(client, d):
    from core.tests.test_second_factor import enrolled

    enrolled(client, d)
    client.logout()
    signed_in(client, d)
    page = client.get(reverse("second_factor")).content.decode()
    assert 'id="sms-enrol"' not in page
    client.post(reverse("second_factor"), {"action": "sms_enrol"})
    assert not SmsDevice.objects.exists() and sms.outbox == []
    assert client.get(reverse("workbench")).status_code == 302


def test_without_a_mobile_on_file_sms_is_not_offered(client, d):
    worker = d.users[WORKER]
    type(worker.person).objects.filter(pk=worker.person.pk).update(
        mobile_enc="", mobile_hash="", mobile_masked=""
    )
    signed_in(client, d)
    page = client.get(reverse("second_factor")).content.decode()
    assert 'id="sms-enrol"' not in page and "开始绑定" in page
    refused = client.post(reverse("second_factor"), {"action": "sms_enrol"}).content.decode()
    assert "没有手机号" in refused and not SmsDevice.objects.exists()


def test_a_gateway_failure_keeps_the_app_path_open(client, d, settings):
    settings.SMS = {"BACKEND": "none"}
    signed_in(client, d)
    refused = client.post(reverse("second_factor"), {"action": "sms_enrol"}).content.decode()
    assert "验证码短信发送失败" in refused
    assert not SmsDevice.objects.exists() and not SmsCode.objects.exists()
    assert "开始绑定" in refused


def test_an_administrator_removes_a_lost_sms_device(client, d):
    sms_enrolled(client, d)
    worker = d.users[WORKER]
    with pytest.raises(PermissionDenied):
        services.second_factor_remove(actor=d.users["grid_worker:own"], user=worker)
    assert services.second_factor_remove(actor=d.users["admin:own"], user=worker) == 1
    assert not SmsDevice.objects.exists()


def test_residents_are_not_asked(client, d):
    signed_in(client, d, "resident:own")
    assert client.get(reverse("workbench")).status_code == 200
    assert sms.outbox == []


def test_django_otp_verify_token_counts_attempts(client, d, clock):
    device = sms_enrolled(client, d)
    clock.shift(61)
    services.sms_factor_send(request=RequestFactory().post("/"), actor=d.users[WORKER])
    assert device.verify_token("000000") is False
    assert device.verify_token(last_code(number_of(d))) is True
    assert device.verify_token(last_code(number_of(d))) is False  # used
