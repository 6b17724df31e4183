"""The audit log's hash chain (issue #20 item 9): sealing links every event once, in order, and an
edited, deleted or inserted event — or the newest ones removed — is found by the verifying job and
the command, and told to administrators."""

import hashlib
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from core import audit, audit_chain, jobs
from core.models import AuditEvent, Notification, Place
from core.testing import build_small_district

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def d():
    return build_small_district()


def write_events(d, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        with transaction.atomic():
            audit.record(
                actor=d.root, action="test.event", obj=d.communities[0],
                changes={"i": i, "text": "居民“张三”", "amount": 1.5},
            )  # fmt: skip


def sealed_run() -> dict:
    return jobs.run_once("core.audit_seal", period=f"test-{AuditEvent.objects.count()}").result


def test_sealing_links_every_event_once_and_in_order(d):
    write_events(d, 5)
    total = AuditEvent.objects.count()
    first = sealed_run()
    assert first["sealed"] == total and first["last_seq"] == total
    assert not AuditEvent.objects.filter(seal_seq__isnull=True).exists()
    assert audit_chain.seal() == 0  # nothing left: a second run links nothing twice
    write_events(d, 3, start=5)
    second = sealed_run()
    assert second["sealed"] == 3 and second["last_seq"] == total + 3
    seqs = list(AuditEvent.objects.order_by("id").values_list("seal_seq", flat=True))
    assert seqs == list(range(1, total + 4))
    verdict = audit_chain.verify(anchor=audit_chain.latest_anchor())
    assert verdict.intact and verdict.checked == total + 3 and verdict.unsealed == 0


def test_small_batches_make_the_same_chain(d):
    write_events(d, 7)
    while audit_chain.seal(batch=2):
        pass
    in_pairs = list(AuditEvent.objects.order_by("seal_seq").values_list("chain_hash", flat=True))
    AuditEvent.objects.update(seal_seq=None, chain_hash="")
    audit_chain.seal_all()
    at_once = list(AuditEvent.objects.order_by("seal_seq").values_list("chain_hash", flat=True))
    assert in_pairs == at_once and len(set(at_once)) == len(at_once)


def _tamper(kind: str, d) -> int:
    """Change the sealed log the way an intruder with database access would; the seal_seq where
    the chain should break."""
    events = AuditEvent.objects.order_by("seal_seq")
    middle = events[3]
    if kind == "edit_text":
        AuditEvent.objects.filter(pk=middle.pk).update(object_repr="别人")
    elif kind == "edit_changes":
        AuditEvent.objects.filter(pk=middle.pk).update(changes={**middle.changes, "amount": 2})
    elif kind == "edit_time":
        AuditEvent.objects.filter(pk=middle.pk).update(at=events[0].at)
    elif kind == "edit_place":
        other = Place.objects.exclude(pk=middle.place_id).first()
        AuditEvent.objects.filter(pk=middle.pk).update(place=other)
    elif kind == "delete":
        AuditEvent.objects.filter(pk=middle.pk).delete()
    elif kind == "forge_hash":
        # Edited, and the hash recomputed the way one would without the application's key.
        forged = hashlib.sha256(f"{events[2].chain_hash}别人".encode()).hexdigest()
        AuditEvent.objects.filter(pk=middle.pk).update(object_repr="别人", chain_hash=forged)
    elif kind == "truncate":
        last = events.last()
        AuditEvent.objects.filter(pk=last.pk).delete()
        return last.seal_seq
    return middle.seal_seq


@pytest.mark.parametrize(
    "kind",
    ["edit_text", "edit_changes", "edit_time", "edit_place", "delete", "forge_hash", "truncate"],
)
def test_a_changed_log_is_found_by_the_job_and_told_to_administrators(d, kind):
    write_events(d, 8)
    sealed_run()
    broken_at = _tamper(kind, d)
    verdict = audit_chain.verify(anchor=audit_chain.latest_anchor())
    assert not verdict.intact and verdict.broken_at == broken_at, verdict
    notified_before = Notification.objects.count()
    result = jobs.run_once("core.audit_verify", period="2026-12-03").result
    assert result["intact"] is False and result["broken_at"] == broken_at
    assert AuditEvent.objects.filter(action="audit.chain_broken").exists()
    assert Notification.objects.count() > notified_before
    with pytest.raises(CommandError, match="BROKEN"):
        call_command("audit_verify", stdout=io.StringIO())


def test_an_intact_log_passes_the_command_and_the_job(d):
    write_events(d, 4)
    out = io.StringIO()
    call_command("audit_verify", "--seal", stdout=out)
    assert "audit chain intact" in out.getvalue()
    result = jobs.run_once("core.audit_verify", period="2026-12-04").result
    assert result["intact"] is True and result["checked"] == AuditEvent.objects.count()
    assert not Notification.objects.filter(title__contains="完整性").exists()


def test_events_the_time_bank_writes_in_sql_are_sealed_too(d):
    """record_sql (the ledger's hot path) writes the same row without a model instance."""
    with transaction.atomic():
        audit.record_sql(actor=d.root, action="test.sql", obj=d.communities[0], changes={"x": 1})
    audit_chain.seal_all()
    assert AuditEvent.objects.get(action="test.sql").seal_seq is not None
    assert audit_chain.verify().intact


def test_the_chain_covers_a_sign_in(d, client):
    from core.testing import PASSWORD

    assert client.login(username=d.logins["community_worker:own"], password=PASSWORD)
    assert AuditEvent.objects.filter(action="account.login").exists()
    audit_chain.seal_all()
    assert audit_chain.verify().checked == AuditEvent.objects.count()
