"""Periodic jobs of workload (run by the scheduler and a worker; safe to run twice)."""

import datetime

from django.db import transaction

from core import jobs

REBUILD_JOB = "workload.burden_rebuild"


@jobs.periodic(REBUILD_JOB, every=jobs.Daily(at=datetime.time(2, 30)))
def burden_rebuild(*, period: str) -> dict:
    """Recount the monthly burden summary from tasks, refusals and time logs once a night.
    The services keep it current as they write; this repairs anything written around them
    (bulk loads, manual corrections)."""
    from workload import services

    with transaction.atomic():
        if not jobs.claim(job=REBUILD_JOB, period=period):
            return {"rows": None}
        return {"rows": services.burden_rebuild()}
