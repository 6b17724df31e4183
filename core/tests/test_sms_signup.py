"""Residents sign up and reset their password with an SMS code (issue #15 item 5): codes kept
hashed, single use, expiring, with a few attempts, sent at a pace per number and per address;
a gateway that times out leaves nothing behind; a number with an account and a staff number are
told by text, never by the page; a staff account is never reset by a code."""

import datetime
import io
import re
import socket
import threading

import pytest
import time_machine
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse

from core import key_rotation, personal_data, services
from core.models import AccountMobile, AuditEvent, CodePurpose, SmsCode, User
from core.services.sms_codes import SmsGate, code_send
from core.testing import PASSWORD
from notify import sms

pytestmark = pytest.mark.django_db

NEW = "13912345678"  # a number nobody registered
NEW_PASSWORD = "Kaiyuan-2026-lu"
AT = datetime.datetime(2026, 12, 2, 1, 30, tzinfo=datetime.UTC)  # a Wednesday, 09:30 Beijing


@pytest.fixture(autouse=True)
def console_sms(settings):
    settings.SMS = {"BACKEND": "console"}
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def clock():
    with time_machine.travel(AT, tick=False) as traveller:
        yield traveller


def last_code(number: str = NEW) -> str:
    text = next(m["text"] for m in reversed(sms.outbox) if m["phone"] == number)
    return re.search(r"验证码是(\d{6})", text).group(1)


def send(client, page: str, number: str = NEW, address: str = "10.0.0.1"):
    return client.post(
        reverse(page), {"action": "send", "mobile": number}, REMOTE_ADDR=address, follow=True
    )


def finish(client, page: str, code: str, number: str = NEW, password: str = NEW_PASSWORD):
    data = {
        "action": "finish",
        "mobile": number,
        "code": code,
        "password": password,
        "password2": password,
    }
    return client.post(reverse(page), data)


def gate(number: str = NEW, address: str = "10.0.0.1") -> SmsGate:
    return SmsGate(RequestFactory().post("/", REMOTE_ADDR=address), number)


def mobile_of(d, key: str) -> str:
    return personal_data.decrypt(d.users[key].person.mobile_enc)


# ---------------------------------------------------------------- signing up


def test_a_resident_signs_up_with_a_code_and_logs_in_by_mobile(client, d, console_sms):
    page = send(client, "signup").content.decode()
    assert "短信已发送到139****5678" in page and len(console_sms) == 1
    code = last_code()
    row = SmsCode.objects.get()
    assert (
        row.purpose == CodePurpose.SIGNUP
        and code not in row.code_hash
        and NEW not in str(row.__dict__)
    )
    done = finish(client, "signup", code)
    assert done.status_code == 302 and done.url == reverse("account_link")
    user = User.objects.get(signup_mobile__isnull=False)
    mobile = AccountMobile.objects.get(user=user)
    assert mobile.mobile_masked == "139****5678" and NEW not in mobile.mobile_enc
    assert personal_data.decrypt(mobile.mobile_enc) == NEW
    assert not user.role_assignments.exists() and not hasattr(user, "person")
    assert AuditEvent.objects.filter(action="account.signup", actor=user).exists()
    assert client.get(reverse("account_link")).status_code == 200

    client.logout()
    again = client.post(reverse("login"), {"username": NEW, "password": NEW_PASSWORD})
    assert again.status_code == 302 and again.url == reverse("account_link")


def test_a_malformed_number_gets_a_clear_message_and_no_text(client, d, console_sms):
    page = send(client, "signup", number="1391234").content.decode()
    assert "手机号“1391234”无效" in page and console_sms == []
    assert not SmsCode.objects.exists()


