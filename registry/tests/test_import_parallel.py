"""A large file's dry run checks its rows in worker processes (registry.importing.parallel,
issue #19 item 7): the staged rows are the same as when every row is checked in one process,
row by row (status, errors, cleaned values decrypted, matches, place), and the file-wide checks
(the same ID number twice, household numbers, the ID column cut by Excel) still see every row
in file order."""

import pytest

from core import personal_data
from registry.importing import parallel
from registry.models import ImportBatch, ImportRow
from registry.tests.test_id_truncation import csv_of, valid_numbers
from registry.tests.test_import import CSV, XLSX, checked, officer

pytestmark = pytest.mark.django_db


def _staged(batch, fields=("values", "shown")) -> list[tuple]:
    """Every staged row, its encrypted values decrypted (each encryption has its own nonce)."""
    out = []
    for row in ImportRow.objects.filter(batch=batch).order_by("line"):
        data = dict(row.data)
        stored = {
            k: personal_data.decrypt(v) if k in ("id_number", "phone") else v
            for k, v in data.pop("values").items()
        }
        out.append((row.line, row.key, row.status, row.errors, stored, data, row.person_id,
                    row.candidates))  # fmt: skip
    return out


def _dry_runs(world, settings, monkeypatch, content, name, code="mz"):
    settings.IMPORT_CHECK_WORKERS = 0
    alone = checked(world, officer(world), code, content, name=name)
    settings.IMPORT_CHECK_WORKERS = 2
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 0)
    monkeypatch.setattr(parallel, "CHUNK_ROWS", 7)  # many chunks, several in flight
    assert parallel.use_workers(alone.rows_expected) == 2
    forked = checked(world, officer(world), code, content, name=name)
    return alone, forked


@pytest.mark.parametrize("path", [CSV, XLSX], ids=["police-csv", "civil-affairs-xlsx"])
def test_workers_stage_what_one_process_stages(world, settings, monkeypatch, path):
    alone, forked = _dry_runs(world, settings, monkeypatch, path.read_bytes(), path.name)
    assert alone.status == forked.status == ImportBatch.Status.CHECKED
    counts = ("rows_total", "rows_ok", "rows_bad", "rows_unchanged", "rows_to_confirm")
    assert [getattr(forked, c) for c in counts] == [getattr(alone, c) for c in counts]
    assert alone.rows_bad > 0  # the sample files' bad rows are found either way
    assert _staged(forked) == _staged(alone)


def test_workers_still_see_repeats_and_the_cut_id_column(world, settings, monkeypatch):
    numbers = valid_numbers(30, ending_000=False)
    repeated = csv_of(numbers + numbers[:3])  # the last three repeat the first three
    alone, forked = _dry_runs(world, settings, monkeypatch, repeated, "again.csv")
    assert forked.rows_bad == alone.rows_bad == 3
    assert _staged(forked) == _staged(alone)
    cut = csv_of([n[:15] + "000" for n in numbers[:6]] + numbers[6:])
    alone, forked = _dry_runs(world, settings, monkeypatch, cut, "excel.csv")
    assert forked.status == alone.status == ImportBatch.Status.REJECTED
    assert forked.message == alone.message
