"""End to end through the real database worker: a step's notice is queued when the write
commits, the worker sends it, a gateway that times out gets the retry the worker runs later,
and nothing is sent for a write that rolled back."""

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.tests.test_jobs import run_worker
from notify import services
from notify.models import Delivery, Preference
from notify.tests.gateway import Gateway

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_worker_sends_retries_and_falls_back(d, settings):
    user = d.users["department_officer:own"]
    Preference.objects.create(user=user, channels=["sms"])
    settings.NOTIFY_ATTEMPTS = 2
    with Gateway() as gateway:
        settings.SMS = {"BACKEND": "http", "URL": gateway.url, "KEY_ID": "k",
                        "SECRET": gateway.secret, "TIMEOUT": 1, "TEMPLATES": {}}  # fmt: skip
        with transaction.atomic():
            services.send(kind="services.warn_due_soon", recipients=[user],
                          params={"number": "R1", "note": "n"})  # fmt: skip
        run_worker()
        row = Delivery.objects.get(user=user, channel="sms")
        assert row.status == "sent" and row.attempts == 1 and len(gateway.calls) == 1

        gateway.mode, gateway.delay = "slow", 1.5
        with transaction.atomic():
            services.send(kind="services.warn_due_soon", recipients=[user],
                          params={"number": "R2", "note": "n"})  # fmt: skip
        run_worker()
        row = Delivery.objects.filter(user=user, channel="sms").latest("pk")
        assert row.status == "pending" and row.attempts == 1  # the retry waits its backoff
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
        run_worker()
        row.refresh_from_db()
        assert row.status == "fallback" and row.attempts == 2
        assert row.notification.read_at is None


def test_a_rolled_back_write_queues_nothing(d):
    user = d.users["resident:own"]
    with pytest.raises(RuntimeError), transaction.atomic():
        services.send(kind="services.request_accepted", recipients=[user],
                      params={"number": "R3", "note": ""})  # fmt: skip
        raise RuntimeError("the step failed after telling")
    assert not Delivery.objects.exists() and not DBTaskResult.objects.exists()
