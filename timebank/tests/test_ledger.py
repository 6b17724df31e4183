"""The hour ledger through its services: good paths, bad input (nothing written), replay,
reversal, caps and ages, the database's own guards, and the reconciliation."""

import contextlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, ProgrammingError, connection, transaction

from core.models import AuditEvent, Notification
from timebank import services
from timebank.models import GENESIS, Account, Posting, Transaction, TxKind
from timebank.tasks import alert_mismatch

# Deadlines, periods and months hang on the day: the module runs on each kind of day.
pytestmark = [pytest.mark.django_db, pytest.mark.each_kind_of_day]


def _transfer(bank, source, target, key, *, minutes=30, relation="祖孙", actor=None):
    """A transfer to a relative, recorded by the community worker unless ``actor`` says who."""
    return services.transfer(
        actor=actor or bank.worker, source=source, target=target, minutes=minutes, key=key,
        relation=relation,
    )  # fmt: skip


def fresh(account) -> Account:
    return Account.objects.get(pk=account.pk)


@contextlib.contextmanager
def refused_writing_nothing(code: str):
    """The block is refused with this code, and the ledger is as it was."""
    before = snapshot()
    with pytest.raises(ValidationError) as err:
        yield
    assert err.value.code == code
    assert snapshot() == before


def snapshot():
    return (
        Transaction.objects.count(),
        Posting.objects.count(),
        AuditEvent.objects.count(),
        tuple(Account.objects.order_by("pk").values_list("balance", "earned")),
    )


def assert_clean():
    result = services.reconcile()
    assert result["problems"] == [], result


def test_deposit_mints_from_issuance_and_balances(bank):
    tx = services.deposit(actor=bank.worker, account=bank.young, minutes=90, key="d-1", memo="陪聊")
    assert tx.kind == TxKind.DEPOSIT and tx.replayed is False
    assert sorted(tx.postings.values_list("amount", flat=True)) == [-90, 90]
    assert fresh(bank.young).balance == 90 and fresh(bank.young).earned == 90
    assert fresh(bank.issuance).balance == -90
    assert AuditEvent.objects.filter(action="timebank.deposit", object_id=str(tx.pk)).exists()
    assert_clean()


def test_same_key_same_payload_returns_original(bank):
    first = services.deposit(actor=bank.worker, account=bank.young, minutes=60, key="k-same")
    before = snapshot()
    again = services.deposit(actor=bank.worker, account=bank.young, minutes=60, key="k-same")
    assert again.pk == first.pk and again.replayed is True
    assert snapshot() == before


@pytest.mark.parametrize(
    "change",
    [{"minutes": 61}, {"memo": "别的"}, {"account": "elder"}],
)
def test_same_key_other_payload_is_a_conflict_and_writes_nothing(bank, change):
    services.deposit(actor=bank.worker, account=bank.young, minutes=60, key="k-conf")
    before = snapshot()
    kwargs = {"actor": bank.worker, "account": bank.young, "minutes": 60, "key": "k-conf"}
    kwargs.update(change)
    if "account" in change:
        kwargs["account"] = getattr(bank, change["account"])
    with pytest.raises(ValidationError) as err:
        services.deposit(**kwargs)
    assert err.value.code == "idempotency_conflict"
    assert "幂等键" in err.value.messages[0]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("minutes", "code"),
    [
        (0, "minutes_not_positive"),
        (-30, "minutes_not_positive"),
        ("abc", "minutes_invalid"),
        (1.5, "minutes_invalid"),
        (True, "minutes_invalid"),
        (None, "minutes_invalid"),
        (10**9, "minutes_too_large"),
    ],
)
def test_bad_minutes_are_refused_and_write_nothing(bank, minutes, code):
    with refused_writing_nothing(code):
        services.deposit(actor=bank.worker, account=bank.young, minutes=minutes, key="bad-m")


