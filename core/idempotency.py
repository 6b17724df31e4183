"""Idempotency keys for writes a client may retry (API creates, postings, imports)."""

import datetime
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import IdempotencyKey

KEEP_FOR = datetime.timedelta(days=1)


class IdempotencyConflict(Exception):
    """The key was used for a different request."""

    def __init__(self, message: str, code: str = "idempotency_key_reused"):
        super().__init__(message)
        self.code = code


def fingerprint_of(operation: str, payload: Any) -> str:
    return hashlib.sha256(
        json.dumps([operation, payload], sort_keys=True, default=str).encode()
    ).hexdigest()


def run_once(
    *, user, key: str, operation: str, payload: Any, run: Callable[[], tuple[int, Any]]
) -> tuple[int, Any, bool]:
    """Run `run` once per (user, key): (status, body, replayed).

    The same key with the same operation and payload returns the first answer, replayed=True;
    with anything else it raises IdempotencyConflict. If `run` raises, nothing is kept.
    """
    fingerprint = fingerprint_of(operation, payload)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(
                    user=user, key=key, operation=operation, fingerprint=fingerprint
                )
        except IntegrityError:
            record = None
        if record is not None:
            status, body = run()
            record.status, record.body = status, body
            record.save(update_fields=["status", "body"])
            return status, body, False
    existing = IdempotencyKey.objects.get(user=user, key=key)
    if existing.fingerprint != fingerprint:
        raise IdempotencyConflict(_("这个 Idempotency-Key 已用于另一个请求。"))
    return existing.status, existing.body, True


def prune(*, older_than: datetime.timedelta = KEEP_FOR) -> int:
    """Forget keys past their retry window (a periodic job)."""
    deleted, _by_model = IdempotencyKey.objects.filter(
        created_at__lt=timezone.now() - older_than
    ).delete()
    return deleted
