"""Heartbeats of long background tasks, so a task whose worker died is seen as such.

A long task (a registry import's dry run or commit) runs inside ``kept_alive(name)``: a thread
of the worker writes the time every ``BEAT_SECONDS`` while the task runs, and the name is
cleared when it ends. A beat older than ``LEASE_SECONDS`` means the process is gone (killed,
out of memory, the machine restarted): a watcher job, or a page, can say so and offer to start
again. No beat at all means the task has not started yet (still queued).

The beats must be readable while the task's own transaction is still open and from other
processes, so they are kept outside the database: in the shared cache (Redis) when one is
configured, else in small files under LINLI_VAR_DIR, which the web processes and the worker of
one machine share (``shared_put`` / ``shared_get``, also used for import progress).
"""

from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

BEAT_SECONDS = 10
LEASE_SECONDS = 30
TIMEOUT = 24 * 3600


def _shared_cache() -> bool:
    return "locmem" not in settings.CACHES["default"]["BACKEND"].lower()


def _path(key: str) -> Path:
    return Path(settings.VAR_DIR) / "progress" / key.replace(":", "-")


def shared_put(key: str, value) -> None:
    if _shared_cache():
        cache.set(key, value, TIMEOUT)
        return
    path = _path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    partial.write_text(str(value))
    partial.replace(path)  # atomic: a reader sees the old value or the new one


def shared_get(key: str, kind):
    if _shared_cache():
        return kind(cache.get(key) or 0)
    try:
        return kind(_path(key).read_text() or 0)
    except (OSError, ValueError):
        return kind(0)


def shared_delete(key: str) -> None:
    if _shared_cache():
        cache.delete(key)
    else:
        _path(key).unlink(missing_ok=True)


def _key(name: str) -> str:
    return f"heartbeat:{name}"


def beat(name: str) -> None:
    shared_put(_key(name), time.time())


def last_beat(name: str) -> float | None:
    """When the task last beat (seconds since the epoch), or None if it never did."""
    return shared_get(_key(name), float) or None


def is_dead(name: str, now: float | None = None) -> bool:
    """The task beat once and then stopped for longer than the lease."""
    last = last_beat(name)
    return last is not None and (now or time.time()) - last > LEASE_SECONDS


def clear(name: str) -> None:
    shared_delete(_key(name))


@contextlib.contextmanager
def kept_alive(name: str, every: float = BEAT_SECONDS):
    """Beat for `name` while the block runs (a daemon thread, so it dies with the process)."""
    stop = threading.Event()

    def keep_beating():
        while not stop.wait(every):
            beat(name)

    beat(name)
    thread = threading.Thread(target=keep_beating, name=f"heartbeat {name}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        clear(name)
