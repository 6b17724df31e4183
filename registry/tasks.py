"""Background work of the registry: import dry runs and commits run in a worker, not a request."""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from core import jobs
from registry import importer
from registry.models import ImportBatch


@jobs.retrying_task(attempts=3, base_delay=datetime.timedelta(seconds=20))
def check_import(*, batch_id: int) -> dict:
    """The dry run of one uploaded file: rows checked, matched, stored; progress on the batch."""
    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.status not in (ImportBatch.Status.QUEUED, ImportBatch.Status.CHECKING):
        return {"skipped": batch.status}
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
        return importer.commit(batch, actor)
    except ValidationError as exc:
        ImportBatch.objects.filter(pk=batch_id).update(
            status=ImportBatch.Status.CHECKED, message="；".join(exc.messages)
        )
        return {"error": exc.messages}