@pytest.mark.parametrize("key", ["", "   ", "x" * 256, "键", "a\nb"])
def test_bad_keys_are_refused(bank, key):
    before = snapshot()
    with pytest.raises(ValidationError):
        services.deposit(actor=bank.worker, account=bank.young, minutes=5, key=key)
    assert snapshot() == before


def test_posting_to_a_closed_account_is_refused(bank):
    services.account_close(actor=bank.worker, account=bank.team)
    with refused_writing_nothing("account_closed"):
        services.deposit(actor=bank.worker, account=bank.team, minutes=30, key="closed-1")


def test_close_needs_zero_balance(bank):
    services.deposit(actor=bank.worker, account=bank.team, minutes=30, key="team-1")
    with pytest.raises(ValidationError) as err:
        services.account_close(actor=bank.worker, account=bank.team)
    assert err.value.code == "balance_not_zero"
    assert not fresh(bank.team).is_closed


def test_storage_cap(bank):
    services.rule_update(
        actor=bank.d.root, district=bank.d.district, code="storage_cap_minutes", value=100,
        source="测试",
    )  # fmt: skip
    services.deposit(actor=bank.worker, account=bank.young, minutes=80, key="cap-1")
    with refused_writing_nothing("over_storage_cap"):
        services.deposit(actor=bank.worker, account=bank.young, minutes=30, key="cap-2")
    # The cap also stops a transfer in.
    services.deposit(actor=bank.worker, account=bank.elder, minutes=50, key="cap-3")
    with pytest.raises(ValidationError) as err:
        _transfer(bank, bank.elder, bank.young, "cap-4")
    assert err.value.code == "over_storage_cap"


def test_daily_cap(bank):
    services.deposit(actor=bank.worker, account=bank.young, minutes=400, key="day-1")
    with pytest.raises(ValidationError) as err:
        services.deposit(actor=bank.worker, account=bank.young, minutes=81, key="day-2")
    assert err.value.code == "over_daily_cap"
    services.deposit(actor=bank.worker, account=bank.young, minutes=80, key="day-3")
    # Team hours have no personal daily cap.
    services.deposit(actor=bank.worker, account=bank.team, minutes=600, key="day-4")


def test_withdrawal_age_rule(bank):
    for account, key in ((bank.young, "w-young"), (bank.near_60, "w-near")):
        services.deposit(actor=bank.worker, account=account, minutes=60, key=key + "-d")
        before = snapshot()
        with pytest.raises(ValidationError) as err:
            services.withdraw(actor=bank.worker, account=account, minutes=30, key=key)
        assert err.value.code == "under_withdrawal_age" and "60" in err.value.messages[0]
        assert snapshot() == before
    services.deposit(actor=bank.worker, account=bank.elder, minutes=60, key="w-elder-d")
    tx = services.withdraw(actor=bank.worker, account=bank.elder, minutes=45, key="w-elder")
    assert fresh(bank.elder).balance == 15 and tx.kind == TxKind.WITHDRAWAL
    assert fresh(bank.elder).earned == 60  # lifetime service hours do not drop on withdrawal
    assert_clean()


def test_no_negative_balance(bank):
    services.deposit(actor=bank.worker, account=bank.elder, minutes=30, key="neg-d")
    with refused_writing_nothing("insufficient_balance"):
        services.withdraw(actor=bank.worker, account=bank.elder, minutes=31, key="neg-w")


def test_team_hours_can_only_be_donated(bank):
    services.deposit(actor=bank.worker, account=bank.team, minutes=120, key="t-d")
    with pytest.raises(ValidationError) as err:
        services.withdraw(actor=bank.worker, account=bank.team, minutes=60, key="t-w")
    assert err.value.code == "team_donate_only"
    with pytest.raises(ValidationError):
        _transfer(bank, bank.team, bank.elder, "t-t", minutes=60, relation="无")
    services.donate(actor=bank.worker, source=bank.team, fund=bank.fund, minutes=120, key="t-g")
    assert fresh(bank.team).balance == 0 and fresh(bank.fund).balance == 120
    # The fund serves priority elderly: a worker records the withdrawal from the fund.
    services.withdraw(actor=bank.worker, account=bank.fund, minutes=60, key="f-w", memo="王奶奶")
    assert fresh(bank.fund).balance == 60
    assert_clean()


