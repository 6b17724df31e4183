"""Imports of department files: sources, their column mapping, uploads, confirmations, commits.

The dry run and the commit themselves run as background jobs (registry.importer).
"""

import tempfile

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from core import audit, clock, file_crypto, heartbeat
from core.clock import one_write
from core.models import Department, Person
from core.validation import require_perm as _require
from registry import values
from registry.models import ImportBatch, ImportRow, ImportSource
from registry.services.fields import ensure_fields


@one_write
def import_source_create(*, actor, department: Department, name: str) -> ImportSource:
    _require(actor, "registry.import", department, _("您无权为该部门导入数据。"))
    name = values.text(name)
    if not name:
        raise ValidationError(_("请填写数据来源名称，如“高龄津贴发放名册”。"))
    source, created = ImportSource.objects.get_or_create(
        department=department, name=name[:100], defaults={"district": department.district}
    )
    if created:
        audit.record(actor=actor, action="registry.import_source_create", obj=source,
                     place=department.district, changes={"name": name})  # fmt: skip
    return source


MAPPING_KEYS = {"", "ignore", "street", "community", "remark"}


@one_write
def import_source_set_mapping(*, actor, source, mapping: dict[str, str]):
    """Save how this source's column titles map to registry fields (used by every later file)."""
    source = ImportSource.objects.select_for_update().get(pk=source.pk)
    _require(actor, "registry.import", source)
    fields = ensure_fields(source.district)
    clean = {}
    for title, key in mapping.items():
        if key not in MAPPING_KEYS and key not in fields:
            raise ValidationError(_("“%(t)s”映射到了未知字段。"), params={"t": title})
        clean[values.text(title).replace(" ", "")] = key or "ignore"
    used = [k for k in clean.values() if k not in MAPPING_KEYS]
    if len(used) != len(set(used)):
        raise ValidationError(_("同一个字段不能对应两列。"))
    changes = {"mapping": [source.mapping, clean]}
    source.mapping = clean
    source.save(update_fields=["mapping"])
    audit.record(actor=actor, action="registry.import_mapping", obj=source, changes=changes)
    return source


MAX_UPLOAD = 512 * 1024 * 1024


@one_write
def import_upload(*, actor, source, upload) -> ImportBatch:
    """Store an uploaded file as a batch and queue its dry run (a background job).

    A file this source already imported (same content) becomes a DUPLICATE batch: nothing to do.
    """
    from registry import importer, tasks

    _require(actor, "registry.import", source, _("您无权为该部门导入数据。"))
    name = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1][:200]
    if not name.lower().endswith((".xlsx", ".xlsm", ".csv", ".txt")):
        raise ValidationError(
            _("只支持.xlsx和.csv文件（旧版.xls请另存为.xlsx）。"), code="file_type"
        )
    if upload.size == 0:
        raise ValidationError(_("文件是空的。"), code="empty")
    if upload.size > MAX_UPLOAD:
        raise ValidationError(_("文件过大（最大512MB）。"), code="too_big")
    digest = importer.file_digest(upload)
    earlier = ImportBatch.objects.filter(
        source=source, file_hash=digest, status=ImportBatch.Status.COMMITTED
    ).first()
    batch = ImportBatch(
        district=source.district, source=source, filename=name, file_hash=digest,
        created_by=actor,
    )  # fmt: skip
    if earlier is not None:
        batch.status = ImportBatch.Status.DUPLICATE
        batch.message = _(
            "此文件已于%(at)s导入（批次%(id)d），内容完全相同，重新导入不会改变任何数据。"
        ) % {
            "at": clock.shown(earlier.committed_at, "%Y-%m-%d %H:%M"),
            "id": earlier.pk,
        }
    if batch.status == ImportBatch.Status.QUEUED:
        # Stored encrypted (core.file_crypto); a duplicate is not kept at all.
        _store_encrypted(batch, upload, f"{digest[:16]}-{name}.enc")
    batch.save()
    audit.record(actor=actor, action="registry.import_upload", obj=batch,
                 changes={"file": name, "source": str(source)})  # fmt: skip
    if batch.status == ImportBatch.Status.QUEUED:
        transaction.on_commit(lambda: tasks.check_import.enqueue(batch_id=batch.pk))
    return batch


