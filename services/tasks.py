"""Background work of the services app: supervision on the working-day calendar."""

import datetime

from core import jobs
from services import supervision


@jobs.periodic("services.warn_due", every=jobs.Hourly(minute=5))
def warn_due(*, period: str) -> dict:
    """Yellow and red warnings, 催办 and escalation, once an hour (safe to run twice)."""
    return supervision.warn_due()


@jobs.periodic("services.overdue_lists", every=jobs.Daily(at=datetime.time(8, 30)))
def overdue_lists(*, period: str) -> dict:
    """Each department's overdue list, every working day at 08:30."""
    return supervision.overdue_lists(datetime.date.fromisoformat(period))


@jobs.periodic("services.retrain_routing", every=jobs.Daily(at=datetime.time(2, 30)))
def retrain_routing(*, period: str) -> dict:
    """Retrain each district's routing classifier from the catalogue and past dispatches."""
    from services import routing

    return routing.retrain_all()
