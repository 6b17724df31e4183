"""Binding a WeChat (issue #15 item 1): a one-time code, the relay's signed callback binds the
OpenID, messages then reach it on the console backend; a bad signature, an old or reused code,
an OpenID bound elsewhere are refused with nothing written; unbinding removes WeChat."""

import datetime
import json

import pytest
import time_machine

from core.models import AuditEvent
from notify import binding, http, services, tasks, wechat
from notify.models import Delivery, Preference, WechatBinding

pytestmark = pytest.mark.django_db
SECRET = "relay-secret"


@pytest.fixture(autouse=True)
def _relay(settings):
    settings.WECHAT = {"BACKEND": "console", "SECRET": SECRET}


def callback(client, payload, *, secret=SECRET):
    body = json.dumps(payload).encode()
    headers = http.signed_headers(key_id="relay", secret=secret, body=body)
    return client.post(
        "/notify/wechat/callback/", data=body, content_type="application/json",
        headers=headers,
    )  # fmt: skip


def written():
    return [WechatBinding.objects.filter(used_at__isnull=False).count(),
            Preference.objects.exclude(wechat_openid="").count(), AuditEvent.objects.count()]  # fmt: skip


def test_bind_by_code_then_told_on_wechat_then_unbind(d, client):
    user = d.users["resident:own"]
    client.force_login(user)
    page = client.post("/notify/wechat/bind/", follow=True).content.decode()
    code = page.split("微信绑定码：")[1][: binding.CODE_LENGTH]
    client.logout()
    answer = callback(client, {"code": code, "openid": "oWX_resident_1"})
    assert answer.status_code == 200 and answer.json() == {"code": "OK"}
    pref = Preference.objects.get(user=user)
    assert pref.wechat_openid == "oWX_resident_1"
    # Now WeChat may be chosen, for every kind or for one.
    services.preferences_update(actor=user, channels=[],
                                by_kind={"services.request_closed": ["wechat"]})  # fmt: skip
    services.send(kind="services.request_closed", recipients=[user],
                  params={"number": "R1", "note": ""})  # fmt: skip
    for row in Delivery.objects.filter(status="pending"):
        tasks.attempt(row.pk)
    assert wechat.outbox[-1]["openid"] == "oWX_resident_1"
    # The code is used once.
    before = written()
    assert callback(client, {"code": code, "openid": "oWX_resident_2"}).status_code == 400
    assert written() == before
    client.force_login(user)
    client.post("/notify/wechat/unbind/")
    pref.refresh_from_db()
    assert pref.wechat_openid == "" and pref.by_kind == {"services.request_closed": []}


def test_bad_callbacks_are_refused_and_write_nothing(d, client):
    user, other = d.users["resident:own"], d.users["resident:other"]
    Preference.objects.create(user=other, wechat_openid="oWX_taken_1")
    code = binding.wechat_binding_start(actor=user)
    before = written()
    assert (
        callback(client, {"code": code, "openid": "oWX_x_123"}, secret="wrong").status_code == 403
    )
    unsigned = client.post("/notify/wechat/callback/", data=b"{}", content_type="application/json")
    assert unsigned.status_code == 403
    refused = callback(client, {"code": code, "openid": "oWX_taken_1"})
    assert refused.status_code == 400 and "已绑定其他账号" in refused.json()["message"]
    assert callback(client, {"code": code, "openid": "<script>"}).status_code == 400
    assert callback(client, {"code": "ZZZZZZ", "openid": "oWX_x_123"}).status_code == 400
    assert callback(client, ["not", "an", "object"]).status_code == 400
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=binding.minutes() + 1)
    with time_machine.travel(later):
        expired = callback(client, {"code": code, "openid": "oWX_x_123"})
    assert expired.status_code == 400 and "已过期" in expired.json()["message"]
    # A new code replaces the open one.
    newer = binding.wechat_binding_start(actor=user)
    assert callback(client, {"code": code, "openid": "oWX_x_123"}).status_code == 400
    assert written()[:2] == before[:2]
    assert callback(client, {"code": newer, "openid": "oWX_x_123"}).status_code == 200


def test_with_no_wechat_channel_callbacks_are_refused(d, client, settings):
    settings.WECHAT = {"BACKEND": "none", "SECRET": SECRET}
    code = binding.wechat_binding_start(actor=d.users["resident:own"])
    assert callback(client, {"code": code, "openid": "oWX_x_123"}).status_code == 403


def test_unbinding_without_a_binding_says_so(d, client):
    client.force_login(d.users["resident:own"])
    page = client.post("/notify/wechat/unbind/", follow=True).content.decode()
    assert "您的账号没有绑定微信" in page