def _store_encrypted(batch: ImportBatch, upload, name: str) -> None:
    upload.seek(0)
    with tempfile.TemporaryFile() as sealed:
        file_crypto.encrypt(upload, sealed)
        sealed.seek(0)
        batch.file.save(name, File(sealed), save=False)


@one_write
def import_file_delete(*, batch: ImportBatch, reason: str) -> bool:
    """Delete a batch's stored file (after its commit, or past IMPORT_FILE_DAYS); audited. The
    batch keeps its name, fingerprint, checked rows and summary. False if already gone."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if not batch.file:
        return False
    name = batch.file.name
    batch.file = ""
    batch.save(update_fields=["file"])
    audit.record(actor=None, action="registry.import_file_deleted", obj=batch,
                 changes={"file": batch.filename, "reason": reason})  # fmt: skip
    # The file goes once the row saying so is committed: a rollback keeps both.
    transaction.on_commit(lambda: batch.file.storage.delete(name))
    return True


def imports_mark_interrupted() -> list[int]:
    """Batches whose worker died in the middle of a step (its heartbeat stopped: core.heartbeat),
    marked so that a person can start again; the ids. A commit is all-or-nothing, so a dead
    commit wrote nothing: the batch is checked again and can be committed anew. A dead dry run
    is marked interrupted and can be checked again. A batch whose step finished meanwhile is
    left alone (the conditional update finds it in another state)."""
    from registry import progress

    S = ImportBatch.Status
    marked = []
    running = ImportBatch.objects.filter(status__in=[S.CHECKING, S.COMMITTING]).only("status")
    for batch in running:
        step = "check" if batch.status == S.CHECKING else "commit"
        lease = progress.lease(batch.pk, step)
        if not heartbeat.is_dead(lease):
            continue
        if step == "commit":
            becomes = S.CHECKED
            message = _("导入在写入过程中中断（后台处理进程意外退出）。整批导入是一个事务，没有写入"
                        "任何数据；请重新点击“确认导入”。")  # fmt: skip
        else:
            becomes = S.INTERRUPTED
            message = _("检查在进行中中断（后台处理进程意外退出）。请点击“重新检查”从头再查一遍。")
        with transaction.atomic():
            moved = ImportBatch.objects.filter(pk=batch.pk, status=batch.status).update(
                status=becomes, message=message
            )
            if moved:
                audit.record(actor=None, action="registry.import_interrupted", obj=batch,
                             changes={"step": step, "now": becomes})  # fmt: skip
                marked.append(batch.pk)
        heartbeat.clear(lease)
        progress.clear(batch.pk)
    return marked


@one_write
def import_recheck(*, actor, batch) -> ImportBatch:
    """Run the dry run again (after the mapping changed)."""
    from registry import tasks

    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    _require(actor, "registry.import", batch.source)
    if batch.status in (ImportBatch.Status.COMMITTED, ImportBatch.Status.COMMITTING,
                        ImportBatch.Status.DUPLICATE):  # fmt: skip
        raise ValidationError(_("这批数据已导入或正在导入，不能重新检查。"))
    if not batch.file:
        raise ValidationError(_("原文件已按保留期限删除，请重新上传。"), code="file_deleted")
    batch.status = ImportBatch.Status.QUEUED
    batch.save(update_fields=["status"])
    audit.record(actor=actor, action="registry.import_recheck", obj=batch)
    transaction.on_commit(lambda: tasks.check_import.enqueue(batch_id=batch.pk))
    return batch


@one_write
def import_confirm(*, actor, row, person: Person | None) -> None:
    """A person decides a fuzzy match: this existing person, or (None) a new person."""

    row = ImportRow.objects.select_for_update().select_related("batch__source").get(pk=row.pk)
    batch = ImportBatch.objects.select_for_update().get(pk=row.batch_id)
    _require(actor, "registry.import", batch.source)
    if row.status != ImportRow.Status.CONFIRM or batch.status != ImportBatch.Status.CHECKED:
        raise ValidationError(_("此行不需要确认。"))
    if row.data.get("id_warning") and not row.data.get("id_checked"):
        raise ValidationError(_("请先核对此行的身份证号。"), code="id_unchecked")
    if person is not None and person.pk not in row.candidates:
        raise ValidationError(_("只能从候选人员中选择。"))
    if person is not None and person.id_number_hash and row.data.get("id_hash"):
        raise ValidationError(_("该人员已有身份证号，与此行不同，不能合并。"))
    row.person, row.create_new, row.status = person, person is None, ImportRow.Status.OK
    row.save(update_fields=["person", "create_new", "status"])
    batch.rows_to_confirm -= 1
    batch.rows_ok += 1
    batch.save(update_fields=["rows_to_confirm", "rows_ok"])
    audit.record(actor=actor, action="registry.import_confirm", obj=batch,
                 changes={"line": row.line, "person": person.pk if person else "new"})  # fmt: skip


# The rows whose ID number ends in 000 and waits for a person's check (the key is absent until).
ID_NUMBERS_TO_CHECK = {
    "status": ImportRow.Status.CONFIRM, "data__id_warning": True, "data__id_checked__isnull": True
}  # fmt: skip


@one_write
def import_id_numbers_checked(*, actor, batch, row=None) -> int:
    """A person has checked ID numbers ending in 000 (the mark of a number cut by Excel) against
    the original papers and found them right: one row's, or (no row) every such row of the
    batch. A row that may also be someone already registered then still waits for that choice.
    The number of rows checked."""
    batch = ImportBatch.objects.select_for_update().select_related("source").get(pk=batch.pk)
    _require(actor, "registry.import", batch.source)
    waiting = ImportRow.objects.select_for_update().filter(batch=batch, **ID_NUMBERS_TO_CHECK)
    if row is not None:
        waiting = waiting.filter(pk=row.pk)
    rows = list(waiting)
    if batch.status != ImportBatch.Status.CHECKED or not rows:
        raise ValidationError(_("没有需要核对的身份证号。"), code="nothing_to_check")
    settled = 0
    for each in rows:
        each.data["id_checked"] = True
        if not each.candidates:
            each.status = ImportRow.Status.OK
            settled += 1
    ImportRow.objects.bulk_update(rows, ["data", "status"], batch_size=1000)
    batch.rows_to_confirm -= settled
    batch.rows_ok += settled
    batch.save(update_fields=["rows_to_confirm", "rows_ok"])
    audit.record(actor=actor, action="registry.import_id_checked", obj=batch,
                 changes={"lines": [each.line for each in rows][:100], "rows": len(rows)})  # fmt: skip
    return len(rows)


@one_write
def import_commit(*, actor, batch) -> ImportBatch:
    """Queue the all-or-nothing commit of a checked batch (a background job)."""
    from registry import tasks

    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    _require(actor, "registry.import", batch.source)
    if batch.status == ImportBatch.Status.DUPLICATE:
        raise ValidationError(batch.message)
    if not batch.can_commit:
        if batch.rows_bad:
            raise ValidationError(
                _("还有%(n)d行有错误：请下载检查结果，改正后重新上传。整批导入，不会只导入一部分。"),
                params={"n": batch.rows_bad}, code="bad_rows",
            )  # fmt: skip
        if batch.rows_to_confirm:
            raise ValidationError(
                _("还有%(n)d行待确认（疑似同一人，或身份证号需要核对）。"),
                params={"n": batch.rows_to_confirm}, code="to_confirm",
            )  # fmt: skip
        if batch.status == ImportBatch.Status.CHECKED and batch.rows_ok == 0:
            raise ValidationError(_("所有行都与已有数据一致，无需导入。"), code="nothing")
        raise ValidationError(
            _("这批数据不能导入（状态：%(s)s）。"), params={"s": batch.get_status_display()}
        )
    batch.status = ImportBatch.Status.COMMITTING
    batch.save(update_fields=["status"])
    transaction.on_commit(lambda: tasks.commit_import.enqueue(batch_id=batch.pk, actor_id=actor.pk))
    return batch