def test_a_weak_password_is_refused_without_spending_the_code(client, d):
    send(client, "signup")
    weak = finish(client, "signup", last_code(), password="short1")
    assert "密码太短" in weak.content.decode()
    assert (
        SmsCode.objects.get().attempts == 0
        and not User.objects.filter(signup_mobile__isnull=False).exists()
    )
    mismatch = client.post(
        reverse("signup"),
        {"action": "finish", "mobile": NEW, "code": last_code()}
        | {"password": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"},
    )
    assert "两次输入的密码不一致" in mismatch.content.decode()
    assert finish(client, "signup", last_code()).status_code == 302


def test_a_code_is_used_once(client, d):
    send(client, "signup")
    code = last_code()
    assert finish(client, "signup", code).status_code == 302
    client.logout()
    reused = finish(client, "signup", code, password="Another-2026-pw").content.decode()
    assert "这个验证码已经用过了，请重新获取" in reused
    assert User.objects.filter(signup_mobile__isnull=False).count() == 1


def test_an_expired_code_is_refused(client, d, clock):
    send(client, "signup")
    code = last_code()
    clock.shift(5 * 60 + 1)
    page = finish(client, "signup", code).content.decode()
    assert "验证码已过期，请重新获取" in page
    assert not User.objects.filter(signup_mobile__isnull=False).exists()


def test_a_code_just_inside_its_five_minutes_works(client, d, clock):
    send(client, "signup")
    clock.shift(5 * 60 - 1)
    assert finish(client, "signup", last_code()).status_code == 302


def test_wrong_codes_are_counted_even_though_nothing_is_written(client, d):
    send(client, "signup")
    code = last_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for left in (4, 3, 2, 1):
        page = finish(client, "signup", wrong).content.decode()
        assert f"验证码不正确，还可以再试{left}次" in page
    assert "输错次数过多" in finish(client, "signup", wrong).content.decode()
    # The right code no longer helps: five tries were spent; a new code is needed.
    assert "验证码输错次数过多，请重新获取" in finish(client, "signup", code).content.decode()
    assert SmsCode.objects.get().attempts == 5 and SmsCode.objects.get().used_at is None
    assert not User.objects.filter(signup_mobile__isnull=False).exists()
    assert (
        "请先获取短信验证码"
        in finish(client, "signup", code, number="13900001111").content.decode()
    )


def test_only_the_newest_code_counts(client, d, clock):
    send(client, "signup")
    first = last_code()
    clock.shift(61)
    send(client, "signup")
    second = last_code()
    if first != second:
        assert "验证码不正确" in finish(client, "signup", first).content.decode()
    assert finish(client, "signup", second).status_code == 302


def test_a_flood_to_one_number_is_refused_from_any_address(client, d, clock, console_sms):
    send(client, "signup", address="10.0.0.1")
    page = send(client, "signup", address="10.0.0.2").content.decode()
    assert "向这个手机号发送验证码过于频繁" in page and len(console_sms) == 1
    for minute in range(4):  # one a minute, up to five an hour
        clock.shift(61)
        assert "短信已发送" in send(client, "signup", address=f"10.0.1.{minute}").content.decode()
    clock.shift(61)
    refused = send(client, "signup", address="10.0.2.1").content.decode()
    assert "向这个手机号发送验证码过于频繁" in refused and "分钟后再试" in refused
    assert len(console_sms) == 5 and SmsCode.objects.count() == 5


def test_a_flood_from_one_address_is_refused_for_every_number(d, clock, console_sms):
    for n in range(20):
        code_send(gate=gate(f"1391000{n:04d}"), purpose=CodePurpose.SIGNUP)
    with pytest.raises(ValidationError) as refused:
        code_send(gate=gate("13910009999"), purpose=CodePurpose.SIGNUP)
    assert refused.value.code == "sms_flood_address"
    assert "您获取验证码过于频繁" in refused.value.messages[0]
    assert len(console_sms) == 20
    # Another address is not held up by this one.
    code_send(gate=gate("13910009999", address="10.9.9.9"), purpose=CodePurpose.SIGNUP)


def _silent_gateway():
    """A gateway that accepts the connection and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    held = []

    def accept():
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    return server, held


def test_a_gateway_that_times_out_leaves_nothing_and_says_so(client, d, settings):
    server, held = _silent_gateway()
    try:
        port = server.getsockname()[1]
        settings.SMS = {"BACKEND": "http", "URL": f"http://127.0.0.1:{port}/sms", "TIMEOUT": 1}
        events = AuditEvent.objects.count()
        page = send(client, "signup").content.decode()
    finally:
        server.close()
        for connection in held:
            connection.close()
    assert "短信平台暂时没有响应，验证码没有发出" in page
    assert not SmsCode.objects.exists() and AuditEvent.objects.count() == events


def test_a_gateway_that_refuses_says_so(client, d, settings):
    settings.SMS = {"BACKEND": "none"}
    page = send(client, "signup").content.decode()
    assert "验证码短信发送失败" in page and not SmsCode.objects.exists()


def test_a_number_with_an_account_is_told_by_text_not_by_the_page(client, d, console_sms):
    number = mobile_of(d, "resident:own")
    fresh = send(client, "signup").content.decode()
    taken = send(client, "signup", number=number, address="10.0.0.2").content.decode()
    shown = re.compile(r"短信已发送到1\d\d\*{4}\d{4}，验证码5分钟内有效。")
    assert shown.search(fresh) and shown.search(taken)
    assert "已经注册过" not in taken
    assert "已经注册过邻里账号" in console_sms[-1]["text"] and console_sms[-1]["phone"] == number
    assert not SmsCode.objects.filter(mobile_hash=personal_data.mobile_hash(number)).exists()
    assert AuditEvent.objects.filter(action="account.signup_duplicate").exists()


def test_the_signup_service_refuses_a_duplicate_with_its_message(d, console_sms):
    number = mobile_of(d, "resident:own")
    # A sign-up code sent before the account existed (the number was free then).
    code_send(gate=gate(number), purpose=CodePurpose.SIGNUP)
    code = last_code(number)
    with pytest.raises(ValidationError) as refused:
        services.resident_signup(
            mobile=number, code=code, password=NEW_PASSWORD, password2=NEW_PASSWORD
        )
    assert refused.value.code == "duplicate_account"
    assert "这个手机号已经注册过账号" in refused.value.messages[0]


# ---------------------------------------------------------------- resetting a password


def test_a_resident_resets_the_password_with_a_code(client, d, console_sms):
    number = mobile_of(d, "resident:own")
    resident = User.objects.get(pk=d.users["resident:own"].pk)
    page = send(client, "password_reset", number=number).content.decode()
    assert "短信已发送到" in page
    done = finish(client, "password_reset", last_code(number), number=number)
    assert done.status_code == 302 and done.url == reverse("login")
    resident.refresh_from_db()
    assert resident.check_password(NEW_PASSWORD) and not resident.must_change_password
    assert AuditEvent.objects.filter(action="account.password_reset_sms", actor=resident).exists()
    assert client.login(username=number, password=NEW_PASSWORD)


def test_a_signed_up_resident_resets_too(client, d):
    send(client, "signup")
    finish(client, "signup", last_code())
    client.logout()
    send(client, "password_reset", address="10.0.0.9")  # one a minute per number
    assert "过于频繁" in send(client, "password_reset").content.decode()


def test_a_sign_up_code_does_not_reset_a_password(client, d):
    number = mobile_of(d, "resident:own")
    code_send(gate=gate(number), purpose=CodePurpose.SIGNUP)
    page = finish(client, "password_reset", last_code(number), number=number).content.decode()
    assert "请先获取短信验证码" in page
    assert User.objects.get(pk=d.users["resident:own"].pk).check_password(PASSWORD)


def test_an_unknown_number_gets_nothing_and_the_same_page(client, d, console_sms):
    page = send(client, "password_reset").content.decode()
    assert "短信已发送到139****5678" in page and console_sms == []
    assert "请先获取短信验证码" in finish(client, "password_reset", "123456").content.decode()


def test_a_staff_account_is_never_reset_by_text(client, d, console_sms, clock):
    worker = d.users["community_worker:own"]
    number = mobile_of(d, "community_worker:own")
    page = send(client, "password_reset", number=number).content.decode()
    assert "短信已发送到" in page and "工作人员账号不能" not in page  # as for anyone's number
    assert "工作人员账号不能用短信找回密码" in console_sms[-1]["text"]
    assert not SmsCode.objects.exists()
    assert AuditEvent.objects.filter(action="account.reset_refused_staff").exists()
    assert (
        "请先获取短信验证码"
        in finish(client, "password_reset", "123456", number=number).content.decode()
    )
    # Even a reset code made for the account (it was a resident's once) is refused.
    clock.shift(61)
    code_send(gate=gate(number, "10.0.0.3"), purpose=CodePurpose.RESET, user=worker)
    with pytest.raises(PermissionDenied):
        services.password_reset(
            mobile=number, code=last_code(number), password=NEW_PASSWORD, password2=NEW_PASSWORD
        )
    assert User.objects.get(pk=worker.pk).check_password(PASSWORD)


def test_signed_in_people_are_sent_on_from_the_pages(client, d):
    client.force_login(d.users["resident:own"])
    assert client.get(reverse("signup")).status_code == 302
    assert client.get(reverse("password_reset")).status_code == 302


def test_the_login_page_links_sign_up_and_reset(client, d):
    page = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("signup")}"' in page and f'href="{reverse("password_reset")}"' in page
    for name in ("signup", "password_reset"):
        form = client.get(reverse(name)).content.decode()
        assert 'inputmode="numeric"' in form and 'autocomplete="one-time-code"' in form


def test_a_signed_up_number_follows_a_key_rotation(client, d, settings):
    send(client, "signup")
    finish(client, "signup", last_code())
    client.logout()
    settings.DATA_ENCRYPTION_OLD_KEYS = [settings.DATA_ENCRYPTION_KEY]
    settings.DATA_ENCRYPTION_KEY = Fernet.generate_key().decode()
    settings.FIELD_CIPHER, settings.HASH_ALGORITHM = "sm4", "hmac-sm3"
    call_command("personal_data_rotate", "--rehash", stdout=io.StringIO())
    settings.DATA_ENCRYPTION_OLD_KEYS = []
    mobile = AccountMobile.objects.get()
    assert mobile.mobile_enc.startswith("sm4:")
    assert mobile.mobile_hash == personal_data.mobile_hash(NEW)
    check = {c.label: c for c in key_rotation.verify()}["core.accountmobile"]
    assert check.sound and check.fields == 1
    assert client.login(username=NEW, password=NEW_PASSWORD)


def test_codes_go_as_the_providers_approved_template(d, settings, console_sms):
    settings.SMS = {"BACKEND": "console", "TEMPLATES": {"sms_code": "SMS_CODE_1"}}
    code_send(gate=gate(), purpose=CodePurpose.SIGNUP)
    sent = console_sms[-1]
    assert sent["template"] == "SMS_CODE_1" and set(sent["params"]) == {"code", "minutes"}
    assert sent["params"]["code"] in sent["text"] and sent["params"]["minutes"] == 5


def test_a_malformed_rate_stops_with_a_clear_message(d, settings):
    settings.SMS_CODE_RATES = {"mobile": ["five a minute"], "address": []}
    with pytest.raises(ImproperlyConfigured, match="five a minute"):
        code_send(gate=gate(), purpose=CodePurpose.SIGNUP)
    assert not SmsCode.objects.exists()
