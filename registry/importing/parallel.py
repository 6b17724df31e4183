"""Checking a large file's rows in worker processes (issue #19 item 7).

Most of a dry run is each row's own checks: every cell cleaned, the ID and phone numbers
encrypted and hashed, the row's place found (rows.check_cells). They need no other row and no
database, so worker processes, forked from the one running the dry run, do them for chunks of
rows, while this process reads the file, finishes each row in file order (the checks against
the rows before it: the same ID number twice, households; rows.finish_row) and stages it.

The results are the same as checking every row here (registry/tests/test_import_parallel.py
proves it): the workers see the same FileCheck (forked, read-only) and hand back each row's
RowCheck in order. At most a few chunks are in flight, so a million-row file never sits in
memory. The workers are forked while this process holds its database connection and its
heartbeat thread runs (core.heartbeat): they touch neither the database nor the cache, and
end without closing what they inherited. Small files (below PARALLEL_FROM rows) and machines
with one core are checked here.
The workers do most of a row's work (cleaning, encrypting, hashing, the staged row's JSON and
key; about two thirds of the dry run's CPU), this process the rest (reading, the file-wide
checks, matching, staging): so there is one worker per core, not one per core but one, which
left a two-core machine's second core mostly idle while the one worker fell behind. On a
two-core machine shared with other work the bench measured no gain (registry_import in
docs/benchmarks.md): the workers pay off where cores are free.
"""

import collections
import multiprocessing
import os
from collections.abc import Iterator

from django.conf import settings

from registry import bulk
from registry.importing.rows import FileCheck, RowCheck, check_cells

PARALLEL_FROM = 20_000  # rows expected (the estimate before the dry run)
CHUNK_ROWS = 500  # rows a worker checks per task
IN_FLIGHT = 4  # tasks per worker queued at once

_file: FileCheck | None = None  # what the forked workers check against (inherited, read-only)


def workers() -> int:
    """Worker processes for a large dry run: IMPORT_CHECK_WORKERS (a setting) or
    LINLI_IMPORT_WORKERS (the environment), else one per core (this process reads, finishes
    and stages the rows meanwhile, about a third of the work), none on one core; 0 checks
    every row in this process."""
    wanted = getattr(settings, "IMPORT_CHECK_WORKERS", None)
    if wanted is None:
        wanted = os.environ.get("LINLI_IMPORT_WORKERS", "")
    try:
        return max(0, int(wanted))
    except (TypeError, ValueError):
        cores = os.cpu_count() or 1
        return cores if cores > 1 else 0


def use_workers(rows_expected: int) -> int:
    """How many workers to check a file of about this many rows with (0: none)."""
    n = workers()
    if (
        n < 1
        or rows_expected < PARALLEL_FROM
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return 0
    return n


def _check_chunk(chunk: list[tuple[int, list, list[str]]]) -> list[RowCheck]:
    rows = [check_cells(_file, line, cells, texts) for line, cells, texts in chunk]
    for row in rows:  # places go back by key: the parent has the same ones (Places.by_id)
        row.community = row.community.pk if row.community is not None else None
        row.grid = row.grid.pk if row.grid is not None else None
        row.data = bulk.EncodedJson(row.data)  # its JSON written here, not in the parent
    return rows


def _chunks(lines: Iterator[tuple[int, list, list[str]]]) -> Iterator[list]:
    chunk = []
    for item in lines:
        chunk.append(item)
        if len(chunk) >= CHUNK_ROWS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def checked_rows(file: FileCheck, lines: Iterator[tuple[int, list, list[str]]], n: int):
    """Each (line, cells, texts) of `lines` through rows.check_cells in `n` forked workers,
    in order, as RowChecks with their places as in this process."""
    global _file
    _file = file
    by_id = file.places.by_id
    context = multiprocessing.get_context("fork")
    pending: collections.deque = collections.deque()
    try:
        with context.Pool(n) as pool:
            for chunk in _chunks(lines):
                pending.append(pool.apply_async(_check_chunk, (chunk,)))
                if len(pending) >= n * IN_FLIGHT:
                    yield from _placed(pending.popleft().get(), by_id)
            while pending:
                yield from _placed(pending.popleft().get(), by_id)
    finally:
        _file = None


def _placed(rows: list[RowCheck], by_id: dict) -> list[RowCheck]:
    for row in rows:
        row.community = by_id.get(row.community) if row.community is not None else None
        row.grid = by_id.get(row.grid) if row.grid is not None else None
    return rows
