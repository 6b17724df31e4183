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


class Example:
    """The model of one example: the accounts, their predicted balances, what was written."""

    def __init__(self, bank):
        self.acc = {n: getattr(bank, n) for n in ("young", "elder", "team", "fund", "issuance")}
        self.bal = {a.pk: Account.objects.get(pk=a.pk).balance for a in self.acc.values()}
        self.done: list[Done] = []
        self.reversed_ids: set[int] = set()
        self.worker, self.officer = bank.worker, bank.officer

    def call(self, op, key, minutes):
        kind, who, _m = op
        acc, worker = self.acc, self.worker
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

    def legs_of(self, op, minutes) -> dict[int, int]:
        kind, who, _m = op
        acc = self.acc
        if kind == "deposit":
            return {acc[who].pk: minutes, acc["issuance"].pk: -minutes}
        if kind == "withdraw":
            return {acc[who].pk: -minutes, acc["issuance"].pk: minutes}
        if kind == "transfer":
            other = "elder" if who == "young" else "young"
            return {acc[who].pk: -minutes, acc[other].pk: minutes}
        return {acc[who].pk: -minutes, acc["fund"].pk: minutes}

    def allowed(self, op, legs) -> bool:
        kind, who, _m = op
        if kind == "withdraw" and who == "young":
            return False  # 30 years old: under the withdrawal age
        for pk, amount in legs.items():
            if pk == self.acc["issuance"].pk:
                continue
            after = self.bal[pk] + amount
            if after < 0:
                return False
            is_member = pk in (self.acc["young"].pk, self.acc["elder"].pk)
            if amount > 0 and is_member and after > CAP and kind in ("deposit", "transfer"):
                return False
        return True

    def snapshot(self):
        return Transaction.objects.count(), Posting.objects.count(), dict(self.bal)

    def post(self, i, op) -> None:
        """A deposit, withdrawal, transfer or donation: written iff the model allows it."""
        key, minutes = f"p-{i}", op[2]
        legs = self.legs_of(op, minutes) if minutes > 0 else None
        if legs is None or not self.allowed(op, legs):
            with pytest.raises(ValidationError):
                self.call(op, key, minutes)
            return
        tx = self.call(op, key, minutes)
        assert not tx.replayed
        for pk, amount in legs.items():
            self.bal[pk] += amount
        self.done.append(Done(op, key, tx))

    def reverse(self, i, target: Done) -> None:
        """Reverse an earlier write: once, never a reversal, never below zero."""
        legs = {p.account_id: -p.amount for p in target.tx.postings.all()}
        issuance = self.acc["issuance"].pk
        ok = (
            target.tx.kind != TxKind.REVERSAL
            and target.tx.pk not in self.reversed_ids
            and all(self.bal[pk] + amount >= 0 or pk == issuance for pk, amount in legs.items())
        )
        key = f"r-{i}"
        if not ok:
            with pytest.raises(ValidationError):
                services.reverse(actor=self.officer, original=target.tx, key=key, reason="性质测试")
            return
        rev = services.reverse(actor=self.officer, original=target.tx, key=key, reason="性质测试")
        for pk, amount in legs.items():
            self.bal[pk] += amount
        self.reversed_ids.add(target.tx.pk)
        self.done.append(Done(("reversal", target, 0), key, rev))

    def again(self, target: Done, *, other: bool):
        """The write of `target` again under its key: the same payload, or (`other`) another."""
        if target.op[0] == "reversal":
            reason = "别的原因" if other else "性质测试"
            return services.reverse(
                actor=self.officer, original=target.op[1].tx, key=target.key, reason=reason
            )
        return self.call(target.op, target.key, target.op[2] + (1 if other else 0))

    def step(self, i, op) -> None:
        kind, arg, _minutes = op
        if kind in ("deposit", "withdraw", "transfer", "donate"):
            self.post(i, op)
        elif not self.done:
            return
        elif kind == "reverse":
            self.reverse(i, self.done[arg % len(self.done)])
        elif kind == "retry":
            target = self.done[arg % len(self.done)]
            again = self.again(target, other=False)
            assert again.pk == target.tx.pk and again.replayed
        elif kind == "conflict":
            with pytest.raises(ValidationError) as err:
                self.again(self.done[arg % len(self.done)], other=True)
            assert err.value.code == "idempotency_conflict"


def run_example(bank, ops):
    services.rule_update(
        actor=bank.d.root, district=bank.d.district, code="storage_cap_minutes", value=CAP,
        source="性质测试",
    )  # fmt: skip
    services.rule_update(
        actor=bank.d.root, district=bank.d.district, code="daily_deposit_cap_minutes",
        value=100_000, source="性质测试",
    )  # fmt: skip
    example = Example(bank)
    for i, op in enumerate(ops):
        before = example.snapshot()
        changed = len(example.done)
        example.step(i, op)
        if len(example.done) == changed:  # refused, replayed or skipped: nothing was written
            assert example.snapshot() == before
        check_invariants(example.bal)
    assert services.reconcile(district=bank.d.district)["problems"] == []
