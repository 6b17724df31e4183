"""Background work of the time bank: the nightly reconciliation of the hour ledger."""

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from core import jobs
from core import services as core_services
from core.models import Place, Role
from core.selectors import role_holders
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
        for user in role_holders({Role.ADMIN, Role.COORDINATOR}, places=[district]):
            core_services.notify(
                user=user,
                title=_("时间银行对账发现%(n)d处不一致") % {"n": len(problems)},
                body=_("%(d)s的时间银行账本对账不一致（%(kinds)s），请立即核查。")
                % {"d": district.name, "kinds": "、".join(kinds)},
                url=reverse("timebank:ledger"),
            )
            sent += 1
    return sent
