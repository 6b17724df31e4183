"""notify.sms: the console backend, and the HTTP backend against a real local gateway."""

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from notify import sms
from notify.tests.gateway import Gateway


def http_settings(gateway, **extra):
    config = {
        "BACKEND": "http",
        "URL": gateway.url,
        "KEY_ID": "linli-test",
        "SECRET": gateway.secret,
        "SIGN_NAME": "邻里",
        "TEMPLATE": "SMS_0001",
        "TIMEOUT": 1,
    }
    return override_settings(SMS=config | extra)


def test_console_backend_keeps_the_message():
    sms.outbox.clear()
    with override_settings(SMS={"BACKEND": "console"}):
        result = sms.send_sms(phone="+86 139-0000-1234", text="验证码 123456")
    assert result.ok and result.backend == "console"
    assert sms.outbox == [
        {
            "phone": "13900001234",
            "template": "",
            "params": {"content": "验证码 123456"},
            "text": "验证码 123456",
        }
    ]


def test_a_number_that_is_not_a_mobile_is_refused_before_sending():
    sms.outbox.clear()
    with pytest.raises(ValidationError):
        sms.send_sms(phone="12345", text="x")
    assert sms.outbox == []


def test_http_backend_posts_a_signed_template_message():
    with Gateway() as gateway, http_settings(gateway):
        result = sms.send_sms(phone="13900001234", text="您的诉求已受理")
    assert result.ok and result.message_id == "m1"
    [call] = gateway.calls
    assert call["signed"] and call["key"] == "linli-test"
    assert call["payload"] == {
        "phone": "13900001234",
        "sign_name": "邻里",
        "template_id": "SMS_0001",
        "params": {"content": "您的诉求已受理"},
    }


def test_a_wrong_secret_is_refused_by_the_gateway_and_not_retried():
    with Gateway() as gateway, http_settings(gateway, SECRET="wrong"):
        result = sms.send_sms(phone="13900001234", text="x")
    assert not result.ok and not result.retryable
    assert "401" in result.error


def test_a_refused_template_is_an_error_not_worth_retrying():
    with Gateway() as gateway, http_settings(gateway):
        gateway.mode = "refuse"
        result = sms.send_sms(phone="13900001234", text="x")
    assert not result.ok and not result.retryable and result.error == "模板不合法"


def test_a_server_error_or_a_timeout_is_retryable():
    with Gateway() as gateway, http_settings(gateway):
        gateway.mode = "error"
        failed = sms.send_sms(phone="13900001234", text="x")
        gateway.mode, gateway.delay = "slow", 2.5
        slow = sms.send_sms(phone="13900001234", text="x")
    assert not failed.ok and failed.retryable and failed.error == "HTTP 500"
    assert not slow.ok and slow.retryable and slow.error.startswith("timeout")


def test_nothing_listens_is_retryable():
    with Gateway() as gateway:
        url = gateway.url
    with override_settings(SMS={"BACKEND": "http", "URL": url, "TIMEOUT": 1}):
        result = sms.send_sms(phone="13900001234", text="x")
    assert not result.ok and result.retryable


def test_no_sms_channel_configured():
    with override_settings(SMS={"BACKEND": "none"}):
        result = sms.send_sms(phone="13900001234", text="x")
    assert not result.ok and not result.retryable
