"""Periodic jobs, retries and the scheduler, run through the real database task backend."""

import datetime
import io
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from core import calendar, jobs
from core.models import JobRun, Notification, Role
from core.tasks import CALENDAR_NOTICE_JOB
from core.testing import build_small_district, make_superuser
from core.tests.threads import at_once

BASE_DIR = Path(settings.BASE_DIR)


def run_worker(max_tasks: int = 50) -> None:
    """Run the database worker in this process until no task is ready (db_worker --batch)."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id="pytest-worker",
        excluded_queue_names=[],
    ).run()


@pytest.fixture
def counting_job():
    """A periodic job registered for one test only, recording each real execution."""
    ran: list[str] = []

    def body(*, period: str) -> dict:
        time.sleep(0.3)  # long enough for a concurrent runner to collide with this one
        ran.append(period)
        return {"ran": len(ran)}

    body.__module__, body.__qualname__ = __name__, "counting_job_body"
    jobs.periodic("test.counting", every=jobs.Daily())(body)
    yield ran
    jobs._registry.pop("test.counting", None)


# ---------------------------------------------------------------- once per period


@pytest.mark.django_db
def test_run_once_runs_a_period_once(counting_job):
    first = jobs.run_once("test.counting", "2026-11-27")
    assert first is not None and first.result == {"ran": 1} and first.finished_at
    assert jobs.run_once("test.counting", "2026-11-27") is None
    assert counting_job == ["2026-11-27"]
    assert jobs.run_once("test.counting", "2026-11-28").result == {"ran": 2}
    assert JobRun.objects.filter(job="test.counting").count() == 2


@pytest.mark.django_db
def test_a_failed_run_leaves_no_record_so_it_is_tried_again():
    attempts = []

    def body(*, period):
        attempts.append(period)
        if len(attempts) == 1:
            raise RuntimeError("disk full")
        return {"ok": True}

    body.__module__, body.__qualname__ = __name__, "failing_once_body"
    jobs.periodic("test.failing_once", every=jobs.Daily())(body)
    try:
        with pytest.raises(RuntimeError):
            jobs.run_once("test.failing_once", "2026-11-27")
        assert not JobRun.objects.filter(job="test.failing_once").exists()
        assert jobs.run_once("test.failing_once", "2026-11-27").result == {"ok": True}
    finally:
        jobs._registry.pop("test.failing_once", None)


@pytest.mark.django_db
def test_unknown_job_and_bad_declarations_are_refused():
    with pytest.raises(LookupError, match="no periodic job named 'nope'"):
        jobs.run_once("nope", "2026-11-27")
    with pytest.raises(ValueError):
        jobs.Every(datetime.timedelta(seconds=5))


@pytest.mark.django_db(transaction=True)
def test_claim_outside_a_transaction_is_refused():
    # A claim committed apart from its work would mark a period done that never ran.
    with pytest.raises(RuntimeError, match="inside the transaction"):
        jobs.claim(job="x", period="y")
    assert not JobRun.objects.exists()


def test_period_keys_are_local_days_and_hours():
    late_utc = datetime.datetime(2026, 11, 27, 17, 30, tzinfo=datetime.UTC)  # 01:30 on the 28th
    daily = jobs.PeriodicJob("d", print, jobs.Daily(), jobs.Daily().period_key)
    assert daily.period_for(late_utc) == "2026-11-28"
    hourly = jobs.PeriodicJob("h", print, jobs.Hourly(), jobs.Hourly().period_key)
    assert hourly.period_for(late_utc) == "2026-11-28T01"
    every = jobs.Every(datetime.timedelta(minutes=15))
    assert jobs.PeriodicJob("e", print, every, every.period_key).period_for(
        late_utc + datetime.timedelta(minutes=7)
    ) == ("2026-11-28T01:30")


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_of_the_same_period_run_the_job_once(counting_job):
    if connection.vendor != "postgresql":
        pytest.skip("the in-memory SQLite test database cannot hold two concurrent writers")
    outcomes = []

    def runner(_i):
        run = jobs.run_once("test.counting", "2026-11-27")
        outcomes.append(None if run is None else run.pk)

    errors = at_once(runner, 2, timeout=30)
    assert errors == []
    assert sorted(outcomes, key=lambda o: o is None)[1] is None  # exactly one did nothing
    assert sum(o is not None for o in outcomes) == 1
    assert counting_job == ["2026-11-27"]
    assert JobRun.objects.filter(job="test.counting").count() == 1


# ---------------------------------------------------------------- retries


@jobs.retrying_task(attempts=3, base_delay=datetime.timedelta(seconds=10))
def flaky(*, fail_times: int, attempt: int) -> int:
    """Fails on its first ``fail_times`` attempts, then returns the attempt number."""
    if attempt <= fail_times:
        raise ConnectionError(f"upstream down (attempt {attempt})")
    return attempt


TEN_S = datetime.timedelta(seconds=10)


def _make_due(result_id) -> None:
    """Let time pass for one deferred task: its backoff is over."""
    DBTaskResult.objects.filter(pk=result_id).update(run_after=timezone.now())


@pytest.mark.django_db(transaction=True)
def test_a_failing_task_is_retried_with_backoff_until_it_succeeds():
    flaky.enqueue(fail_times=2)
    before = timezone.now()
    run_worker()
    after = timezone.now()

    first, retry = DBTaskResult.objects.order_by("enqueued_at")
    assert first.status == "FAILED" and "ConnectionError" in first.exception_class_path
    assert retry.status == "READY" and retry.args_kwargs["kwargs"] == {
        "fail_times": 2,
        "attempt": 2,
    }
    # The base delay, 10 s, from the failure, which came between before and after (however
    # long a loaded machine took).
    assert before + TEN_S <= retry.run_after <= after + TEN_S

    run_worker()  # not due yet: nothing runs
    assert DBTaskResult.objects.get(pk=retry.pk).status == "READY"

    _make_due(retry.pk)
    before = timezone.now()
    run_worker()
    after = timezone.now()
    third = DBTaskResult.objects.order_by("enqueued_at").last()
    assert third.args_kwargs["kwargs"]["attempt"] == 3
    assert before + 2 * TEN_S <= third.run_after <= after + 2 * TEN_S  # doubled: 20 s

    _make_due(third.pk)
    run_worker()
    third.refresh_from_db()
    assert third.status == "SUCCESSFUL" and third.return_value == 3
    assert DBTaskResult.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_after_the_last_attempt_the_failure_is_logged_and_not_retried(caplog):
    flaky.enqueue(fail_times=99)
    with caplog.at_level(logging.WARNING, logger="linli.jobs"):
        for _attempt in range(3):
            run_worker()
            DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    results = list(DBTaskResult.objects.order_by("enqueued_at"))
    assert [r.status for r in results] == ["FAILED"] * 3
    assert [r.args_kwargs["kwargs"].get("attempt", 1) for r in results] == [1, 2, 3]
    errors = [r for r in caplog.records if r.name == "linli.jobs" and r.levelno == logging.ERROR]
    assert len(errors) == 1 and "giving up" in errors[0].getMessage()
    assert "core.tests.test_jobs.flaky" in errors[0].getMessage()


def test_backoff_grows_and_is_capped():
    base = datetime.timedelta(seconds=30)
    assert [jobs.backoff_delay(n, base=base).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert jobs.backoff_delay(20, base=base) == datetime.timedelta(hours=1)


# ---------------------------------------------------------------- the real periodic jobs


@pytest.fixture
def restore_signals():
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for s, handler in saved.items():
        signal.signal(s, handler)


def _admin_notices():
    return Notification.objects.filter(
        user__role_assignments__role=Role.ADMIN, title__contains="节假日安排"
    )


# Some jobs run every minute (registry.imports_interrupted) or every five (core.audit_seal): on a
# running clock the second `run_scheduler --once` below is in a new period for them whenever a
# minute boundary passes while the worker runs, and enqueues them again. So the clock stands still.
SCHEDULER_AT = datetime.datetime.fromisoformat("2026-11-27T10:00:30+08:00")


@pytest.mark.django_db(transaction=True)
def test_scheduler_once_then_worker_notifies_admins_once(restore_signals):
    with time_machine.travel(SCHEDULER_AT, tick=False):
        scheduler_then_worker_twice()


def scheduler_then_worker_twice():
    district = build_small_district()
    admin = district.users[f"{Role.ADMIN}:own"]
    missing = calendar.years_needing_schedule()  # [2027] on 2026-11-27
    registered = {job.name for job in jobs.registered_jobs()}
    assert {"core.calendar_schedule_check", "core.clear_expired_sessions"} <= registered

    call_command("run_scheduler", "--once", stdout=io.StringIO())
    queued = DBTaskResult.objects.filter(status="READY")
    assert sorted(r.args_kwargs["args"][0] for r in queued) == sorted(registered)
    assert Notification.objects.count() == 0  # the scheduler only enqueues

    # The real worker command, in batch mode, runs everything that is due.
    call_command(
        "db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0",
        verbosity=0,
    )  # fmt: skip
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    notices = list(_admin_notices())
    assert [n.user for n in notices] == [admin] * len(missing)
    assert sorted(n.title for n in notices) == sorted(f"请录入{y}年节假日安排" for y in missing)
    assert Notification.objects.exclude(user=admin).count() == 0

    # Twice: the scheduler sees today's runs are done, and a forced duplicate does nothing.
    call_command("run_scheduler", "--once", stdout=io.StringIO())
    assert not DBTaskResult.objects.filter(status="READY").exists()
    period = calendar.local_today().isoformat()
    jobs.run_periodic_job.enqueue("core.calendar_schedule_check", period)
    run_worker()
    assert _admin_notices().count() == len(missing)
    assert JobRun.objects.filter(job="core.calendar_schedule_check").count() == 1


@pytest.mark.django_db
def test_calendar_schedule_check_tells_each_admin_once_per_missing_year():
    district = build_small_district()
    second_admin = build_small_district(code="320105", name="玄武区").users[f"{Role.ADMIN}:own"]
    admins = {district.users[f"{Role.ADMIN}:own"], second_admin}

    run = jobs.run_once("core.calendar_schedule_check", "2026-11-27")
    assert run.result == {"missing": [2027], "notified": {"2027": 2}}
    assert {n.user for n in _admin_notices()} == admins
    assert _admin_notices().count() == 2
    assert "2027" in _admin_notices().first().body

    # The next day's run finds 2027 still missing but already announced.
    run = jobs.run_once("core.calendar_schedule_check", "2026-11-28")
    assert run.result == {"missing": [2027], "notified": {}}
    assert _admin_notices().count() == 2
    assert JobRun.objects.filter(job=CALENDAR_NOTICE_JOB, period="2027").count() == 1

    # In 2027 the next year is missing too, and only 2028 is new.
    run = jobs.run_once("core.calendar_schedule_check", "2027-01-04")
    assert run.result == {"missing": [2027, 2028], "notified": {"2028": 2}}
    assert _admin_notices().count() == 4


@pytest.mark.django_db
def test_calendar_schedule_check_is_quiet_once_the_year_is_entered():
    build_small_district()
    from core import services

    services.calendar_mark_year_entered(actor=make_superuser("cal"), year=2027, source="国办发明电")
    run = jobs.run_once("core.calendar_schedule_check", "2026-11-27")
    assert run.result == {"missing": [], "notified": {}}
    assert not _admin_notices().exists()


@pytest.mark.django_db
def test_with_no_admin_yet_the_notice_waits_for_one():
    run = jobs.run_once("core.calendar_schedule_check", "2026-11-27")
    assert run.result == {"missing": [2027], "notified": {}}
    assert not JobRun.objects.filter(job=CALENDAR_NOTICE_JOB).exists()
    district = build_small_district()
    jobs.run_once("core.calendar_schedule_check", "2026-11-28")
    assert [n.user for n in _admin_notices()] == [district.users[f"{Role.ADMIN}:own"]]


@pytest.mark.django_db
def test_clear_expired_sessions(settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    live, expired = SessionStore(), SessionStore()
    live["x"] = expired["x"] = 1
    live.create()
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(days=1)
    )
    run = jobs.run_once("core.clear_expired_sessions", "2026-11-27")
    assert run.result["removed"] == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]


# ---------------------------------------------------------------- the long-running scheduler


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_scheduler_process_stops_cleanly_on_signal(signum, tmp_path):
    env = {
        **os.environ,
        # The scheduler touches no table until a job is due; a throwaway database keeps it off
        # any real one.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'scheduler.sqlite3'}",
        "PYTHONUNBUFFERED": "1",
    }
    proc = subprocess.Popen(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, str(BASE_DIR / "manage.py"), "run_scheduler"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        seen = []
        while line := proc.stdout.readline():  # "" at EOF if the process died
            seen.append(line)
            if "scheduler started" in line:
                break
        assert "scheduler started (Asia/Shanghai)" in seen[-1], "".join(seen)
        assert "core.calendar_schedule_check" in seen[-1]
        proc.send_signal(signum)
        rest, _ = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, rest
    assert "scheduler stopped" in rest
