"""Reconciliation: recompute every balance, transaction sum and hash chain from the postings."""

from django.db.models import Q

from core.models import Place
from timebank.models import (
    GENESIS,
    Account,
    AccountKind,
    Posting,
    Transaction,
)
from timebank.services.chain import posting_hash, tx_hash


def reconcile(*, district: Place | None = None) -> dict:
    """Recompute every balance, every transaction's sum and hash, and every account's chain.

    Returns {"districts", "accounts", "transactions", "problems": [...]} with at most 100
    problems listed (and "problem_count" the full number). Reads only, in batches.
    """
    district_ids = (
        Account.objects.filter(kind=AccountKind.ISSUANCE)
        .order_by("district_id")
        .values_list("district_id", flat=True)
    )
    if district is not None:
        district_ids = district_ids.filter(district=district)
    problems: list[dict] = []
    counts = {"districts": 0, "accounts": 0, "transactions": 0}

    def problem(kind: str, **info) -> None:
        problems.append({"kind": kind, **info})

    for did in list(district_ids):
        counts["districts"] += 1
        _reconcile_transactions(did, counts, problem)
        _reconcile_accounts(did, counts, problem)
        orphan = Posting.objects.filter(district_id=did).exclude(transaction__district_id=did)
        if orphan.exists():
            problem("posting_district", district=did)
    return {**counts, "problem_count": len(problems), "problems": problems[:100]}


def _reconcile_transactions(did: int, counts: dict, problem) -> None:
    """Each transaction balances, has at least two legs and still matches its hash."""
    last = 0
    while True:
        batch = list(Transaction.objects.filter(district_id=did, pk__gt=last).order_by("pk")[:2000])
        if not batch:
            return
        legs: dict[int, list] = {}
        for tx_id, account_id, amount in Posting.objects.filter(
            transaction_id__in=[t.pk for t in batch]
        ).values_list("transaction_id", "account_id", "amount"):
            legs.setdefault(tx_id, []).append((account_id, amount))
        for tx in batch:
            counts["transactions"] += 1
            tx_legs = legs.get(tx.pk, [])
            total = sum(m for _a, m in tx_legs)
            if total != 0 or len(tx_legs) < 2:
                problem("unbalanced", district=did, transaction=tx.pk, sum=total)
            if tx_hash(tx=tx, legs=tx_legs) != tx.hash:
                problem("chain_hash", district=did, transaction=tx.pk)
        last = batch[-1].pk


def _reconcile_accounts(did: int, counts: dict, problem) -> None:
    """Each account's cached balance equals its postings, and its chain runs 1, 2, 3 … with
    every link intact up to the tip stored on the account."""
    accounts = {
        a.pk: a
        for a in Account.objects.filter(district_id=did).only(
            "pk", "balance", "kind", "chain_seq", "chain_hash"
        )
    }
    # per account: [expected seq, previous hash, sum of postings, offset of balance_after]
    state = {pk: [1, GENESIS, 0, 0] for pk in accounts}
    after = (0, 0)
    while True:
        batch = list(
            Posting.objects.filter(district_id=did)
            .filter(Q(account_id__gt=after[0]) | Q(account_id=after[0], seq__gt=after[1]))
            .order_by("account_id", "seq")
            .values_list(
                "account_id", "seq", "amount", "balance_after", "prev_hash", "hash",
                "transaction__hash", "transaction_id",
            )[:5000]
        )  # fmt: skip
        if not batch:
            break
        for account_id, seq, amount, balance_after, prev_hash, link, t_hash, tx_id in batch:
            st = state.setdefault(account_id, [1, GENESIS, 0, 0])
            if seq != st[0]:
                problem("chain_gap", account=account_id, expected=st[0], found=seq)
            if prev_hash != st[1]:
                problem("chain_link", account=account_id, transaction=tx_id)
            expected = posting_hash(
                prev_hash=prev_hash, account_id=account_id, seq=seq, amount=amount,
                balance_after=balance_after, tx_hash=t_hash,
            )  # fmt: skip
            if expected != link:
                problem("chain_hash", account=account_id, transaction=tx_id)
            st[2] += amount
            if balance_after != st[2] - st[3]:
                problem("balance_after", account=account_id, transaction=tx_id)
                st[3] = st[2] - balance_after  # report the break once, not every later row
            st[0], st[1] = seq + 1, link
        after = (batch[-1][0], batch[-1][1])
    for pk, account in accounts.items():
        counts["accounts"] += 1
        next_seq, tip, total, _offset = state[pk]
        if account.balance != total:
            problem(
                "balance_mismatch", district=did, account=pk, cached=account.balance,
                postings=total,
            )  # fmt: skip
        if account.kind != AccountKind.ISSUANCE and account.balance < 0:
            problem("negative_balance", district=did, account=pk)
        if account.chain_seq != next_seq - 1 or account.chain_hash != tip:
            problem("chain_head", district=did, account=pk, head_seq=account.chain_seq,
                    last_seq=next_seq - 1)  # fmt: skip
