"""The audit log's hash chain: an edited, deleted or inserted event shows.

Writers append events as before (``core.audit.record``, ``record_sql``, the time bank's SQL
function), without waiting on each other. A sealing job, every few minutes, takes the events not
yet sealed in id order, numbers them on from the last sealed one (``seal_seq``: 1, 2, 3, …) and
links each to the one before: ``chain_hash = HMAC(key, previous chain_hash + the event's
content)``. The key is derived from the data hash key, so someone who can write to the database
but not read the application's keys cannot forge a chain to match an edit. A daily job (and
``manage.py audit_verify``) recomputes the whole chain: the first event whose hash does not match,
or a gap in the numbers, is where the log was changed.

Events are sealed minutes after they are written; what changes before its seal is not caught by
the chain (the database's own permissions are the guard there). Linli never deletes an event.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction

from core.models import AuditEvent

SEAL_BATCH = 5000
# The fields a link covers, in this order. A new AuditEvent field is added at the end, so the
# events sealed before it keep their hashes.
LINKED_FIELDS = (
    "id", "at", "actor_id", "actor_name", "action", "object_type", "object_id", "object_repr",
    "changes", "purpose", "client_ip", "place_id", "place_path",
)  # fmt: skip
# A PostgreSQL advisory lock, so two sealing runs never number the same events.
_SEAL_LOCK = 0x4C494E4C49  # "LINLI"


def _key() -> bytes:
    return hmac.new(settings.DATA_HASH_KEY.encode(), b"linli audit chain", hashlib.sha256).digest()


def _content(values: dict) -> bytes:
    """The event as canonical JSON: the moment in UTC to the microsecond, keys sorted."""
    shown = {}
    for name in LINKED_FIELDS:
        value = values[name]
        shown[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return json.dumps(shown, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def link(previous: str, seq: int, values: dict) -> str:
    message = f"{previous}\n{seq}\n".encode() + _content(values)
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


def last_sealed() -> tuple[int, str]:
    last = (
        AuditEvent.objects.filter(seal_seq__isnull=False)
        .order_by("-seal_seq")
        .values_list("seal_seq", "chain_hash")
        .first()
    )
    return last or (0, "")


def seal(batch: int = SEAL_BATCH) -> int:
    """Link the events not yet sealed, oldest id first, up to `batch` of them; how many."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SEAL_LOCK])
        seq, previous = last_sealed()
        events = list(
            AuditEvent.objects.filter(seal_seq__isnull=True)
            .order_by("id")
            .values(*LINKED_FIELDS)[:batch]
        )
        sealed = []
        for values in events:
            seq += 1
            previous = link(previous, seq, values)
            sealed.append(AuditEvent(id=values["id"], seal_seq=seq, chain_hash=previous))
        AuditEvent.objects.bulk_update(sealed, ["seal_seq", "chain_hash"], batch_size=1000)
    return len(sealed)


def seal_all() -> int:
    total = 0
    while sealed := seal():
        total += sealed
    return total


@dataclass(frozen=True)
class Verdict:
    checked: int
    unsealed: int
    broken_at: int | None = None  # the seal_seq where the chain first fails
    event_id: int | None = None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def verify(anchor: tuple[int, str] | None = None) -> Verdict:
    """Recompute the whole chain, in seal order. `anchor` is a (seal_seq, chain_hash) a sealing
    run reported (kept in its JobRun): the chain must still reach it unchanged, so removing the
    newest events shows too."""
    previous, expected_seq, checked = "", 1, 0
    rows = (
        AuditEvent.objects.filter(seal_seq__isnull=False)
        .order_by("seal_seq")
        .values("seal_seq", "chain_hash", *LINKED_FIELDS)
        .iterator(chunk_size=5000)
    )
    unsealed = AuditEvent.objects.filter(seal_seq__isnull=True).count()
    for values in rows:
        seq = values["seal_seq"]
        if seq != expected_seq:
            return Verdict(checked, unsealed, expected_seq, values["id"], "missing")
        if not hmac.compare_digest(link(previous, seq, values), values["chain_hash"]):
            return Verdict(checked, unsealed, seq, values["id"], "changed")
        previous, expected_seq, checked = values["chain_hash"], seq + 1, checked + 1
        if anchor and seq == anchor[0] and previous != anchor[1]:
            return Verdict(checked, unsealed, seq, values["id"], "changed")
    if anchor and expected_seq <= anchor[0]:
        return Verdict(checked, unsealed, expected_seq, None, "missing")
    return Verdict(checked, unsealed)


def latest_anchor() -> tuple[int, str] | None:
    """The newest (seal_seq, chain_hash) the sealing job reported."""
    from core.models import JobRun

    for result in (
        JobRun.objects.filter(job="core.audit_seal", finished_at__isnull=False)
        .order_by("-finished_at", "-id")
        .values_list("result", flat=True)[:1]
    ):
        if result.get("last_seq"):
            return result["last_seq"], result["last_hash"]
    return None
