"""The two ledger engines write the same ledger.

On PostgreSQL a write is one call of the database function `timebank_post`
(timebank/sql/timebank_post.sql); the Python engine still writes when a caller needs a hook in
the same transaction (`on_write`) and on SQLite. Both extend the same per-account hash chains,
so the hashes the function makes in SQL must be byte-identical to the ones the reconciliation
recomputes in Python, and both write the same audit event.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction

from core import audit
from core.models import AuditEvent
from timebank import services
from timebank.models import Account, Posting, Transaction, TxKind, format_minutes

pytestmark = pytest.mark.django_db


def _python_engine(tx):  # an on_write hook makes the deposit take the Python engine
    _python_engine.seen.append(tx.pk)


_python_engine.seen = []


def test_both_engines_extend_the_same_chains_and_reconcile(bank):
    _python_engine.seen.clear()
    for i in range(4):
        hook = _python_engine if i % 2 else None
        services.deposit(
            actor=bank.worker, account=bank.young, minutes=30 + i, key=f"eng-d-{i}",
            memo=f"第{i}次 \"引号\" \\ 反斜杠", on_write=hook,
        )  # fmt: skip
        services.transfer(
            actor=bank.worker, source=bank.young, target=bank.elder, minutes=7, key=f"eng-t-{i}",
            relation="母子",
        )  # fmt: skip
    services.withdraw(actor=bank.worker, account=bank.elder, minutes=10, key="eng-w")
    assert len(_python_engine.seen) == 2  # the hooked deposits did go through Python
    made = Transaction.objects.filter(idempotency_key__startswith="eng-")
    assert made.count() == 9
    for tx in made:
        legs = list(tx.postings.values_list("account_id", "amount"))
        assert services.tx_hash(tx=tx, legs=legs) == tx.hash
    for posting in Posting.objects.filter(transaction__in=made).select_related("transaction"):
        assert posting.hash == services.posting_hash(
            prev_hash=posting.prev_hash, account_id=posting.account_id, seq=posting.seq,
            amount=posting.amount, balance_after=posting.balance_after,
            tx_hash=posting.transaction.hash,
        )  # fmt: skip
    result = services.reconcile(district=bank.d.district)
    assert result["problems"] == [] and result["transactions"] >= 9


def test_both_engines_write_the_same_audit_event(bank):
    events = []
    for i, hook in enumerate((None, _python_engine)):
        tx = services.deposit(
            actor=bank.worker, account=bank.young, minutes=20, key=f"eng-a-{i}", memo="陪聊",
            on_write=hook,
        )  # fmt: skip
        event = AuditEvent.objects.get(action="timebank.deposit", object_id=str(tx.pk))
        assert event.object_type == "timebank.transaction"
        assert event.object_repr == f"{TxKind.DEPOSIT.label} #{tx.pk}"
        assert event.changes == {
            "key": f"eng-a-{i}", "memo": "陪聊", "reverses": None,
            "postings": {bank.issuance.name: format_minutes(-20), bank.young.name: "20分钟"},
        }  # fmt: skip
        events.append(
            (event.actor_id, event.actor_name, event.place_id, event.place_path, event.purpose)
        )
    assert events[0] == events[1] == (
        bank.worker.pk, str(bank.worker), bank.young.place_id, bank.young.place.path, ""
    )  # fmt: skip


def test_a_refusal_leaves_the_callers_transaction_usable(bank):
    """Inside a caller's transaction the function runs in a savepoint: a refusal (an aborted
    statement on PostgreSQL) neither writes nor breaks the caller's later writes."""
    with transaction.atomic():
        before = Transaction.objects.count()
        with pytest.raises(ValidationError) as refused:
            services.transfer(
                actor=bank.worker, source=bank.young, target=bank.elder, minutes=999,
                key="eng-r-1", relation="母子",
            )  # fmt: skip
        assert refused.value.code == "insufficient_balance"
        assert "余额不足" in refused.value.messages[0]
        assert Transaction.objects.count() == before
        services.deposit(actor=bank.worker, account=bank.young, minutes=15, key="eng-r-2")
        assert Transaction.objects.count() == before + 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the function is PostgreSQL's")
