"""Background work of the time bank: the nightly reconciliation of the hour ledger."""

import datetime

from django.urls import reverse

from core import jobs
from core.models import Place, Role
from core.selectors import role_holders
from notify import services as notify
from timebank import services

RECONCILE_JOB = "timebank.reconcile"


@jobs.periodic(RECONCILE_JOB, every=jobs.Daily(at=datetime.time(2, 30)))
def reconcile_ledger(*, period: str) -> dict:
    """Recompute every balance and the hash chain; alert the district's admins on a mismatch.

    Reads only, so running it twice is harmless; the JobRun keeps the result either way.
    """
    result = services.reconcile()
    if result["problem_count"]:
        alert_mismatch(result)
    return result


def alert_mismatch(result: dict) -> int:
    """Notify administrators and coordinators of every district with a problem."""
    districts = sorted({p["district"] for p in result["problems"] if "district" in p})
    sent = 0
    for district in Place.objects.filter(pk__in=districts):
        problems = [p for p in result["problems"] if p.get("district") == district.pk]
        kinds = sorted({p["kind"] for p in problems})
        users = list(role_holders({Role.ADMIN, Role.COORDINATOR}, places=[district]))
        notify.send(
            kind="timebank.ledger_mismatch",
            recipients=users,
            params={"n": len(problems), "d": district.name, "kinds": "、".join(kinds)},
            url=reverse("timebank:ledger"),
        )
        sent += len(users)
    return sent
