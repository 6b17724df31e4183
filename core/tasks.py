"""Background work of core: the periodic jobs the scheduler enqueues and a worker runs."""

import datetime
import logging
from importlib import import_module

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy

from core import audit, audit_chain, calendar, jobs
from core.models import Role
from core.selectors import role_holders
from notify import services as notify  # the one door for telling people

logger = logging.getLogger(__name__)

CALENDAR_NOTICE_JOB = "core.calendar_schedule_notice"


@jobs.periodic("core.calendar_schedule_check", every=jobs.Daily(at=datetime.time(8, 0)))
def calendar_schedule_check(*, period: str) -> dict:
    """Tell administrators when this year's or next year's holiday schedule is missing.

    Runs daily so the warning appears soon after the new year starts mattering (deadlines from
    late December cross into it), but each administrator hears about a missing year once: the
    notice for a year is claimed as its own JobRun ("core.calendar_schedule_notice", "2027").
    The calendar page keeps showing the warning until the year is entered.
    """
    today = datetime.date.fromisoformat(period)
    missing = calendar.years_needing_schedule(today)
    admins = list(role_holders({Role.ADMIN}))
    notified = {}
    for year in missing:
        # With nobody to tell, leave the notice unclaimed so the first administrator appointed
        # later still receives it.
        if not admins or not jobs.claim(job=CALENDAR_NOTICE_JOB, period=str(year)):
            continue
        notify.send(
            kind="core.calendar_missing",
            recipients=admins,
            params={"year": year},
            url=reverse("calendar") + f"?year={year}",
            subject=f"core.calendar:{year}",  # resolved when the year is marked entered
        )
        notified[str(year)] = len(admins)
    return {"missing": missing, "notified": notified}


@jobs.periodic("core.clear_expired_sessions", every=jobs.Daily(at=datetime.time(3, 30)))
def clear_expired_sessions(*, period: str) -> dict:
    """Delete expired sessions from the session store (what ``manage.py clearsessions`` does)."""
    engine = import_module(settings.SESSION_ENGINE)
    removed = None
    if settings.SESSION_ENGINE in (
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    ):
        from django.contrib.sessions.models import Session
        from django.utils import timezone

        removed = Session.objects.filter(expire_date__lt=timezone.now()).count()
    # Cache-backed stores (Redis) expire keys themselves; their clear_expired is a no-op.
    engine.SessionStore.clear_expired()
    return {"engine": settings.SESSION_ENGINE, "removed": removed}


@jobs.periodic("core.prune_idempotency_keys", every=jobs.Daily(at=datetime.time(3, 45)))
def prune_idempotency_keys(*, period: str) -> dict:
    """Forget retry keys older than their window; safe to run twice (the second finds none)."""
    from core import idempotency

    return {"deleted": idempotency.prune()}


# ---------------------------------------------------------------- the audit log's hash chain


@jobs.periodic("core.audit_seal", every=jobs.Every(datetime.timedelta(minutes=5)))
def audit_seal(*, period: str) -> dict:
    """Link the audit events written since the last run into the hash chain (core.audit_chain)."""
    sealed = audit_chain.seal_all()
    last_seq, last_hash = audit_chain.last_sealed()
    return {"sealed": sealed, "last_seq": last_seq, "last_hash": last_hash}


@jobs.periodic("core.audit_verify", every=jobs.Daily(at=datetime.time(2, 30)))
def audit_verify(*, period: str) -> dict:
    """Recompute the whole chain; a break is told to every administrator and audited itself."""
    verdict = audit_chain.verify(anchor=audit_chain.latest_anchor())
    if not verdict.intact:
        logger.error("audit chain broken at seal_seq %s (event %s): %s", verdict.broken_at,
                     verdict.event_id, verdict.reason)  # fmt: skip
        audit.record(
            actor=None, action="audit.chain_broken",
            changes={"seal_seq": verdict.broken_at, "event": verdict.event_id, "reason": verdict.reason},
        )  # fmt: skip
        notify.send(
            kind="core.audit_broken",
            recipients=role_holders({Role.ADMIN}),
            params={"seq": verdict.broken_at, "reason": _broken_reason(verdict.reason)},
            url=reverse("audit_log"),
        )
    return {
        "intact": verdict.intact, "checked": verdict.checked, "unsealed": verdict.unsealed,
        "broken_at": verdict.broken_at, "event_id": verdict.event_id, "reason": verdict.reason,
    }  # fmt: skip


def _broken_reason(reason: str):
    """The reason, as text translated when the notice is read."""
    return {"changed": gettext_lazy("内容被改动"), "missing": gettext_lazy("记录缺失")}.get(
        reason, reason
    )
