"""Deliberation as a source of the burden index's time (workload.hooks, issue #13 item 6):
every meeting held in a community — 协商议事会, 听证会, 居民代表会议 — is residents'
self-government (居民自治) work of its community workers, counted in the local month of its
start once it has been held.

``MEETING_MINUTES`` is an estimate of a meeting's whole cost to the community (notice,
registration, the meeting, minutes), as workload.sources' step figures are estimates; a community
corrects it with a typed time log where its meetings run longer.
"""

import datetime

from django.db.models import Count
from django.db.models.functions import TruncMonth

MEETING_MINUTES = 180


def meetings_held(community_ids, first_month: datetime.date, last_month: datetime.date):
    """(community_id, month, "self_government", minutes) of the meetings held."""
    from deliberation.models import Meeting

    end = (last_month.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    rows = (
        Meeting.objects.filter(
            community_id__in=list(community_ids),
            held_at__isnull=False,
            starts_at__date__gte=first_month.replace(day=1),
            starts_at__date__lt=end,
        )
        .annotate(month=TruncMonth("starts_at"))
        .values_list("community_id", "month")
        .annotate(n=Count("id"))
        .order_by()
    )
    for community_id, month, n in rows:
        day = month.date() if isinstance(month, datetime.datetime) else month
        yield community_id, day.replace(day=1), "self_government", n * MEETING_MINUTES


def register() -> None:
    """Called from DeliberationConfig.ready()."""
    from workload import hooks

    hooks.register_time_source("deliberation", meetings_held)
