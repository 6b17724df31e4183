"""The hour ledger's engine.

The ledger engine (`_post`) is the only code that writes postings. It

1. refuses bad input before touching anything (minutes are positive integers, the key is sane);
2. returns the original transaction when the idempotency key was already used with the same
   payload, and refuses with a conflict when it was used with another;
3. locks the accounts in ascending id order (SELECT … FOR UPDATE), re-checks the key under
   those locks (a concurrent retry of the same payload waited on the same rows), validates
   against the locked balances and rules, then writes the transaction (unique key) and its
   postings — each a link in its own account's hash chain, extended under that account's row
   lock — updates the cached balances and chain tips in one statement and records the audit
   event, all in one database transaction (no district-wide lock: unrelated transfers never
   wait for each other);
4. when it owns the transaction (not nested in a caller's), retries serialization failures,
   deadlocks and SQLite "database is locked" with jittered backoff, so none reaches a user.

On PostgreSQL steps 2–3 are one call of the database function `timebank_post`
(in_database.py; its text: timebank/sql/timebank_post.sql): one round trip, its own transaction, the same checks and the same rows
(hashes, audit event) as the Python engine, which SQLite uses and PostgreSQL keeps for callers
that need a hook in the same transaction. The transfer service also remembers each account's
kind and community per process, and the function re-checks them under the row locks.
"""

import datetime
import random
import time
from collections.abc import Callable

from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Sum

from core import audit, clock
from core.models import Place
from timebank import defaults
from timebank.models import (
    Account,
    AccountKind,
    Posting,
    Transaction,
    TxKind,
    format_minutes,
)
from timebank.services.chain import (
    _counts_as_service,
    _local_day_start,
    fingerprint_of,
    ledger_error,
    new_transaction,
    posting_hash,
)
from timebank.services.common import clean_key
from timebank.services.in_database import _attempt_in_database
from timebank.services.rules import rule_values
from timebank.services.statements import _key_owner, _lock_accounts, _write

MAX_ATTEMPTS = 8


def _replay(existing: Transaction, fingerprint: str) -> Transaction:
    if existing.fingerprint != fingerprint:
        raise ledger_error("idempotency_conflict")
    existing.replayed = True
    return existing


def _retryable(exc: OperationalError) -> bool:
    cause = exc.__cause__
    code = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    if code in ("40001", "40P01", "55P03"):  # serialization failure, deadlock, lock timeout
        return True
    return "database is locked" in str(exc) or "database table is locked" in str(exc)


def _post(
    *,
    actor,
    kind: str,
    key: str,
    place: Place,
    legs: list[tuple[int, int]],
    memo: str = "",
    reverses: Transaction | None = None,
    capped: int | None = None,
    daily: bool = False,
    on_write: Callable[[Transaction], None] | None = None,
    expect: list[tuple[str, int]] | None = None,
) -> Transaction:
    """Write one balanced transaction exactly once per key; see the module docstring.

    `capped`: the account (one of the legs) whose storage cap the write must respect, if it is
    a member's; `daily`: that account's daily deposit cap too. On PostgreSQL (unless `on_write`
    must run in the same transaction) the whole attempt is one call of the database function
    `timebank_post` (timebank/sql/timebank_post.sql); elsewhere the Python engine below does
    the same.
    `expect`: per leg, the (kind, community) the caller decided from remembered facts; the
    function refuses with StaleFacts if they changed (PostgreSQL only)."""
    key = clean_key(key)
    memo = " ".join((memo or "").split())[:200]
    if sum(m for _a, m in legs) != 0 or len({a for a, _m in legs}) != len(legs) or len(legs) < 2:
        raise ValueError("legs must name distinct accounts and sum to zero")
    fingerprint = fingerprint_of(
        kind=kind, legs=legs, memo=memo, reverses_id=reverses.pk if reverses else None,
        place_id=place.pk,
    )  # fmt: skip
    args = dict(
        actor=actor, kind=kind, key=key, fingerprint=fingerprint, place=place, legs=legs,
        memo=memo, reverses=reverses, capped=capped, daily=daily, on_write=on_write,
    )  # fmt: skip
    connection = transaction.get_connection()
    engine = _attempt
    if connection.vendor == "postgresql" and on_write is None:
        del args["on_write"]
        args["expect"] = expect
        engine = _attempt_in_database
    elif expect is not None:
        raise ValueError("remembered facts are only checked by timebank_post")
    if connection.in_atomic_block:
        return engine(**args)  # the caller's transaction: its caller retries, not us
    delay = 0.005
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            if engine is _attempt_in_database:
                return engine(**args)  # one statement: its own transaction
            with transaction.atomic():
                return engine(**args)
        except IntegrityError:
            existing = Transaction.objects.filter(idempotency_key=key).first()
            if existing is None:
                raise
            return _replay(existing, fingerprint)
        except OperationalError as exc:
            if attempt == MAX_ATTEMPTS or not _retryable(exc):
                raise
            time.sleep(delay * (1 + random.random()))  # noqa: S311 - jitter, not security
            delay = min(delay * 2, 0.5)
    raise AssertionError("unreachable")  # pragma: no cover


