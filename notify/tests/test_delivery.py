"""Sending in the background: a backend that times out is retried with backoff, then the message
falls back to in-app; a refusal falls back at once; every attempt is counted in the Delivery."""

import pytest
from django_tasks_db.models import DBTaskResult

from core.models import Notification
from notify import services, sms, tasks
from notify.models import Delivery, Preference
from notify.tests.gateway import Gateway

pytestmark = pytest.mark.django_db


def sms_to(user, settings, gateway, timeout=1):
    settings.SMS = {"BACKEND": "http", "URL": gateway.url, "KEY_ID": "k", "SECRET": gateway.secret,
                    "TEMPLATE": "SMS_1", "TIMEOUT": timeout, "TEMPLATES": {}}  # fmt: skip
    Preference.objects.create(user=user, channels=["sms"])


def tell(user, capture):
    with capture(execute=True):
        [note] = services.send(kind="services.warn_due_soon", recipients=[user],
                               params={"number": "R7", "note": "明天到期"}, url="/services/7/")  # fmt: skip
    Notification.objects.filter(pk=note.pk).update(read_at=note.created_at)  # already seen
    return note, Delivery.objects.get(notification=note, channel="sms")


def test_a_timeout_is_retried_with_backoff_then_falls_back_to_in_app(
    d, settings, django_capture_on_commit_callbacks
):
    user = d.users["department_officer:own"]
    with Gateway() as gateway:
        sms_to(user, settings, gateway)
        gateway.mode, gateway.delay = "slow", 1.5
        note, row = tell(user, django_capture_on_commit_callbacks)
        for attempt in (1, 2):
            with django_capture_on_commit_callbacks(execute=True):
                assert tasks.attempt(row.pk) == "pending"
            row.refresh_from_db()
            assert row.attempts == attempt and row.error.startswith("timeout")
        retries = DBTaskResult.objects.order_by("enqueued_at")
        assert retries.count() == 3  # the first send and two retries
        first, second = retries[1].run_after, retries[2].run_after
        assert (second - first).total_seconds() > 25  # 30 s, then 60 s after the next failure
        assert tasks.attempt(row.pk) == "fallback"  # the third and last attempt
    row.refresh_from_db()
    assert row.attempts == 3 and row.status == Delivery.Status.FALLBACK
    note.refresh_from_db()
    assert note.read_at is None  # back in the inbox as unread: nothing lost
    assert len(gateway.calls) == 3 and all(c["signed"] for c in gateway.calls)


def test_a_server_error_then_success(d, settings, django_capture_on_commit_callbacks):
    user = d.users["department_officer:own"]
    with Gateway() as gateway:
        sms_to(user, settings, gateway)
        gateway.mode = "error"
        _note, row = tell(user, django_capture_on_commit_callbacks)
        assert tasks.attempt(row.pk) == "pending"
        gateway.mode = "ok"
        assert tasks.attempt(row.pk) == "sent"
    row.refresh_from_db()
    assert row.attempts == 2 and row.provider_id == "m2" and row.to == "139****0002"
    assert gateway.calls[-1]["payload"]["params"]["content"].startswith(
        "R7 催办：即将到期 明天到期"
    )


def test_a_refusal_falls_back_at_once(d, settings, django_capture_on_commit_callbacks):
    user = d.users["department_officer:own"]
    with Gateway() as gateway:
        sms_to(user, settings, gateway)
        gateway.mode = "refuse"
        note, row = tell(user, django_capture_on_commit_callbacks)
        assert tasks.attempt(row.pk) == "fallback"
    row.refresh_from_db()
    assert row.attempts == 1 and row.error == "模板不合法"
    note.refresh_from_db()
    assert note.read_at is None


def test_no_address_on_the_channel_falls_back(d, django_capture_on_commit_callbacks):
    user = d.users["department_officer:own"]
    Preference.objects.create(user=user, channels=["email", "wechat"])  # no e-mail, no WeChat
    _n = services.send(kind="core.calendar_missing", recipients=[user], params={"year": 2031})
    rows = Delivery.objects.filter(user=user).exclude(channel="inapp")
    assert {tasks.attempt(r.pk) for r in rows} == {"fallback"}
    assert set(rows.values_list("error", flat=True)) == {"no address on this channel"}


def test_a_sent_delivery_is_not_sent_twice(d):
    user = d.users["resident:own"]
    services.send(kind="services.request_answered", recipients=[user],
                  params={"number": "R1", "note": "已处理"})  # fmt: skip
    row = Delivery.objects.get(user=user, channel="sms")
    assert tasks.attempt(row.pk) == "sent"
    assert tasks.attempt(row.pk) == "sent"  # a second run of the same task does nothing
    assert len(sms.outbox) == 1
