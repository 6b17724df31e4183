"""Progress of a long import, readable while the import's own transaction is still open.

The dry run stores its counts on the batch as it goes (it runs outside one transaction); the
commit runs in one transaction, so its row count is kept here instead: in the shared cache
(Redis) when one is configured, else in a small file under LINLI_VAR_DIR, which the web
processes and the worker of one machine share.
"""

from pathlib import Path

from django.conf import settings
from django.core.cache import cache

TIMEOUT = 24 * 3600


def _shared_cache() -> bool:
    return "locmem" not in settings.CACHES["default"]["BACKEND"].lower()


def _path(batch_id: int) -> Path:
    return Path(settings.VAR_DIR) / "progress" / f"import-{batch_id}"


def set_done(batch_id: int, done: int) -> None:
    if _shared_cache():
        cache.set(f"registry:import:{batch_id}:done", done, TIMEOUT)
        return
    path = _path(batch_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    partial.write_text(str(done))
    partial.replace(path)  # atomic: a reader sees the old count or the new one


def get_done(batch_id: int) -> int:
    if _shared_cache():
        return int(cache.get(f"registry:import:{batch_id}:done") or 0)
    try:
        return int(_path(batch_id).read_text() or 0)
    except (OSError, ValueError):
        return 0


def clear(batch_id: int) -> None:
    if _shared_cache():
        cache.delete(f"registry:import:{batch_id}:done")
    else:
        _path(batch_id).unlink(missing_ok=True)
