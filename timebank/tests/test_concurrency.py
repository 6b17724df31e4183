"""Many threads writing the ledger at once on PostgreSQL, with the same keys retried in parallel.

Proves, after the storm: every transaction's postings sum to zero, cached balances equal the
postings, no resident balance is negative, each key was written once (every thread holding the
same key got the same transaction back), a key raced with two payloads wrote one of them, and no
database error (deadlock, serialization failure) reached a caller.
"""

import random
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, Sum

from core.testing import build_small_district
from core.tests.threads import at_once
from timebank import services
from timebank.models import Account, AccountKind, Posting, Transaction
from timebank.testing import resident, years_ago

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serializes every writer on one database lock, so there is no concurrency "
        "to prove; run with DATABASE_URL=postgres://… to exercise row locks and retries",
    ),
    pytest.mark.django_db(transaction=True),
]

THREADS = 12
OPS_PER_THREAD = 25


def _world():
    d = build_small_district(code="320104", name="秦淮区")
    worker = d.users["community_worker:own"]
    members = []
    for i in range(4):
        person = resident(actor=d.root, place=d.grids[i % 2], name=f"居民{i}", birth=years_ago(70))
        members.append(services.member_account_open(actor=d.root, person=person))
    fund = services.group_account_open(
        actor=worker, community=d.communities[0], kind=AccountKind.FUND, name="基金"
    )
    for i, member in enumerate(members):
        services.deposit(actor=worker, account=member, minutes=400, key=f"seed-{i}")
    return d, worker, members, fund


def _payload(key_no: int, members, fund):
    """What a key means: fixed by its number, so every thread retrying it sends the same body."""
    rnd = random.Random(key_no)
    kind = rnd.choice(["transfer", "transfer", "transfer", "donate", "withdraw"])
    a, b = rnd.sample(members, 2)
    return kind, a, b if kind == "transfer" else fund, rnd.randint(1, 90)


def _run(worker, kind, source, target, minutes, key):
    if kind == "transfer":
        return services.transfer(
            actor=worker, source=source, target=target, minutes=minutes, key=key, relation="亲属"
        )
    if kind == "donate":
        return services.donate(actor=worker, source=source, fund=target, minutes=minutes, key=key)
    return services.withdraw(actor=worker, account=source, minutes=minutes, key=key)


def _assert_invariants():
    assert not (
        Posting.objects.values("transaction")
        .annotate(total=Sum("amount"), n=Count("id"))
        .exclude(total=0, n__gte=2)
        .exists()
    )
    sums = dict(
        Posting.objects.values_list("account").annotate(t=Sum("amount")).values_list("account", "t")
    )
    for account in Account.objects.all():
        assert account.balance == sums.get(account.pk, 0), account
        if account.kind != AccountKind.ISSUANCE:
            assert account.balance >= 0
    assert services.reconcile()["problems"] == []


def test_parallel_transfers_and_same_key_retries():
    d, worker, members, fund = _world()
    results: dict[str, set[int]] = {}
    refused: list[str] = []
    lock = threading.Lock()

    def work(thread_no):
        rnd = random.Random(1000 + thread_no)
        for _ in range(OPS_PER_THREAD):
            key_no = rnd.randint(0, 60)  # a small key pool: threads collide on keys all the time
            kind, source, target, minutes = _payload(key_no, members, fund)
            key = f"c-{key_no}"
            try:
                tx = _run(worker, kind, source, target, minutes, key)
            except ValidationError as exc:
                assert exc.code == "insufficient_balance", exc.messages  # nothing else may fail
                with lock:
                    refused.append(key)
                continue
            with lock:
                results.setdefault(key, set()).add(tx.pk)

    errors = at_once(work, THREADS)
    assert errors == [], errors
    for key, ids in results.items():
        assert len(ids) == 1, (key, ids)  # every retry of a key got the same transaction
        assert Transaction.objects.filter(idempotency_key=key).count() == 1
    assert len(results) > 10
    _assert_invariants()


def test_same_key_different_payloads_race():
    d, worker, members, fund = _world()
    outcomes: list[tuple[int, object]] = []
    lock = threading.Lock()

    def work(i):
        # Eight threads race one key; half send 10 minutes, half 20.
        minutes = 10 if i % 2 else 20
        try:
            tx = services.transfer(
                actor=worker, source=members[0], target=members[1], minutes=minutes,
                key="race", relation="亲属",
            )  # fmt: skip
            with lock:
                outcomes.append((minutes, tx.pk))
        except ValidationError as exc:
            with lock:
                outcomes.append((minutes, exc.code))

    errors = at_once(work, 8)
    assert errors == [], errors
    written = Transaction.objects.get(idempotency_key="race")
    amount = written.postings.get(account=members[1]).amount
    for minutes, outcome in outcomes:
        if minutes == amount:
            assert outcome == written.pk
        else:
            assert outcome == "idempotency_conflict"
    assert Account.objects.get(pk=members[1].pk).balance == 400 + amount
    _assert_invariants()


def test_hot_account_many_writers_no_deadlock():
    """Everyone pays into one fund from every member at once: opposite lock orders would
    deadlock without the fixed order; retries must hide any serialization failure."""
    d, worker, members, fund = _world()

    def work(i):
        for j in range(10):
            a, b = members[(i + j) % 4], members[(i + j + 1) % 4]
            services.transfer(
                actor=worker, source=a if i % 2 else b, target=b if i % 2 else a, minutes=1,
                key=f"h-{i}-{j}", relation="亲属",
            )  # fmt: skip
            services.donate(actor=worker, source=a, fund=fund, minutes=1, key=f"g-{i}-{j}")

    errors = at_once(work, 16)
    assert errors == [], errors
    assert Account.objects.get(pk=fund.pk).balance == 16 * 10
    assert Transaction.objects.filter(idempotency_key__startswith="h-").count() == 160
    _assert_invariants()
