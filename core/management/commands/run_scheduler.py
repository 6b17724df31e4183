"""manage.py run_scheduler — enqueue the periodic jobs at their times; a worker runs them."""

import signal

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connections

from core import jobs


def enqueue_job(name: str) -> None:
    """Enqueue one run of ``name``; called in APScheduler's thread pool."""
    # Each scheduler thread keeps its own database connection; drop stale ones before and
    # close after, as Django does around a request.
    close_old_connections()
    try:
        result = jobs.enqueue_periodic(name)
        if result is None:
            jobs.logger.info("scheduler: %s already ran for this period", name)
        else:
            jobs.logger.info("scheduler: enqueued %s as task %s", name, result.id)
    finally:
        connections.close_all()


class Command(BaseCommand):
    help = (
        "Run the scheduler: enqueue every registered periodic job at its times (Asia/Shanghai). "
        "It only enqueues; run `manage.py db_worker` to execute. Stop with SIGTERM or Ctrl-C."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--once",
            action="store_true",
            help="Enqueue every job once for the current period and exit (for CI and tests).",
        )
        parser.add_argument(
            "--list",
            action="store_true",
            dest="list_jobs",
            help="List the registered jobs and their schedules.",
        )

    def handle(self, *, once: bool, list_jobs: bool, **options):
        registered = jobs.registered_jobs()
        if list_jobs:
            for job in registered:
                self.stdout.write(f"{job.name}\t{job.every}\t{job.description}")
            return
        if once:
            for job in registered:
                result = jobs.enqueue_periodic(job.name)
                state = "skipped (already ran)" if result is None else f"enqueued {result.id}"
                self.stdout.write(f"{job.name} {job.period_for()}: {state}")
            return
        self._run_forever(registered)

    def _run_forever(self, registered) -> None:
        from apscheduler.schedulers.background import BackgroundScheduler

        # SIGTERM and SIGINT are blocked before any thread starts (threads inherit the mask) and
        # then awaited with sigwait. No Python signal handler runs, so none can interrupt the
        # scheduler half-way through holding a lock (Event.set from a handler can deadlock), and
        # a signal that arrives during start-up simply waits, pending, until sigwait takes it.
        stop_signals = {signal.SIGTERM, signal.SIGINT}
        signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
        tz = jobs.local_tz()
        scheduler = BackgroundScheduler(timezone=tz)
        for job in registered:
            scheduler.add_job(
                enqueue_job,
                trigger=job.every.trigger(tz),
                args=[job.name],
                id=job.name,
                name=job.name,
                # A scheduler that was down for a while enqueues a missed run once, not once per
                # missed time; within an hour of the due time it still counts.
                coalesce=True,
                max_instances=1,
                misfire_grace_time=3600,
                replace_existing=True,
            )
        scheduler.start()
        self.stdout.write(
            f"scheduler started ({tz.key}) with {len(registered)} jobs: "
            + ", ".join(job.name for job in registered)
        )
        self.stdout.flush()
        received = signal.sigwait(stop_signals)
        self.stdout.write(f"{signal.strsignal(received)}: stopping the scheduler")
        # An enqueue in flight finishes before the process exits.
        scheduler.shutdown(wait=True)
        self.stdout.write("scheduler stopped")
