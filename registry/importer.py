"""Imports of department files: read streaming, find the header, map, check, match, commit.

Files are read row by row (openpyxl read-only for .xlsx; csv with the encoding detected from
the first bytes, GBK included, any line ends), so a million-row file never sits in memory.
The dry run (`check`) writes one ImportRow per data row with its cleaned values, errors and
match; `commit` applies them all in one transaction, or nothing.

The steps live in registry.importing: reading (the file), header (titles, mapping, places by
name), rows (one row's checks), matching (people, staging), commit (one chunk's writes).
"""

import io
import os

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from core import audit, clock, file_crypto
from core.models import Person, Place
from registry import progress, services
from registry.importing import parallel
from registry.importing.commit import Staged, commit_chunk
from registry.importing.header import Places, find_header, mapping_for
from registry.importing.matching import stage_chunk
from registry.importing.reading import (
    FileRejected,
    cell_text,
    detect_encoding,
    estimate_rows,
    file_digest,
    read_rows,
)
from registry.importing.rows import FileCheck, check_cells, finish_row, is_total
from registry.models import (
    Building,
    Fact,
    House,
    Household,
    ImportBatch,
    ImportRow,
    Residence,
    Unit,
)

CHUNK = 2000  # rows matched, staged and committed together (and the progress step)
ANALYZE_AFTER_ROWS = 10_000  # a commit writing this many people refreshes the statistics

__all__ = [
    "CHUNK",
    "FileRejected",
    "check",
    "commit",
    "detect_encoding",
    "error_report",
    "estimate_rows",
    "file_digest",
    "read_rows",
    "refresh_statistics",
]


# ---------------------------------------------------------------- the dry run


def check(batch: ImportBatch) -> ImportBatch:
    """Read the file, clean and match every row, store the results. Writes no registry data."""
    batch = ImportBatch.objects.select_related("source", "district").get(pk=batch.pk)
    district = batch.district
    ImportRow.objects.filter(batch=batch).delete()
    batch.status = ImportBatch.Status.CHECKING
    batch.rows_total = batch.rows_done = batch.rows_ok = batch.rows_bad = 0
    batch.rows_unchanged = batch.rows_to_confirm = 0
    batch.message = ""
    try:
        # The stored file is encrypted; the dry run reads a private plaintext copy, removed
        # when it ends (core.file_crypto).
        suffix = os.path.splitext(batch.filename)[1].lower()  # openpyxl goes by the extension
        with file_crypto.plaintext_copy(batch.file.path, suffix=suffix) as path:
            batch.rows_expected = estimate_rows(path, batch.filename)
            batch.save()
            progress.step_started(batch.pk)
            _check_rows(batch, district, path)
    except file_crypto.DamagedFile:
        return _rejected(batch, _("保存的文件无法解密（已损坏或密钥已更换），请重新上传。"))
    except FileRejected as exc:
        return _rejected(batch, str(exc))
    batch.status = ImportBatch.Status.CHECKED
    batch.save()
    progress.clear(batch.pk)
    return batch


def _rejected(batch: ImportBatch, message: str) -> ImportBatch:
    progress.clear(batch.pk)
    ImportRow.objects.filter(batch=batch).delete()
    batch.status = ImportBatch.Status.REJECTED
    batch.message = message
    batch.rows_ok = batch.rows_bad = batch.rows_unchanged = batch.rows_to_confirm = 0
    batch.save()
    return batch


def _check_rows(batch: ImportBatch, district: Place, path: str) -> None:
    fields = services.ensure_fields(district)
    rows = read_rows(path, batch.filename)
    titles, first_line, rest = find_header(rows, district, batch.source.mapping)
    mapping = mapping_for(titles, batch.source.mapping or {}, district)
    batch.headers = [{"title": t, "key": mapping.get(i, "")} for i, t in enumerate(titles) if t]
    if "name" not in mapping.values():
        raise FileRejected(_("没有找到“姓名”列，请在列映射中指定。"))
    if "id_number" not in mapping.values() and "birth_date" not in mapping.values():
        raise FileRejected(_("至少需要“公民身份号码”或“出生日期”列，才能核对人员。"))
    batch.save(update_fields=["headers"])
    file = FileCheck(batch, titles, mapping, fields, Places(district))
    chunk: list[ImportRow] = []
    for row in _row_checks(file, _data_lines(rest, first_line), batch.rows_expected):
        chunk.append(finish_row(file, row))
        if len(chunk) >= CHUNK:
            stage_chunk(batch, chunk, fields)
            chunk = []
    if chunk:
        stage_chunk(batch, chunk, fields)
    for i, key in mapping.items():
        if key == "id_number":
            file.id_column.refuse_if_cut(file.titles[i])
    if batch.rows_total == 0:
        raise FileRejected(_("表头下面没有数据行。"))


