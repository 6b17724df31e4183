"""Progress of a long import, readable while the import's own transaction is still open.

The dry run stores its counts on the batch as it goes (it runs outside one transaction); the
commit runs in one transaction, so its row count is kept here instead: in the shared cache
(Redis) when one is configured, else in a small file under LINLI_VAR_DIR, which the web
processes and the worker of one machine share.
"""

import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

TIMEOUT = 24 * 3600


def _shared_cache() -> bool:
    return "locmem" not in settings.CACHES["default"]["BACKEND"].lower()


def _path(batch_id: int, what: str) -> Path:
    suffix = "" if what == "done" else f"-{what}"
    return Path(settings.VAR_DIR) / "progress" / f"import-{batch_id}{suffix}"


def _put(batch_id: int, what: str, value) -> None:
    if _shared_cache():
        cache.set(f"registry:import:{batch_id}:{what}", value, TIMEOUT)
        return
    path = _path(batch_id, what)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    partial.write_text(str(value))
    partial.replace(path)  # atomic: a reader sees the old value or the new one


def _get(batch_id: int, what: str, kind):
    if _shared_cache():
        return kind(cache.get(f"registry:import:{batch_id}:{what}") or 0)
    try:
        return kind(_path(batch_id, what).read_text() or 0)
    except (OSError, ValueError):
        return kind(0)


def set_done(batch_id: int, done: int) -> None:
    _put(batch_id, "done", done)


def get_done(batch_id: int) -> int:
    return _get(batch_id, "done", int)


def step_started(batch_id: int, at: float | None = None) -> None:
    """A step (the dry run or the commit) starts now: the time left is reckoned from here."""
    _put(batch_id, "started", time.time() if at is None else at)


def get_started(batch_id: int) -> float:
    return _get(batch_id, "started", float)


def clear(batch_id: int) -> None:
    for what in ("done", "started"):
        if _shared_cache():
            cache.delete(f"registry:import:{batch_id}:{what}")
        else:
            _path(batch_id, what).unlink(missing_ok=True)
