"""Periodic jobs and retries on top of Django's task API (the django-tasks backport).

How the pieces fit:

- An app declares a periodic job in its ``tasks.py`` with ``@periodic(name, every=...)``. The
  registry is filled by importing every installed app's ``tasks`` module (``autodiscover``).
- ``manage.py run_scheduler`` only *enqueues* ``run_periodic_job(name, period)`` at the job's
  times; the period (e.g. "2026-11-27") is fixed when enqueued, so a worker that is late still
  books the run to the right day.
- A worker (``manage.py db_worker``) runs ``run_periodic_job`` → ``run_once(name, period)``, which
  inserts the ``JobRun(job, period)`` row and runs the job in one transaction. The unique
  constraint on (job, period) makes a second run for the same period — a duplicate enqueue, a
  second scheduler, a manual re-run — do nothing; a run that fails rolls its row back, so the next
  enqueue tries again. Concurrent runs queue on the unique index: the second waits for the first
  to commit and then sees the row.
- ``retrying_task`` turns a function into a task that re-enqueues itself with exponential
  backoff when it raises, up to a number of attempts; django-tasks has no retries of its own.
"""

from __future__ import annotations

import datetime
import functools
import inspect
import logging
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django_tasks import task

from core.models import JobRun

logger = logging.getLogger("linli.jobs")

# JobRun.job and JobRun.period column sizes.
MAX_NAME = 100
MAX_PERIOD = 32


# ---------------------------------------------------------------- schedules


@dataclass(frozen=True)
class Daily:
    """Once a day at a local (Asia/Shanghai) time."""

    at: datetime.time = datetime.time(3, 0)

    def trigger(self, tz: datetime.tzinfo):
        from apscheduler.triggers.cron import CronTrigger

        return CronTrigger(hour=self.at.hour, minute=self.at.minute, second=0, timezone=tz)

    def period_key(self, moment: datetime.datetime) -> str:
        return moment.date().isoformat()  # "2026-11-27"


@dataclass(frozen=True)
class Hourly:
    """Once an hour at a minute past the hour."""

    minute: int = 0

    def trigger(self, tz: datetime.tzinfo):
        from apscheduler.triggers.cron import CronTrigger

        return CronTrigger(minute=self.minute, second=0, timezone=tz)

    def period_key(self, moment: datetime.datetime) -> str:
        return moment.strftime("%Y-%m-%dT%H")  # "2026-11-27T14"


@dataclass(frozen=True)
class Every:
    """Every fixed interval (at least a minute); periods are interval-sized slots of local time."""

    interval: datetime.timedelta

    def __post_init__(self):
        if self.interval < datetime.timedelta(minutes=1):
            raise ValueError("a periodic job runs at most once a minute")

    def trigger(self, tz: datetime.tzinfo):
        from apscheduler.triggers.interval import IntervalTrigger

        return IntervalTrigger(seconds=int(self.interval.total_seconds()), timezone=tz)

    def period_key(self, moment: datetime.datetime) -> str:
        seconds = int(self.interval.total_seconds())
        start = int(moment.timestamp()) // seconds * seconds
        slot = datetime.datetime.fromtimestamp(start, tz=moment.tzinfo)
        return slot.strftime("%Y-%m-%dT%H:%M")  # the slot's local start time


Schedule = Daily | Hourly | Every


def local_tz() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


# ---------------------------------------------------------------- the registry


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    func: Callable[..., Any]  # func(*, period: str) -> JSON-able result (stored on the JobRun)
    every: Schedule
    period_key: Callable[[datetime.datetime], str]
    description: str = field(default="", compare=False)

    def period_for(self, moment: datetime.datetime | None = None) -> str:
        """The period a run at ``moment`` (default now) belongs to, in local time."""
        moment = (moment or timezone.now()).astimezone(local_tz())
        key = self.period_key(moment)
        if not key or len(key) > MAX_PERIOD:
            raise ValueError(f"period key {key!r} for job {self.name!r} must be 1–32 characters")
        return key


_registry: dict[str, PeriodicJob] = {}


