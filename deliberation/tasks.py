"""Background work of deliberation: the day-before reminder to those registered for a meeting,
once a day (core.jobs runs a day's period once, so each meeting reminds once)."""

import datetime

from core import jobs


@jobs.periodic("deliberation.meeting_reminders", every=jobs.Daily(at=datetime.time(9, 0)))
def meeting_reminders(*, period: str) -> dict:
    """Remind the registered participants of tomorrow's meetings."""
    from deliberation import notices

    return notices.remind_tomorrow(today=datetime.date.fromisoformat(period))
