"""Progress of a long import, readable while the import's own transaction is still open.

The dry run stores its counts on the batch as it goes (it runs outside one transaction); the
commit runs in one transaction, so its row count is kept here instead: in the shared cache
(Redis) when one is configured, else in a small file under LINLI_VAR_DIR, which the web
processes and the worker of one machine share (core.heartbeat's shared store).
"""

import time

from core.heartbeat import shared_delete, shared_get, shared_put


def _key(batch_id: int, what: str) -> str:
    return f"registry:import:{batch_id}:{what}"


def _put(batch_id: int, what: str, value) -> None:
    shared_put(_key(batch_id, what), value)


def _get(batch_id: int, what: str, kind):
    return shared_get(_key(batch_id, what), kind)


def lease(batch_id: int, step: str) -> str:
    """The heartbeat name of a batch's running step ("check" or "commit"; core.heartbeat)."""
    return f"registry-import-{batch_id}-{step}"


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
        shared_delete(_key(batch_id, what))