def test_the_function_refuses_bad_calls_itself(bank):
    """The database checks on its own what the service checked before calling it: a direct
    call that breaks a rule writes nothing."""
    tx = services.deposit(actor=bank.worker, account=bank.young, minutes=30, key="eng-f-1")
    before = (Transaction.objects.count(), Posting.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as refused:
        services._attempt_in_database(
            actor=bank.worker, kind=TxKind.TRANSFER, key="eng-f-2", fingerprint="x" * 64,
            place=bank.young.place, legs=[(bank.young.pk, -31), (bank.elder.pk, 31)], memo="",
            reverses=None, capped=None, daily=False,
        )  # fmt: skip
    assert refused.value.code == "insufficient_balance"
    with pytest.raises(ValidationError) as refused:
        services._attempt_in_database(
            actor=bank.worker, kind=TxKind.DEPOSIT, key="eng-f-1", fingerprint="y" * 64,
            place=bank.young.place, legs=[(bank.issuance.pk, -30), (bank.young.pk, 30)],
            memo="", reverses=None, capped=None, daily=False,
        )  # fmt: skip
    assert refused.value.code == "idempotency_conflict"
    assert (Transaction.objects.count(), Posting.objects.count(), AuditEvent.objects.count()) == (
        before
    )
    assert tx.pk


def test_record_sql_writes_what_record_writes(bank):
    with transaction.atomic():
        changes = {"n": 1, "when": bank.young.created_at, "who": bank.young}
        first = audit.record(
            actor=bank.worker, action="timebank.probe", obj=bank.young, changes=changes
        )
        audit.record_sql(
            actor=bank.worker, action="timebank.probe", obj=bank.young, changes=changes
        )
        second = AuditEvent.objects.filter(action="timebank.probe").exclude(pk=first.pk).get()
        first.refresh_from_db()
    fields = [f.attname for f in AuditEvent._meta.concrete_fields if f.attname not in ("id", "at")]
    assert [getattr(second, f) for f in fields] == [getattr(first, f) for f in fields]
    assert first.changes["who"] == bank.young.name and first.place_path == bank.young.place.path
    assert second.at >= first.at


def test_remembered_account_facts_are_checked_again_by_the_database(bank):
    """The transfer service remembers each account's kind and community per process (on
    PostgreSQL); when one has changed, `timebank_post` refuses under the row locks and the
    service decides again from fresh rows — here, that the worker may no longer record it."""
    services.deposit(actor=bank.worker, account=bank.young, minutes=60, key="st-d")
    services.transfer(
        actor=bank.worker, source=bank.young, target=bank.elder, minutes=5, key="st-1",
        relation="母子",
    )  # fmt: skip
    if connection.vendor == "postgresql":
        assert services._REMEMBERED[bank.young.pk].place_id == bank.young.place_id
    # No service moves an account; a change behind the process's back stands for any drift.
    Account.objects.filter(pk=bank.young.pk).update(place=bank.d.communities[2])
    with pytest.raises(PermissionDenied):
        services.transfer(
            actor=bank.worker, source=bank.young, target=bank.elder, minutes=5, key="st-2",
            relation="母子",
        )  # fmt: skip
    assert not Transaction.objects.filter(idempotency_key="st-2").exists()
    assert Account.objects.get(pk=bank.young.pk).balance == 55


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL array literals")
def test_array_literals_read_back_as_the_values():
    texts = ['引号"', "反\\斜杠", "逗,号", "{括号}", " 空 格 ", "NULL", ""]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT %s::text[], %s::bigint[]",
            [services._array(texts), services._array([-5, 0, 2**40])],
        )
        assert cursor.fetchone() == (texts, [-5, 0, 2**40])