def _attempt(
    *, actor, kind, key, fingerprint, place, legs, memo, reverses, capped, daily, on_write
) -> Transaction:
    """One try, in the caller's transaction. Round trips: lock the accounts, look up the key,
    write (the transaction, its postings, and the balances and chain tips: one statement on
    PostgreSQL, three on SQLite), insert the audit event (plus what the caps read: the rules
    and today's deposits)."""
    ids = sorted(a for a, _m in legs)
    # Row locks in one fixed order (ascending id) so two writers never wait on each other in
    # a cycle; PostgreSQL applies FOR UPDATE after the sort. These locks also order each
    # account's hash chain: nothing else is locked, so unrelated transfers run in parallel.
    locked = _lock_accounts(ids)
    if len(locked) != len(ids):
        raise ledger_error("account_missing")
    # A retry of the same payload waited on these same row locks: it now sees the original.
    existing = _key_owner(key)
    if existing is not None:
        return _replay(Transaction.objects.get(pk=existing), fingerprint)
    new_balance = _check_legs(locked, legs, place=place, reverses=reverses)
    if capped is not None:
        _check_caps(locked[capped], dict(legs)[capped], daily=daily)
    now = clock.now()
    tx = new_transaction(
        actor=actor, kind=kind, key=key, fingerprint=fingerprint, place=place, legs=legs,
        memo=memo, reverses=reverses, now=now,
    )  # fmt: skip
    postings = _chain(tx, legs, locked, new_balance, counts=_counts_as_service(kind, reverses))
    _write(tx, postings, [locked[a] for a in ids])
    if on_write is not None:
        on_write(tx)
    audit.record_sql(
        actor=actor, action=f"timebank.{kind}", obj=tx, place=place,
        changes={
            "key": key, "memo": memo,
            "postings": {locked[a].name: format_minutes(m) for a, m in legs},
            "reverses": reverses.pk if reverses else None,
        },
    )  # fmt: skip
    tx.replayed = False
    return tx


def _check_legs(locked: dict[int, Account], legs, *, place: Place, reverses) -> dict[int, int]:
    """Under the row locks: a transaction is reversed once, every account is in the district
    and open, and no balance but the issuance account's goes below zero. The new balances."""
    if reverses is not None and Transaction.objects.filter(reverses=reverses).exists():
        raise ledger_error("already_reversed")
    district_id = place.district_id or place.pk
    for account in locked.values():
        if account.district_id != district_id:
            raise ledger_error("other_district")
        if account.is_closed:
            raise ledger_error("account_closed", a=account.name)
    new_balance = {}
    for account_id, amount in legs:
        account = locked[account_id]
        new_balance[account_id] = account.balance + amount
        if account.kind != AccountKind.ISSUANCE and new_balance[account_id] < 0:
            raise ledger_error("insufficient_balance", a=account.name, have=account.balance,
                               need=-amount)  # fmt: skip
    return new_balance


def _chain(tx: Transaction, legs, locked: dict[int, Account], new_balance, *, counts: bool):
    """Each leg's posting row (less its transaction id, in POSTING_FIELDS order), linked onto
    its account's chain; the locked accounts take their new balances and chain tips (and
    lifetime service minutes when `counts`)."""
    postings = []
    for account_id, amount in sorted(legs):
        account = locked[account_id]
        seq = account.chain_seq + 1
        link = posting_hash(
            prev_hash=account.chain_hash, account_id=account_id, seq=seq, amount=amount,
            balance_after=new_balance[account_id], tx_hash=tx.hash,
        )  # fmt: skip
        postings.append(
            (account_id, tx.district_id, amount, new_balance[account_id], tx.created_at, seq,
             account.chain_hash, link)
        )  # fmt: skip
        account.balance, account.chain_seq, account.chain_hash = new_balance[account_id], seq, link
        if account.kind != AccountKind.ISSUANCE and counts:
            account.earned = max(0, account.earned + amount)
    return postings


def deposited_today(account: Account, *, now: datetime.datetime | None = None) -> int:
    """Service minutes deposited into the account since local midnight (unreversed)."""
    start = _local_day_start(now or clock.now())
    total = Posting.objects.filter(
        account=account,
        created_at__gte=start,
        transaction__kind=TxKind.DEPOSIT,
        transaction__reversed_by__isnull=True,
    ).aggregate(total=Sum("amount"))["total"]
    return total or 0


def _check_caps(account: Account, incoming: int, *, daily: bool) -> None:
    """A member's storage cap and, for a deposit, the daily deposit cap (the district's rules),
    checked against the locked balance; `timebank_post` checks the same in the database."""
    if account.kind != AccountKind.MEMBER:
        return
    rules = rule_values(account.district_id)
    cap = rules[defaults.STORAGE_CAP]
    if account.balance + incoming > cap:
        raise ledger_error("over_storage_cap", cap=cap, have=account.balance, add=incoming)
    if daily:
        cap = rules[defaults.DAILY_DEPOSIT_CAP]
        today = deposited_today(account)
        if today + incoming > cap:
            raise ledger_error("over_daily_cap", cap=cap, today=today)


def retrying(func):
    """Run `func` in its own transaction, retrying deadlocks and serialization failures; inside
    a caller's transaction just run it (the outermost caller owns the retries)."""

    def run(**kwargs):
        if transaction.get_connection().in_atomic_block:
            return func(**kwargs)
        delay = 0.005
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                with transaction.atomic():
                    return func(**kwargs)
            except OperationalError as exc:
                if attempt == MAX_ATTEMPTS or not _retryable(exc):
                    raise
                time.sleep(delay * (1 + random.random()))  # noqa: S311 - jitter
                delay = min(delay * 2, 0.5)
        raise AssertionError("unreachable")  # pragma: no cover

    run.__doc__, run.__name__, run.__wrapped__ = func.__doc__, func.__name__, func
    return run