def test_relative_transfer_needs_a_worker(bank):
    services.deposit(actor=bank.worker, account=bank.young, minutes=60, key="rt-d")
    owner = bank.d.users["resident:own"]
    with pytest.raises(PermissionDenied):
        _transfer(bank, bank.young, bank.elder, "rt-1", relation="母子", actor=owner)
    with pytest.raises(ValidationError) as err:
        _transfer(bank, bank.young, bank.elder, "rt-2", relation=" ")
    assert err.value.code == "relation_required"
    tx = _transfer(bank, bank.young, bank.elder, "rt-3")
    assert "祖孙" in tx.memo
    assert fresh(bank.young).balance == 30 and fresh(bank.elder).balance == 30


def test_reversal_once_and_never_of_a_reversal(bank):
    tx = services.deposit(actor=bank.worker, account=bank.young, minutes=90, key="rv-d")
    with pytest.raises(PermissionDenied):  # the worker who recorded it cannot reverse it
        services.reverse(actor=bank.worker, original=tx, key="rv-0", reason="录错")
    rev = services.reverse(actor=bank.officer, original=tx, key="rv-1", reason="录错")
    assert rev.reverses_id == tx.pk and fresh(bank.young).balance == 0
    assert fresh(bank.young).earned == 0
    again = services.reverse(actor=bank.officer, original=tx, key="rv-1", reason="录错")
    assert again.pk == rev.pk and again.replayed
    before = snapshot()
    with pytest.raises(ValidationError) as err:
        services.reverse(actor=bank.officer, original=tx, key="rv-2", reason="再来")
    assert err.value.code == "already_reversed"
    with pytest.raises(ValidationError) as err:
        services.reverse(actor=bank.officer, original=rev, key="rv-3", reason="反冲")
    assert err.value.code == "reverse_reversal"
    assert snapshot() == before
    assert_clean()


def test_reversal_that_would_go_negative_is_refused(bank):
    tx = services.deposit(actor=bank.worker, account=bank.elder, minutes=60, key="rn-d")
    services.withdraw(actor=bank.worker, account=bank.elder, minutes=60, key="rn-w")
    with pytest.raises(ValidationError) as err:
        services.reverse(actor=bank.officer, original=tx, key="rn-r", reason="录错")
    assert err.value.code == "insufficient_balance"


def test_reversal_is_unique_in_the_database(bank):
    tx = services.deposit(actor=bank.worker, account=bank.elder, minutes=60, key="ru-d")
    services.reverse(actor=bank.officer, original=tx, key="ru-1", reason="录错")
    other = Transaction.objects.exclude(reverses=None).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Transaction.objects.create(
            district=other.district, place=other.place, kind=TxKind.REVERSAL,
            idempotency_key="ru-forged", fingerprint="x", reverses=tx, created_at=other.created_at,
            hash="0",
        )  # fmt: skip


def test_district_wide_rule(bank):
    other_community = bank.d.communities[1]  # same street, another community
    worker_there = bank.d.root
    services.deposit(
        actor=worker_there, account=bank.young, minutes=30, key="dw-1", place=other_community
    )
    services.rule_update(
        actor=bank.d.root, district=bank.d.district, code="district_wide_exchange", value=0,
        source="试点前",
    )  # fmt: skip
    with pytest.raises(ValidationError) as err:
        services.deposit(
            actor=worker_there, account=bank.young, minutes=30, key="dw-2", place=other_community
        )
    assert err.value.code == "not_district_wide"


