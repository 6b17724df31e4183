"""Property tests: random sequences of ledger operations, checked against a simple model.

Each example runs inside a savepoint that is rolled back, on the module's small district. The
model predicts which operations must succeed (enough balance, under the cap, old enough, not yet
reversed) and which must fail; after every step the invariants are checked against the
database: postings of each transaction sum to zero, cached balances equal the sum of postings
and the model, no balance but the issuance account's is negative, a retry with the same key
changes nothing and returns the original, a reused key with another payload is refused.
"""

from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from timebank import services
from timebank.models import Account, AccountKind, Posting, Transaction, TxKind

pytestmark = pytest.mark.django_db

CAP = 600  # storage cap for the examples (minutes), small so the cap is often hit

MINUTES = st.one_of(st.integers(min_value=1, max_value=300), st.integers(min_value=-5, max_value=0))
OPS = st.one_of(
    st.tuples(st.just("deposit"), st.sampled_from(["young", "elder", "team"]), MINUTES),
    st.tuples(st.just("withdraw"), st.sampled_from(["elder", "young", "fund"]), MINUTES),
    st.tuples(st.just("transfer"), st.sampled_from(["young", "elder"]), MINUTES),
    st.tuples(st.just("donate"), st.sampled_from(["young", "elder", "team"]), MINUTES),
    st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=30), st.just(0)),
    st.tuples(st.just("retry"), st.integers(min_value=0, max_value=30), st.just(0)),
    st.tuples(st.just("conflict"), st.integers(min_value=0, max_value=30), st.just(0)),
)


@dataclass
class Done:
    op: tuple
    key: str
    tx: Transaction


def check_invariants(expected: dict[int, int]) -> None:
    unbalanced = (
        Posting.objects.values("transaction")
        .annotate(total=Sum("amount"), n=Count("id"))
        .exclude(total=0, n__gte=2)
    )
    assert not unbalanced.exists()
    sums = dict(
        Posting.objects.values_list("account").annotate(t=Sum("amount")).values_list("account", "t")
    )
    for account in Account.objects.all():
        assert account.balance == sums.get(account.pk, 0)
        if account.kind != AccountKind.ISSUANCE:
            assert account.balance >= 0
        if account.pk in expected:
            assert account.balance == expected[account.pk], account.name
    assert Transaction.objects.filter(postings__isnull=True).count() == 0


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(OPS, min_size=1, max_size=25))
def test_random_operations_keep_the_ledger_exact(bank, ops):
    with transaction.atomic():
        run_example(bank, ops)
        transaction.set_rollback(True)


def run_example(bank, ops):
    services.rule_update(
        actor=bank.d.root, district=bank.d.district, code="storage_cap_minutes", value=CAP,
        source="性质测试",
    )  # fmt: skip
    services.rule_update(
        actor=bank.d.root, district=bank.d.district, code="daily_deposit_cap_minutes",
        value=100_000, source="性质测试",
    )  # fmt: skip
    acc = {name: getattr(bank, name) for name in ("young", "elder", "team", "fund", "issuance")}
    bal = {a.pk: Account.objects.get(pk=a.pk).balance for a in acc.values()}
    done: list[Done] = []
    reversed_ids: set[int] = set()
    worker, officer = bank.worker, bank.officer

    def call(op, key, minutes):
        kind, who, _m = op
        if kind == "deposit":
            return services.deposit(actor=worker, account=acc[who], minutes=minutes, key=key)
        if kind == "withdraw":
            return services.withdraw(actor=worker, account=acc[who], minutes=minutes, key=key)
        if kind == "transfer":
            other = "elder" if who == "young" else "young"
            return services.transfer(
                actor=worker, source=acc[who], target=acc[other], minutes=minutes, key=key,
                relation="祖孙",
            )  # fmt: skip
        if kind == "donate":
            return services.donate(
                actor=worker, source=acc[who], fund=acc["fund"], minutes=minutes, key=key
            )
        raise AssertionError(kind)

    def legs_of(op, minutes) -> dict[int, int]:
        kind, who, _m = op
        if kind == "deposit":
            return {acc[who].pk: minutes, acc["issuance"].pk: -minutes}
        if kind == "withdraw":
            return {acc[who].pk: -minutes, acc["issuance"].pk: minutes}
        if kind == "transfer":
            other = "elder" if who == "young" else "young"
            return {acc[who].pk: -minutes, acc[other].pk: minutes}
        return {acc[who].pk: -minutes, acc["fund"].pk: minutes}

    def allowed(op, legs) -> bool:
        kind, who, _m = op
        if kind == "withdraw" and who == "young":
            return False  # 30 years old: under the withdrawal age
        for pk, amount in legs.items():
            if pk == acc["issuance"].pk:
                continue
            after = bal[pk] + amount
            if after < 0:
                return False
            is_member = pk in (acc["young"].pk, acc["elder"].pk)
            if amount > 0 and is_member and after > CAP and kind in ("deposit", "transfer"):
                return False
        return True

    def snapshot():
        return Transaction.objects.count(), Posting.objects.count(), dict(bal)

    for i, op in enumerate(ops):
        kind, arg, minutes = op
        before = snapshot()
        changed = len(done)
        if kind in ("deposit", "withdraw", "transfer", "donate"):
            key = f"p-{i}"
            if minutes <= 0:
                with pytest.raises(ValidationError):
                    call(op, key, minutes)
            else:
                legs = legs_of(op, minutes)
                if allowed(op, legs):
                    tx = call(op, key, minutes)
                    assert not tx.replayed
                    for pk, amount in legs.items():
                        bal[pk] += amount
                    done.append(Done(op, key, tx))
                else:
                    with pytest.raises(ValidationError):
                        call(op, key, minutes)
        elif kind == "reverse" and done:
            target = done[arg % len(done)]
            legs = {p.account_id: -p.amount for p in target.tx.postings.all()}
            ok = (
                target.tx.kind != TxKind.REVERSAL
                and target.tx.pk not in reversed_ids
                and all(
                    bal[pk] + amount >= 0 or pk == acc["issuance"].pk for pk, amount in legs.items()
                )
            )
            key = f"r-{i}"
            if ok:
                rev = services.reverse(
                    actor=officer, original=target.tx, key=key, reason="性质测试"
                )
                for pk, amount in legs.items():
                    bal[pk] += amount
                reversed_ids.add(target.tx.pk)
                done.append(Done(("reversal", target, 0), key, rev))
            else:
                with pytest.raises(ValidationError):
                    services.reverse(actor=officer, original=target.tx, key=key, reason="性质测试")
        elif kind == "retry" and done:
            target = done[arg % len(done)]
            if target.op[0] == "reversal":
                again = services.reverse(
                    actor=officer, original=target.op[1].tx, key=target.key, reason="性质测试"
                )
            else:
                again = call(target.op, target.key, target.op[2])
            assert again.pk == target.tx.pk and again.replayed
        elif kind == "conflict" and done:
            target = done[arg % len(done)]
            if target.op[0] == "reversal":
                with pytest.raises(ValidationError) as err:
                    services.reverse(
                        actor=officer, original=target.op[1].tx, key=target.key, reason="别的原因"
                    )
            else:
                with pytest.raises(ValidationError) as err:
                    call(target.op, target.key, target.op[2] + 1)
            assert err.value.code == "idempotency_conflict"
        if len(done) == changed:  # refused, replayed or skipped: nothing was written
            assert snapshot() == before
        check_invariants(bal)
    assert services.reconcile(district=bank.d.district)["problems"] == []