def _data_lines(rest, first_line: int):
    """(line, cells, texts) of each data row: blank and total lines left out."""
    for line, cells in enumerate(rest, start=first_line):
        texts = [cell_text(c) for c in cells]
        if any(texts) and not is_total(texts):
            yield line, cells, texts


def _row_checks(file: FileCheck, lines, rows_expected: int):
    """Each data row's own checks (rows.check_cells), in file order: in worker processes for a
    large file (registry.importing.parallel), else here."""
    n = parallel.use_workers(rows_expected)
    if n:
        yield from parallel.checked_rows(file, lines, n)
    else:
        for line, cells, texts in lines:
            yield check_cells(file, line, cells, texts)


# ---------------------------------------------------------------- the commit


def commit(batch: ImportBatch, actor) -> dict:
    """Apply every row in one transaction; any failure leaves nothing written."""
    with clock.moment(), transaction.atomic():
        batch = (
            ImportBatch.objects.select_for_update()
            .select_related("source__department")
            .get(pk=batch.pk)
        )
        if batch.status == ImportBatch.Status.COMMITTED:
            return batch.summary
        if batch.status != ImportBatch.Status.COMMITTING or batch.rows_bad or batch.rows_to_confirm:
            raise ValidationError(_("这批数据还有错误或待确认的行，不能导入。"))
        if connection.vendor == "postgresql":
            # Check foreign keys as each chunk is written rather than all at the end: a
            # million-row commit would otherwise queue tens of millions of checks in memory.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        outcomes = _commit_rows(batch, actor)
        batch.status = ImportBatch.Status.COMMITTED
        batch.committed_at = clock.now()
        batch.rows_done = batch.rows_total
        batch.summary = outcomes
        batch.save()
        audit.record(
            actor=actor, action="registry.import_commit", obj=batch, place=batch.district,
            changes={"file": batch.filename, "rows": batch.rows_total, **outcomes},
        )  # fmt: skip
    progress.clear(batch.pk)
    # Every row is in the registry now: the file, with its full numbers, is not kept.
    services.import_file_delete(batch=batch, reason="committed")
    if connection.vendor == "postgresql" and (
        outcomes["created"] + outcomes["updated"] >= ANALYZE_AFTER_ROWS
    ):
        refresh_statistics()
    return outcomes


def _commit_rows(batch: ImportBatch, actor) -> dict:
    """Commit the staged rows chunk by chunk (the progress stored after each); the outcomes."""
    fields = services.ensure_fields(batch.district)
    places = Places(batch.district)
    outcomes = {"created": 0, "updated": 0, "current": 0, "agrees": 0, "conflict": 0,
                "unchanged": 0}  # fmt: skip
    rows = (
        ImportRow.objects.filter(batch=batch)
        .exclude(status="unchanged")
        .order_by("line")
        .values_list("person_id", "data")
    )
    chunk: list[Staged] = []
    done = 0
    progress.set_done(batch.pk, 0)
    progress.step_started(batch.pk)
    for person_id, data in rows.iterator(chunk_size=CHUNK):
        chunk.append(Staged(person_id, data))
        if len(chunk) >= CHUNK:
            commit_chunk(chunk, batch, actor, fields, places, outcomes)
            done += len(chunk)
            progress.set_done(batch.pk, done)
            chunk = []
    if chunk:
        commit_chunk(chunk, batch, actor, fields, places, outcomes)
    outcomes["unchanged"] += batch.rows_unchanged
    return outcomes


def refresh_statistics() -> None:
    """ANALYZE the tables an import fills. After a large import the planner's statistics still
    describe the tables as they were (a new district's million residents counted as none)
    until autovacuum comes round, and its plans for the lists and reports go wrong meanwhile:
    a 10,000-resident report took 400 ms instead of 70 ms."""
    tables = [m._meta.db_table for m in (Person, Residence, Household, House, Building, Unit,
                                         Fact)]  # fmt: skip
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(qn(t) for t in tables))


# ---------------------------------------------------------------- the error report


def error_report(batch: ImportBatch) -> io.BytesIO:
    """Every row with its status and errors, as an Excel file (written streaming)."""
    from core.exports import SafeWorkbook

    workbook = SafeWorkbook(write_only=True)
    sheet = workbook.create_sheet(_("检查结果"))
    keys = [
        h["key"]
        for h in batch.headers
        if h["key"] and h["key"] not in ("street", "community", "remark")
    ]
    titles = [h["title"] for h in batch.headers if h["key"] in keys]
    sheet.append([_("原文件行号"), _("检查结果"), _("错误说明"), *titles])
    status_labels = dict(ImportRow.Status.choices)
    for row in ImportRow.objects.filter(batch=batch).order_by("line").iterator(chunk_size=2000):
        shown = row.data.get("shown", {})
        sheet.append(
            [row.line, str(status_labels.get(row.status, row.status)), "；".join(row.errors),
             *[shown.get(k, "") for k in keys]]
        )  # fmt: skip
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out
