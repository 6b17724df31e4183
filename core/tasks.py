"""Background work of core: the periodic jobs the scheduler enqueues and a worker runs."""

import datetime
from importlib import import_module

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from core import calendar, jobs, services
from core.models import Role
from core.selectors import role_holders

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
        for admin in admins:
            services.notify(
                user=admin,
                title=_("请录入%(year)d年节假日安排") % {"year": year},
                body=_(
                    "系统内置的法定节假日数据不含%(year)d年。在录入国务院办公厅公布的"
                    "%(year)d年节假日安排并标记“已录入”之前，该年的工作日按周一至周五推算，"
                    "跨入该年的办理期限可能不准确。"
                )
                % {"year": year},
                url=reverse("calendar") + f"?year={year}",
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
