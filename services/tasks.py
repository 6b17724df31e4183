"""Background work of the services app: supervision on the working-day calendar."""

import datetime

from core import jobs
from services import supervision


@jobs.periodic("services.warn_due", every=jobs.Hourly(minute=5))
def warn_due(*, period: str) -> dict:
    """Yellow and red warnings, 催办 and escalation, once an hour (safe to run twice)."""
    return supervision.warn_due()


NEW_REQUESTS_EVERY = datetime.timedelta(minutes=10)


@jobs.periodic("services.new_requests_notice", every=jobs.Every(interval=NEW_REQUESTS_EVERY))
def new_requests_notice(*, period: str) -> dict:
    """Tell each district's dispatchers how many requests arrived in the ten minutes before this
    slot and still wait for acceptance (one notice per district, not one per submission)."""
    from django.utils import timezone

    from services.services.notices import tell_dispatchers_of_new, tell_followers_of_new

    until = datetime.datetime.fromisoformat(period).replace(tzinfo=jobs.local_tz())
    until = timezone.localtime(until)
    since = until - NEW_REQUESTS_EVERY
    counts = tell_dispatchers_of_new(since=since, until=until)
    # and those who follow a place or an item (issue #15 item 3)
    return counts | {"followers": tell_followers_of_new(since=since, until=until)}


@jobs.periodic("services.overdue_lists", every=jobs.Daily(at=datetime.time(8, 30)))
def overdue_lists(*, period: str) -> dict:
    """Each department's overdue list, every working day at 08:30."""
    return supervision.overdue_lists(datetime.date.fromisoformat(period))


@jobs.periodic("services.retrain_routing", every=jobs.Daily(at=datetime.time(2, 30)))
def retrain_routing(*, period: str) -> dict:
    """Retrain each district's routing classifier from the catalogue and past dispatches."""
    from services import routing

    return routing.retrain_all()