def test_worker_of_another_street_cannot_post(bank):
    other_worker = bank.d.users["community_worker:other"]
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.deposit(actor=other_worker, account=bank.young, minutes=30, key="os-1")
    assert snapshot() == before


def test_postings_are_immutable_in_python(bank):
    services.deposit(actor=bank.worker, account=bank.young, minutes=10, key="im-1")
    posting = Posting.objects.first()
    with pytest.raises(TypeError):
        posting.save()
    with pytest.raises(TypeError):
        posting.delete()
    with pytest.raises(TypeError):
        Posting.objects.all().update(amount=1)
    with pytest.raises(TypeError):
        Posting.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database triggers: PostgreSQL only")
def test_postgresql_refuses_changes_and_unbalanced_entries(bank):
    services.deposit(actor=bank.worker, account=bank.young, minutes=10, key="pg-1")
    posting = Posting.objects.first()
    for sql in (
        "UPDATE timebank_posting SET amount = amount + 1 WHERE id = %s",
        "DELETE FROM timebank_posting WHERE id = %s",
    ):
        with pytest.raises(ProgrammingError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, [posting.pk])
    tx = posting.transaction
    with pytest.raises(IntegrityError, match="balanced"), transaction.atomic():
        forged = Transaction.objects.create(
            district=tx.district, place=tx.place, kind=TxKind.DEPOSIT, idempotency_key="pg-forged",
            fingerprint="x", created_at=tx.created_at, hash="0",
        )  # fmt: skip
        Posting.objects.create(
            transaction=forged, account=bank.young, district=tx.district, amount=5,
            balance_after=0, created_at=tx.created_at, seq=10**6, prev_hash="0", hash="0",
        )  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=bank.young.pk).update(balance=-1)


def test_check_constraint_keeps_member_balances_non_negative(bank):
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=bank.elder.pk).update(balance=-1)
    Account.objects.filter(pk=bank.issuance.pk).update(balance=-1)  # issuance may go negative


@contextlib.contextmanager
def rolled_back():
    """Tampering stays inside a savepoint that is rolled back, so the test's teardown (which
    runs PostgreSQL's deferred checks) never sees the forged rows."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _tamper(sql: str, params) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")  # bypass triggers
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")


def test_reconciliation_finds_tampering_and_alerts(bank):
    with rolled_back():
        services.deposit(actor=bank.worker, account=bank.young, minutes=60, key="tp-1")
        tx = services.deposit(actor=bank.worker, account=bank.elder, minutes=30, key="tp-2")
        services.deposit(actor=bank.worker, account=bank.elder, minutes=20, key="tp-3")
        assert_clean()
        _tamper(
            "UPDATE timebank_posting SET amount = 45 WHERE transaction_id = %s AND amount = 30",
            [tx.pk],
        )
        _tamper("UPDATE timebank_account SET balance = balance + 5 WHERE id = %s", [bank.young.pk])
        result = services.reconcile()
        kinds = {p["kind"] for p in result["problems"]}
        assert {"balance_mismatch", "unbalanced", "chain_hash"} <= kinds
        assert {"account": bank.young.pk}.items() <= next(
            p
            for p in result["problems"]
            if p["kind"] == "balance_mismatch" and p["account"] == bank.young.pk
        ).items()
        sent = alert_mismatch(result)
        assert sent >= 1
        admin = bank.d.users["admin:own"]
        assert Notification.objects.filter(user=admin, title__contains="对账").exists()


def test_reconciliation_finds_a_removed_transaction(bank):
    with rolled_back():
        services.deposit(actor=bank.worker, account=bank.young, minutes=10, key="rm-1")
        tx = services.deposit(actor=bank.worker, account=bank.young, minutes=10, key="rm-2")
        services.deposit(actor=bank.worker, account=bank.young, minutes=10, key="rm-3")
        _tamper("DELETE FROM timebank_posting WHERE transaction_id = %s", [tx.pk])
        _tamper("DELETE FROM timebank_transaction WHERE id = %s", [tx.pk])
        kinds = {p["kind"] for p in services.reconcile()["problems"]}
        assert {"chain_gap", "chain_link", "balance_mismatch"} <= kinds


def test_each_account_chain_links_its_postings(bank):
    """Every posting links to the previous posting of the same account; the account keeps the
    tip. Two accounts' chains are independent (a transfer extends both)."""
    for i in range(3):
        services.deposit(actor=bank.worker, account=bank.young, minutes=5, key=f"ch-{i}")
    _transfer(bank, bank.young, bank.elder, "ch-t", minutes=5, relation="母子")
    for account in (bank.young, bank.elder, bank.issuance):
        account.refresh_from_db()
        chain = list(Posting.objects.filter(account=account).order_by("seq"))
        assert [p.seq for p in chain] == list(range(1, len(chain) + 1))
        assert chain[0].prev_hash == GENESIS
        for prev, posting in zip(chain, chain[1:], strict=False):
            assert posting.prev_hash == prev.hash
        assert (account.chain_seq, account.chain_hash) == (chain[-1].seq, chain[-1].hash)
        assert sum(p.amount for p in chain) == account.balance == chain[-1].balance_after
    transfer = Transaction.objects.get(idempotency_key="ch-t")
    assert {p.account_id for p in transfer.postings.all()} == {bank.young.pk, bank.elder.pk}


