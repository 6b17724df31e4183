"""Background work of the registry: import dry runs and commits run in a worker, not a request."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from core import clock, heartbeat, jobs
from registry import importer, progress, services
from registry.models import ImportBatch


@jobs.retrying_task(attempts=3, base_delay=datetime.timedelta(seconds=20))
def check_import(*, batch_id: int) -> dict:
    """The dry run of one uploaded file: rows checked, matched, stored; progress on the batch."""
    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.status not in (ImportBatch.Status.QUEUED, ImportBatch.Status.CHECKING):
        return {"skipped": batch.status}
    with heartbeat.kept_alive(progress.lease(batch_id, "check")):
        batch = importer.check(batch)
    return {"status": batch.status, "rows": batch.rows_total, "bad": batch.rows_bad}


@jobs.retrying_task(attempts=2, base_delay=datetime.timedelta(seconds=30))
def commit_import(*, batch_id: int, actor_id: int) -> dict:
    """Apply a checked batch in one transaction. Safe to run twice: a committed batch is kept."""
    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.status == ImportBatch.Status.COMMITTED:
        return batch.summary
    actor = get_user_model().objects.get(pk=actor_id)
    try:
        with heartbeat.kept_alive(progress.lease(batch_id, "commit")):
            return importer.commit(batch, actor)
    except ValidationError as exc:
        ImportBatch.objects.filter(pk=batch_id).update(
            status=ImportBatch.Status.CHECKED, message="；".join(exc.messages)
        )
        return {"error": exc.messages}


@jobs.periodic("registry.import_files_expire", every=jobs.Daily(at=datetime.time(3, 10)))
def import_files_expire(*, period: str) -> dict:
    """Delete the stored files of batches left uncommitted for IMPORT_FILE_DAYS (checked and
    never imported, or refused): full ID and mobile numbers are not kept on disk longer. A file
    being checked or committed is left alone; each deletion is audited."""
    before = clock.now() - datetime.timedelta(days=settings.IMPORT_FILE_DAYS)
    busy = (ImportBatch.Status.QUEUED, ImportBatch.Status.CHECKING, ImportBatch.Status.COMMITTING)
    stale = (
        ImportBatch.objects.exclude(file="").exclude(status__in=busy).filter(created_at__lt=before)
    )
    deleted = sum(services.import_file_delete(batch=b, reason="expired") for b in stale)
    return {"deleted": deleted}


@jobs.periodic("registry.imports_interrupted", every=jobs.Every(datetime.timedelta(minutes=1)))
def imports_interrupted(*, period: str) -> dict:
    """Batches whose worker died in the middle of a step are marked so, and can be started again
    (services.imports_mark_interrupted)."""
    return {"interrupted": services.imports_mark_interrupted()}
