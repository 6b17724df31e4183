"""Where other apps tell workforce that a worker's year does not count towards grade
progression (a poor annual assessment, a sanction), without workforce importing them.

An app registers a source in its AppConfig.ready()::

    from workforce import hooks

    def paused(people: dict[int, int], up_to_year: int) -> dict[int, dict[int, str]]:
        # people: {worker id: core person id}; answer {worker id: {year: reason}}
        return {worker_id: {2026: "2026年度考核不称职"}, ...}

    hooks.register_pause_source("oversight", paused)

A source answers for many workers at once (one query, not one per worker) and must only read.
The district's own records (workforce.ProgressionPause) are one more source.
"""

from collections.abc import Callable

PauseSource = Callable[[dict[int, int], int], dict[int, dict[int, str]]]
_sources: dict[str, PauseSource] = {}


def register_pause_source(name: str, source: PauseSource) -> None:
    _sources[name] = source


def unregister_pause_source(name: str) -> None:
    _sources.pop(name, None)


def paused_years(worker_ids: list[int], up_to_year: int) -> dict[int, dict[int, str]]:
    """{worker id: {year: reason}} from the district's records and every registered source."""
    from workforce.models import ProgressionPause, Worker

    found: dict[int, dict[int, str]] = {}
    for worker_id, year, reason in ProgressionPause.objects.filter(
        worker_id__in=worker_ids, year__lte=up_to_year
    ).values_list("worker_id", "year", "reason"):
        found.setdefault(worker_id, {})[year] = reason
    if not _sources:
        return found
    people = dict(Worker.objects.filter(pk__in=worker_ids).values_list("pk", "person_id"))
    for source in list(_sources.values()):
        for worker_id, years in (source(people, up_to_year) or {}).items():
            for year, reason in years.items():
                if year <= up_to_year:
                    found.setdefault(worker_id, {}).setdefault(year, reason)
    return found