def periodic(
    name: str,
    *,
    every: Schedule,
    period_key: Callable[[datetime.datetime], str] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare ``func(*, period: str)`` as a periodic job; returns ``func`` unchanged.

    ``period_key(local_moment) -> str`` names the period a run belongs to; by default the
    schedule's (a day for ``Daily``, an hour for ``Hourly``, a slot for ``Every``). Two runs
    with the same key are one run.
    """
    if not name or len(name) > MAX_NAME:
        raise ValueError(f"job name must be 1–{MAX_NAME} characters, got {name!r}")

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        existing = _registry.get(name)
        if existing is not None and _qualified(existing.func) != _qualified(func):
            raise ValueError(f"periodic job {name!r} is already declared by {existing.func!r}")
        _registry[name] = PeriodicJob(
            name=name,
            func=func,
            every=every,
            period_key=period_key or every.period_key,
            description=(inspect.getdoc(func) or "").split("\n")[0],
        )
        return func

    return register


def _qualified(func) -> str:
    return f"{func.__module__}.{func.__qualname__}"


def autodiscover() -> None:
    """Import every installed app's ``tasks`` module so its jobs are registered."""
    autodiscover_modules("tasks")


def registered_jobs() -> list[PeriodicJob]:
    autodiscover()
    return sorted(_registry.values(), key=lambda job: job.name)


def get_job(name: str) -> PeriodicJob:
    autodiscover()
    try:
        return _registry[name]
    except KeyError:
        known = ", ".join(sorted(_registry)) or "none"
        raise LookupError(f"no periodic job named {name!r} (known: {known})") from None


# ---------------------------------------------------------------- running once per period


def claim(*, job: str, period: str) -> bool:
    """Record that ``job`` ran for ``period``; False if it already had.

    Must run inside the caller's transaction: the row commits (or rolls back) with the work it
    guards. A concurrent claimer of the same key waits on the unique index until this
    transaction ends, then gets False (committed) or the claim (rolled back).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("jobs.claim must be called inside the transaction doing the work")
    try:
        with transaction.atomic():  # a savepoint, so a duplicate leaves the outer one usable
            JobRun.objects.create(job=job, period=period)
    except IntegrityError:
        return False
    return True


def run_once(name: str, period: str | None = None) -> JobRun | None:
    """Run periodic job ``name`` for ``period`` (default: the current one) unless already done.

    Returns the finished ``JobRun`` (its ``result`` holds what the job returned), or None when
    the period had already been run. An exception from the job propagates and leaves no row.
    """
    job = get_job(name)
    period = period or job.period_for()
    if len(period) > MAX_PERIOD:
        raise ValueError(f"period {period!r} is longer than {MAX_PERIOD} characters")
    with transaction.atomic():
        if not claim(job=name, period=period):
            logger.info("job %s for %s already ran; skipping", name, period)
            return None
        result = job.func(period=period)
        run = JobRun.objects.select_for_update().get(job=name, period=period)
        run.result = result if isinstance(result, dict) else {"result": result}
        run.finished_at = timezone.now()
        run.save(update_fields=["result", "finished_at"])
    logger.info("job %s for %s done: %s", name, period, run.result)
    return run


@task()
def run_periodic_job(name: str, period: str) -> dict | None:
    """The task the scheduler enqueues; the worker runs the job at most once for the period."""
    run = run_once(name, period)
    return None if run is None else {"job": name, "period": period, "result": run.result}


def enqueue_periodic(name: str, *, moment: datetime.datetime | None = None):
    """Enqueue a run of ``name`` for the period containing ``moment`` (default now).

    Skips the enqueue when the period is already done, to keep the queue short; the worker's
    ``run_once`` is what guarantees a single run. Returns the task result, or None if skipped.
    """
    job = get_job(name)
    period = job.period_for(moment)
    if JobRun.objects.filter(job=name, period=period).exists():
        return None
    return run_periodic_job.enqueue(name, period)


# ---------------------------------------------------------------- retries


def backoff_delay(
    attempt: int,
    *,
    base: datetime.timedelta,
    factor: float = 2.0,
    cap: datetime.timedelta = datetime.timedelta(hours=1),
) -> datetime.timedelta:
    """How long to wait after failed attempt number ``attempt`` (1-based): base·factor^(n-1),
    capped."""
    return min(base * (factor ** (attempt - 1)), cap)


def retrying_task(
    *,
    attempts: int = 5,
    base_delay: datetime.timedelta = datetime.timedelta(seconds=30),
    factor: float = 2.0,
    max_delay: datetime.timedelta = datetime.timedelta(hours=1),
    retry_on: tuple[type[BaseException], ...] = (Exception,),
    **task_options,
):
    """Make ``func`` a task that, when it raises, enqueues itself again after a backoff.

    The attempt number travels as the ``attempt`` keyword argument (1 for the first run) and is
    passed to ``func`` if it accepts ``attempt``. Every failed attempt still raises, so the
    worker records it as FAILED with its traceback; the retry is a new task result. After the
    last attempt the failure is logged at ERROR and nothing more is enqueued.

        @retrying_task(attempts=3, base_delay=timedelta(minutes=1))
        def send_sms(*, to: str, text: str) -> None: ...

        send_sms.enqueue(to="138…", text="…")
    """
    if attempts < 1:
        raise ValueError("attempts must be at least 1")

    def decorate(func: Callable[..., Any]):
        wants_attempt = _accepts(func, "attempt")
        holder: dict[str, Any] = {}

        # functools.wraps keeps func's module and qualified name, so the task's import path
        # resolves to the module attribute this decorator returns: the task itself.
        @functools.wraps(func)
        def run(*args, attempt: int = 1, **kwargs):
            try:
                if wants_attempt:
                    return func(*args, attempt=attempt, **kwargs)
                return func(*args, **kwargs)
            except retry_on as exc:
                path = holder["task"].module_path
                if attempt >= attempts:
                    logger.error(
                        "task %s failed on attempt %d of %d; giving up: %r",
                        path, attempt, attempts, exc,
                    )  # fmt: skip
                    raise
                delay = backoff_delay(attempt, base=base_delay, factor=factor, cap=max_delay)
                retry = holder["task"].using(run_after=timezone.now() + delay)
                retry.enqueue(*args, attempt=attempt + 1, **kwargs)
                logger.warning(
                    "task %s failed on attempt %d of %d (%r); retrying in %s",
                    path, attempt, attempts, exc, delay,
                )  # fmt: skip
                raise

        holder["task"] = task(**task_options)(run)
        return holder["task"]

    return decorate


def _accepts(func, name: str) -> bool:
    params = inspect.signature(func).parameters.values()
    return any(p.name == name or p.kind is inspect.Parameter.VAR_KEYWORD for p in params)
