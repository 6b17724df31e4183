"""Where other apps add community time to the burden index's shares (no app reads another's
tables: each app answers for its own time).

A source is a function ``(community_ids, first_month, last_month) -> iterable of
(community_id, month, category, minutes)``, with ``month`` the first day of a local month and
``category`` "service" (为民服务), "self_government" (居民自治) or "administration" (行政事务:
meetings and inspections; tasks that came through the admission gate count their logged time
already). workload.sources registers what Linli records itself.

Register a source from the app's ``AppConfig.ready()``::

    from workload import hooks
    hooks.register_time_source("services", services.selectors.minutes_by_community_month)

Minutes a source reports are added, at read time, to what community workers log themselves
(``workload.services.time_log``); a community should log by hand only what no app records.
"""

import datetime
from collections.abc import Callable, Iterable

CATEGORIES = ("service", "self_government", "administration")

TimeSource = Callable[
    [list[int], datetime.date, datetime.date], Iterable[tuple[int, datetime.date, str, int]]
]
_sources: dict[str, TimeSource] = {}


def register_time_source(name: str, source: TimeSource) -> None:
    """Add (or replace, by name) a source of community time."""
    _sources[name] = source


def unregister_time_source(name: str) -> None:
    _sources.pop(name, None)


def external_minutes(
    community_ids: list[int], first_month: datetime.date, last_month: datetime.date
) -> dict[tuple[int, datetime.date], dict[str, int]]:
    """{(community, month): {category: minutes}} from every registered source."""
    result: dict[tuple[int, datetime.date], dict[str, int]] = {}
    for source in list(_sources.values()):
        for community_id, month, category, minutes in source(
            community_ids, first_month, last_month
        ):
            if category not in CATEGORIES or not minutes:
                continue
            bucket = result.setdefault((community_id, month.replace(day=1)), {})
            bucket[category] = bucket.get(category, 0) + int(minutes)
    return result


# ---------------------------------------------------------------- work moved to organisations

# A transfer source answers which admitted items' work moved away from communities, and when:
# ``(community_ids, first_day, last_day) -> iterable of dicts`` with ``community_id``,
# ``item_id``, ``item_number``, ``item_title``, ``organisation``, ``starts_on``, ``ends_on``
# (the last day the work was away) and ``url`` (where its delivery is tracked). civic registers
# its purchase-of-service contracts (承接政府转移职能, issue #18 item 3): while one is in force the
# item's tasks are not dispatched to the community and its burden excludes the item (已转移).
TransferSource = Callable[[list[int], datetime.date, datetime.date], Iterable[dict]]
_transfer_sources: dict[str, TransferSource] = {}


def register_transfer_source(name: str, source: TransferSource) -> None:
    _transfer_sources[name] = source


def transfers(community_ids: list[int], first_day: datetime.date, last_day: datetime.date) -> list:
    """Every transfer of work away from these communities overlapping [first_day, last_day]."""
    found = []
    for source in list(_transfer_sources.values()):
        found.extend(source(community_ids, first_day, last_day))
    return found
