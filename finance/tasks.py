"""Background work of finance: the street offices' notices, once a day (safe to run twice:
each matter is told once, finance.notices)."""

import datetime

from core import jobs


@jobs.periodic("finance.street_notices", every=jobs.Daily(at=datetime.time(8, 40)))
def street_notices(*, period: str) -> dict:
    from finance import notices

    return notices.tell_street_offices(today=datetime.date.fromisoformat(period))