def test_reconciliation_finds_a_changed_transaction_and_a_cut_tail(bank):
    with rolled_back():
        tx = services.deposit(actor=bank.worker, account=bank.young, minutes=10, key="ct-1")
        services.deposit(actor=bank.worker, account=bank.elder, minutes=10, key="ct-2")
        assert_clean()
        _tamper("UPDATE timebank_transaction SET memo = 'forged' WHERE id = %s", [tx.pk])
        kinds = {p["kind"] for p in services.reconcile()["problems"]}
        assert "chain_hash" in kinds
    with rolled_back():
        last = services.deposit(actor=bank.worker, account=bank.elder, minutes=10, key="ct-3")
        # Remove the newest transaction and fix the cached balances by hand: only the chain
        # tips on the accounts still tell.
        _tamper("DELETE FROM timebank_posting WHERE transaction_id = %s", [last.pk])
        _tamper("DELETE FROM timebank_transaction WHERE id = %s", [last.pk])
        _tamper("UPDATE timebank_account SET balance = balance - 10 WHERE id = %s", [bank.elder.pk])
        _tamper(
            "UPDATE timebank_account SET balance = balance + 10 WHERE id = %s", [bank.issuance.pk]
        )
        problems = services.reconcile()["problems"]
        assert {p["kind"] for p in problems} == {"chain_head"}
        assert {p["account"] for p in problems} == {bank.elder.pk, bank.issuance.pk}


def test_default_rule_rows_apply_unless_the_district_sets_its_own(bank):
    from timebank import defaults
    from timebank.models import Rule

    district = bank.d.district
    with transaction.atomic():
        # A default row (no district) changed in the database is what the ledger uses …
        Rule.objects.filter(code=defaults.WITHDRAWAL_AGE, district__isnull=True).update(value=65)
        assert services.rule_value(defaults.WITHDRAWAL_AGE, district) == 65
        shown = {r.code: r.value for r in services.rules_for(district)}
        assert shown[defaults.WITHDRAWAL_AGE] == 65
        # … until the district sets its own value, which wins.
        services.rule_update(
            actor=bank.d.root, district=district, code=defaults.WITHDRAWAL_AGE, value=62,
            source="区政策（测试）",
        )  # fmt: skip
        assert services.rule_value(defaults.WITHDRAWAL_AGE, district) == 62
        assert {r.code: r.value for r in services.rules_for(district)}[
            defaults.WITHDRAWAL_AGE
        ] == 62
        transaction.set_rollback(True)
