"""Every write of the time bank: accounts, the hour ledger, rules, and the exchange.

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

On PostgreSQL steps 2–3 are one call of the database function `timebank_post` (migrations
0008, 0009, 0011): one round trip, its own transaction, the same checks and the same rows
(hashes, audit event) as the Python engine, which SQLite uses and PostgreSQL keeps for callers
that need a hook in the same transaction. The transfer service also remembers each account's
kind and community per process, and the function re-checks them under the row locks.
"""

import datetime
import hashlib
import json
import random
import time
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, OperationalError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audit, clock, personal_data
from core.clock import one_write
from core.models import Person, Place, PlaceLevel
from core.validation import require_perm as _require
from timebank import defaults
from timebank.models import (
    GENESIS,
    MINUTES_PER_HOUR,
    Account,
    AccountKind,
    Category,
    Dispute,
    Listing,
    ListingKind,
    Order,
    Payer,
    Posting,
    Rule,
    Transaction,
    TxKind,
    format_minutes,
)

MAX_MINUTES = 1500 * MINUTES_PER_HOUR  # no single posting may exceed the storage cap
MAX_ATTEMPTS = 8


def clean_minutes(value) -> int:
    """A positive whole number of minutes, at most the storage cap."""
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            if isinstance(value, bool) or isinstance(value, float):
                raise ValueError
            value = int(str(value).strip())
        except (TypeError, ValueError):
            raise ValidationError(_("时长应为整数分钟。"), code="minutes_invalid") from None
    if value <= 0:
        raise ValidationError(_("时长必须大于零分钟。"), code="minutes_not_positive")
    if value > MAX_MINUTES:
        raise ValidationError(
            _("单笔时长不能超过%(max)s。"), params={"max": format_minutes(MAX_MINUTES)},
            code="minutes_too_large",
        )  # fmt: skip
    return value


def clean_key(key) -> str:
    key = (key or "").strip() if isinstance(key, str) else ""
    if not key or len(key) > 255 or not key.isascii() or not key.isprintable():
        raise ValidationError(
            _("幂等键应为1–255个可打印的ASCII字符。"), code="idempotency_key_invalid"
        )
    return key


def community_of(place: Place) -> Place:
    if place.level == PlaceLevel.GRID:
        return place.parent
    if place.level == PlaceLevel.COMMUNITY:
        return place
    raise ValidationError(_("时间银行账户须开在社区或网格。"), code="place_level")


# ---------------------------------------------------------------- rules


def rule_values(district: Place | int) -> dict[str, int]:
    """Every rule's value in the district (its own row, else the default), in one query."""
    district_id = district if isinstance(district, int) else district.pk
    values = {r["code"]: r["value"] for r in defaults.RULES}
    # Plain SQL: it runs on every ledger write, and compiling the ORM query cost more client
    # CPU than sending it. The default rows (no district) come first and the district's own
    # rows after them, so a district's value wins — as rules_for() shows them.
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(RULES_SQL, [district_id])
        values.update(cursor.fetchall())
    return values


RULES_SQL = (
    f"SELECT code, value FROM {Rule._meta.db_table} "  # noqa: S608
    "WHERE district_id IS NULL OR district_id = %s ORDER BY district_id IS NOT NULL"
)


def rule_value(code: str, district: Place | int) -> int:
    """The district's value of a rule, or the default when the district has not set its own."""
    values = rule_values(district)
    if code not in values:
        raise LookupError(code)
    return values[code]


def rules_for(district: Place) -> list[Rule]:
    """Every rule as it applies in the district (its own row, else the default)."""
    own = {r.code: r for r in Rule.objects.filter(district=district)}
    base = {r.code: r for r in Rule.objects.filter(district__isnull=True)}
    return [own.get(code) or base[code] for code in sorted(base)]


@one_write
def rule_update(*, actor, district: Place, code: str, value, source: str) -> Rule:
    """Set a district's value of a rule, with the policy source that justifies it."""
    _require(actor, "timebank.edit_rules", district, _("只有区管理员和区减负办可以修改规则。"))
    if code not in {r["code"] for r in defaults.RULES}:
        raise ValidationError(_("未知规则。"), code="rule_unknown")
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise ValidationError(_("规则取值应为整数。"), code="rule_value") from None
    if code in defaults.BOOLEAN_RULES and value not in (0, 1):
        raise ValidationError(_("开关类规则只能取0或1。"), code="rule_value")
    if value < 0 or (code not in defaults.BOOLEAN_RULES and value == 0):
        raise ValidationError(_("规则取值必须大于零。"), code="rule_value")
    if code == defaults.STORAGE_CAP and value > MAX_MINUTES:
        raise ValidationError(_("存储上限不能超过1500小时。"), code="rule_value")
    source = " ".join((source or "").split())
    if not source:
        raise ValidationError(_("请注明政策依据。"), code="rule_source")
    base = Rule.objects.get(code=code, district__isnull=True)
    rule, _created = Rule.objects.select_for_update().get_or_create(
        district=district, code=code,
        defaults={"name": base.name, "unit": base.unit, "value": value, "source": source[:300]},
    )  # fmt: skip
    old = {"value": rule.value, "source": rule.source}
    rule.value, rule.source, rule.updated_by = value, source[:300], actor
    rule.save()
    audit.record(
        actor=actor, action="timebank.rule_update", obj=rule, place=district,
        changes={"code": code, "value": [old["value"], value], "source": source[:300]},
    )  # fmt: skip
    return rule


# ---------------------------------------------------------------- accounts


def _ledger_init(district: Place) -> Account:
    """The district's issuance account, made once."""
    account = Account.objects.filter(district=district, kind=AccountKind.ISSUANCE).first()
    if account is None:
        try:
            with transaction.atomic():
                account = Account.objects.create(
                    kind=AccountKind.ISSUANCE, name=_("%(d)s服务记账") % {"d": district.name},
                    place=district, district=district,
                )  # fmt: skip
        except IntegrityError:
            account = Account.objects.get(district=district, kind=AccountKind.ISSUANCE)
    return account


def issuance_account(district: Place) -> Account:
    return _ledger_init(district)


@one_write
def member_account_open(*, actor, person: Person) -> Account:
    """A real-name resident's account, in the community they belong to."""
    person = Person.objects.select_related("place").get(pk=person.pk)
    if person.place is None:
        raise ValidationError(_("该居民未登记所属社区。"), code="no_place")
    community = community_of(person.place)
    if not (
        actor.has_perm("timebank.manage_accounts", community)
        or (person.account_id and person.account_id == actor.pk)
    ):
        raise PermissionDenied(_("您无权为该居民开立时间账户。"))
    if not person.id_number_hash:
        raise ValidationError(
            _("时间银行账户须实名：请先登记该居民的身份证号。"), code="not_real_name"
        )
    district = community.district
    _ledger_init(district)
    if Account.objects.filter(person=person, district=district, kind=AccountKind.MEMBER).exists():
        raise ValidationError(_("该居民已有时间账户。"), code="duplicate_account")
    account = Account.objects.create(
        kind=AccountKind.MEMBER, name=person.name, person=person, place=community,
        district=district,
    )  # fmt: skip
    audit.record(
        actor=actor, action="timebank.account_open", obj=account, place=community,
        changes={"kind": account.kind, "name": account.name},
    )  # fmt: skip
    return account


@one_write
def group_account_open(*, actor, community: Place, kind: str, name: str) -> Account:
    """A volunteer team's account or a community fund account."""
    if kind not in (AccountKind.TEAM, AccountKind.FUND):
        raise ValidationError(_("只能开立团队账户或公益基金账户。"), code="kind")
    community = community_of(Place.objects.get(pk=community.pk))
    _require(actor, "timebank.manage_accounts", community)
    name = " ".join((name or "").split())
    if not name or len(name) > 100:
        raise ValidationError(_("请填写账户名称（最多100字）。"), code="name")
    _ledger_init(community.district)
    if Account.objects.filter(place=community, kind=kind, name=name, is_closed=False).exists():
        raise ValidationError(_("本社区已有同名账户。"), code="duplicate_account")
    account = Account.objects.create(
        kind=kind, name=name, place=community, district=community.district
    )
    audit.record(
        actor=actor, action="timebank.account_open", obj=account, place=community,
        changes={"kind": kind, "name": name},
    )  # fmt: skip
    return account


@one_write
def account_close(*, actor, account: Account) -> Account:
    account = Account.objects.select_for_update().get(pk=account.pk)
    _require(actor, "timebank.manage_accounts", account.place)
    if account.kind == AccountKind.ISSUANCE:
        raise ValidationError(_("系统记账账户不能销户。"), code="issuance")
    if account.is_closed:
        raise ValidationError(_("该账户已销户。"), code="closed")
    if account.balance != 0:
        raise ValidationError(
            _("账户仍有%(h)s余额，请先捐赠或转赠后再销户。"),
            params={"h": format_minutes(account.balance)}, code="balance_not_zero",
        )  # fmt: skip
    account.is_closed, account.closed_at = True, clock.now()
    account.save(update_fields=["is_closed", "closed_at"])
    audit.record(actor=actor, action="timebank.account_close", obj=account, place=account.place)
    return account


# ---------------------------------------------------------------- the ledger engine


def fingerprint_of(*, kind, legs, memo, reverses_id, place_id) -> str:
    body = [kind, sorted([int(a), int(m)] for a, m in legs), memo, reverses_id, place_id]
    return hashlib.sha256(json.dumps(body, separators=(",", ":")).encode()).hexdigest()


def tx_hash(*, tx: Transaction, legs) -> str:
    """A transaction's own hash: every field that matters, and its legs."""
    created = tx.created_at.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    body = [
        tx.district_id, tx.place_id, tx.kind, tx.idempotency_key, tx.fingerprint, tx.memo,
        tx.reverses_id, tx.actor_id, created, sorted([int(a), int(m)] for a, m in legs),
    ]  # fmt: skip
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def posting_hash(*, prev_hash: str, account_id: int, seq: int, amount: int, balance_after: int,
                 tx_hash: str) -> str:  # fmt: skip
    """A posting's link in its account's chain: the previous link, the posting and its
    transaction's hash (so a changed transaction row also breaks every chain it is in)."""
    body = f"{prev_hash}|{account_id}|{seq}|{amount}|{balance_after}|{tx_hash}"
    return hashlib.sha256(body.encode()).hexdigest()


# Every refusal of the ledger engine, by code: the Python engine raises them directly, the
# database function `timebank_post` as "timebank:<code>" with the parameters as JSON.
LEDGER_ERRORS = {
    "account_missing": gettext_lazy("账户不存在。"),
    "idempotency_conflict": gettext_lazy(
        "这个幂等键已用于另一笔内容不同的记账，本次未做任何记录。"
    ),
    "already_reversed": gettext_lazy("该笔记账已冲正过，不能重复冲正。"),
    "other_district": gettext_lazy("只能在本区内记账。"),
    "account_closed": gettext_lazy("账户“%(a)s”已销户，不能记账。"),
    "insufficient_balance": gettext_lazy("账户“%(a)s”余额不足：现有%(have)s，需要%(need)s。"),
    "over_storage_cap": gettext_lazy(
        "超过个人存储上限%(cap)s：现有%(have)s，本次%(add)s。超出部分可捐赠。"
    ),
    "over_daily_cap": gettext_lazy("超过每日存入上限%(cap)s：今日已存%(today)s。"),
}
MINUTE_PARAMS = {"have", "need", "cap", "add", "today"}


def ledger_error(code: str, **params) -> ValidationError:
    """The ledger's refusal `code` as a ValidationError in the user's language."""
    params = {k: format_minutes(v) if k in MINUTE_PARAMS else v for k, v in params.items()}
    return ValidationError(LEDGER_ERRORS[code], params=params or None, code=code)


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
    `timebank_post` (migrations 0008, 0009); elsewhere the Python engine below does the same.
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
    if capped is not None:
        _check_caps(locked[capped], dict(legs)[capped], daily=daily)
    now = clock.now()
    tx = Transaction(
        district_id=district_id, place=place, kind=kind, idempotency_key=key,
        fingerprint=fingerprint, memo=memo, reverses=reverses,
        actor=actor if getattr(actor, "pk", None) else None, created_at=now,
    )  # fmt: skip
    tx.hash = tx_hash(tx=tx, legs=legs)
    postings = []  # each posting's row, less its transaction id (in POSTING_FIELDS order)
    for account_id, amount in sorted(legs):
        account = locked[account_id]
        seq = account.chain_seq + 1
        link = posting_hash(
            prev_hash=account.chain_hash, account_id=account_id, seq=seq, amount=amount,
            balance_after=new_balance[account_id], tx_hash=tx.hash,
        )  # fmt: skip
        postings.append(
            (account_id, district_id, amount, new_balance[account_id], now, seq,
             account.chain_hash, link)
        )  # fmt: skip
        account.balance, account.chain_seq, account.chain_hash = new_balance[account_id], seq, link
        if account.kind != AccountKind.ISSUANCE and _counts_as_service(kind, reverses):
            account.earned = max(0, account.earned + amount)
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


RULE_DEFAULTS = {r["code"]: r["value"] for r in defaults.RULES}
POST_SQL = "SELECT tx_id, replayed FROM timebank_post(" + ", ".join(  # noqa: S608
    f"%s::{t}" for t in (
        "text", "text", "text", "bigint", "bigint", "text", "bigint", "bigint", "timestamptz",
        "text", "bigint[]", "bigint[]", "boolean", "bigint", "text", "bigint", "text", "bigint",
        "timestamptz", "text", "text", "text", "text[]", "inet", "text", "text[]", "bigint[]",
    )
) + ")"  # fmt: skip


def _attempt_in_database(
    *, actor, kind, key, fingerprint, place, legs, memo, reverses, capped, daily, expect=None
) -> Transaction:
    """One try as one statement (PostgreSQL): the function `timebank_post` of migration 0008
    locks, checks, writes the transaction, postings, balances and chain tips, and the audit
    event. Outside a transaction the statement is its own; inside the caller's, it runs in a
    savepoint, so a refusal leaves the caller's transaction usable."""
    connection = transaction.get_connection()
    district_id = place.district_id or place.pk
    now = clock.now()
    tx = Transaction(
        district_id=district_id, place=place, kind=kind, idempotency_key=key,
        fingerprint=fingerprint, memo=memo, reverses=reverses,
        actor=actor if getattr(actor, "pk", None) else None, created_at=now,
    )  # fmt: skip
    tx.hash = tx_hash(tx=tx, legs=legs)
    event = audit.row(actor=actor, action=f"timebank.{kind}", place=place)
    params = [
        key, fingerprint, kind, district_id, place.pk, memo, tx.reverses_id, tx.actor_id, now,
        tx.hash, _array([a for a, _m in legs]), _array([m for _a, m in legs]),
        _counts_as_service(kind, reverses), capped,
        defaults.STORAGE_CAP, RULE_DEFAULTS[defaults.STORAGE_CAP],
        defaults.DAILY_DEPOSIT_CAP if daily else None, RULE_DEFAULTS[defaults.DAILY_DEPOSIT_CAP],
        _local_day_start(now) if daily else None,
        event["action"], event["actor_name"], f"{TxKind(kind).label} #",
        _array([format_minutes(m) for _a, m in legs]), event["client_ip"], event["place_path"],
        _array([k for k, _p in expect]) if expect else None,
        _array([p for _k, p in expect]) if expect else None,
    ]  # fmt: skip
    try:
        if connection.in_atomic_block:
            with transaction.atomic():
                tx_id, replayed = _call_post(connection, params)
        else:
            tx_id, replayed = _call_post(connection, params)
    except DatabaseError as exc:
        refusal = _refusal(exc)
        if refusal is None:
            raise
        raise refusal from None
    if replayed:
        existing = Transaction.objects.get(pk=tx_id)
        existing.replayed = True
        return existing
    tx.pk, tx.replayed = tx_id, False
    tx._state.adding, tx._state.db = False, connection.alias
    return tx


def _array(values: list[int] | list[str]) -> str:
    """A PostgreSQL array literal, '{1,-2}' or '{"a","b"}' (cast in POST_SQL): adapting Python
    lists cost psycopg more client CPU than all the call's other parameters."""
    return "{%s}" % ",".join(  # noqa: UP031 - braces of the literal
        str(v) if isinstance(v, int) else '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
        for v in values
    )


class StaleFacts(Exception):
    """What a service remembered about an account no longer holds: decide again from rows."""


def _call_post(connection, params: list) -> tuple[int, bool]:
    """Run POST_SQL on Django's connection (its transaction state, its error classes) with a
    server-side-binding psycopg cursor: psycopg prepares the statement after a few calls, so
    neither side parses it again, and the parameters are sent as they are instead of quoted
    into the text (Django's default cursor interpolates them client-side)."""
    import psycopg  # PostgreSQL's driver; SQLite installs need not have it

    connection.ensure_connection()
    started = time.monotonic()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(POST_SQL, params, prepare=True)
        row = cursor.fetchone()
    if connection.queries_logged:  # as Django's debug cursor does (CaptureQueriesContext)
        connection.queries_log.append(
            {"sql": POST_SQL, "time": f"{time.monotonic() - started:.3f}"}
        )
    return row


def _refusal(exc: DatabaseError) -> Exception | None:
    """The error for a refusal raised by `timebank_post` (a ValidationError, or StaleFacts), or
    None for anything else."""
    diag = getattr(exc.__cause__, "diag", None)
    message = getattr(diag, "message_primary", None) or ""
    if message == "timebank:stale":
        return StaleFacts()
    if not message.startswith("timebank:") or message[9:] not in LEDGER_ERRORS:
        return None
    return ledger_error(message[9:], **json.loads(diag.message_detail or "{}"))


# Per process: accounts with their community, as `_accounts_with_places` reads them, for the
# transfer service. Kind and community never change once an account exists; the community's
# path can (a restructure), and `timebank_post` re-checks all three under the row locks.
# Nothing else is taken from here: balances, names and closure are read under the locks.
_REMEMBERED: dict[int, Account] = {}
REMEMBER_AT_MOST = 20_000


def _remembered_accounts(ids: list[int]) -> dict[int, Account]:
    # .get, not `in` then [], so a clear() from another thread in between cannot KeyError
    found = {pk: account for pk in ids if (account := _REMEMBERED.get(pk)) is not None}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        if len(_REMEMBERED) > REMEMBER_AT_MOST:
            _REMEMBERED.clear()
        loaded = _accounts_with_places(missing)
        _REMEMBERED.update(loaded)
        found.update(loaded)
    return found


def _forget_accounts(ids) -> None:
    for pk in ids:
        _REMEMBERED.pop(pk, None)


# The engine's own statements are plain SQL that SQLite (≥ 3.35) and PostgreSQL both run: with
# the ORM, compiling them cost several times the client CPU of sending them, and client CPU is
# what limits postings per second on a small machine. Everything else uses the ORM.
# In the model's field order, as Model.from_db expects for a subset of columns.
LOCKED_FIELDS = tuple(
    f.attname for f in Account._meta.concrete_fields
    if f.attname in {"id", "kind", "name", "district_id", "place_id", "person_id", "is_closed",
                     "balance", "earned", "chain_seq", "chain_hash"}
)  # fmt: skip


def _lock_accounts(ids: list[int]) -> dict[int, Account]:
    """The accounts, row-locked in ascending id order (SQLite locks the whole database)."""
    connection = transaction.get_connection()
    sql = (
        f"SELECT {', '.join(LOCKED_FIELDS)} FROM {Account._meta.db_table} "  # noqa: S608
        f"WHERE id IN ({', '.join(['%s'] * len(ids))}) ORDER BY id"
    )
    if connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        rows = cursor.fetchall()
    return {row[0]: Account.from_db(connection.alias, LOCKED_FIELDS, row) for row in rows}


# Columns whose raw values are the Python values on both databases (no dates, JSON or
# decimals, which SQLite returns as text); any other field is deferred and loads on access.
RAW_SAFE = ("AutoField", "BigAutoField", "CharField", "TextField", "IntegerField",
            "PositiveIntegerField", "BigIntegerField", "SmallIntegerField",
            "PositiveSmallIntegerField", "ForeignKey", "OneToOneField", "BooleanField")  # fmt: skip
ACCOUNT_COLUMNS = tuple(
    f.attname for f in Account._meta.concrete_fields if f.get_internal_type() in RAW_SAFE
)
PLACE_COLUMNS = tuple(
    f.attname for f in Place._meta.concrete_fields if f.get_internal_type() in RAW_SAFE
)
ACCOUNTS_WITH_PLACES_SQL = (
    f"SELECT {', '.join('a.' + c for c in ACCOUNT_COLUMNS)}, "  # noqa: S608
    f"{', '.join('p.' + c for c in PLACE_COLUMNS)} FROM {Account._meta.db_table} a "
    f"JOIN {Place._meta.db_table} p ON p.id = a.place_id WHERE a.id IN "
)


def _accounts_with_places(ids: list[int]) -> dict[int, Account]:
    """Accounts by id with their places loaded, as select_related("place").in_bulk(ids) —
    in plain SQL, for the transfer path (the ORM's compile cost more CPU than the query)."""
    connection = transaction.get_connection()
    sql = ACCOUNTS_WITH_PLACES_SQL + "(" + ", ".join(["%s"] * len(ids)) + ")"
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        rows = cursor.fetchall()
    split = len(ACCOUNT_COLUMNS)
    accounts = {}
    for row in rows:
        account = Account.from_db(connection.alias, ACCOUNT_COLUMNS, row[:split])
        place = Place.from_db(connection.alias, PLACE_COLUMNS, row[split:])
        Account.place.field.set_cached_value(account, place)
        accounts[account.pk] = account
    return accounts


def _key_owner(key: str) -> int | None:
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {Transaction._meta.db_table} WHERE idempotency_key = %s",  # noqa: S608
            [key],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _insert_rows(model, fields: tuple[str, ...], rows: list[tuple], *, returning: bool = False):
    connection = transaction.get_connection()
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(fields)}) "  # noqa: S608
        f"VALUES {', '.join([one] * len(rows))}" + (" RETURNING id" if returning else "")
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [v for row in rows for v in row])
        return cursor.fetchone()[0] if returning else None


TX_FIELDS = ("district_id", "place_id", "kind", "idempotency_key", "fingerprint", "memo",
             "reverses_id", "actor_id", "created_at", "hash")  # fmt: skip
POSTING_FIELDS = ("transaction_id", "account_id", "district_id", "amount", "balance_after",
                  "created_at", "seq", "prev_hash", "hash")  # fmt: skip


def _db_value(connection, value):
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def _write(tx: Transaction, postings: list[tuple], accounts: list[Account]) -> None:
    """Insert the transaction and its postings and save the accounts' balances and chain tips.
    PostgreSQL: one statement (data-modifying CTEs; the foreign keys and the balance trigger
    are checked at commit as before). SQLite: three."""
    connection = transaction.get_connection()
    tx_row = [_db_value(connection, getattr(tx, f)) for f in TX_FIELDS]
    posting_rows = [[_db_value(connection, v) for v in row] for row in postings]
    tips = [v for a in accounts for v in (a.pk, a.balance, a.earned, a.chain_seq, a.chain_hash)]
    if connection.vendor == "postgresql":
        marks = ", ".join(["%s"] * (len(POSTING_FIELDS) - 1))
        values = ", ".join([f"((SELECT id FROM t), {marks})"] * len(postings))  # noqa: S608
        sql = (
            f"WITH t AS (INSERT INTO {Transaction._meta.db_table} "  # noqa: S608
            f"({', '.join(TX_FIELDS)}) VALUES ({', '.join(['%s'] * len(TX_FIELDS))}) "
            f"RETURNING id), p AS (INSERT INTO {Posting._meta.db_table} "
            f"({', '.join(POSTING_FIELDS)}) VALUES {values}), "
            f"u AS ({_tips_sql(len(accounts))} RETURNING 1) SELECT id FROM t"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*tx_row, *(v for row in posting_rows for v in row), *tips])
            tx.pk = cursor.fetchone()[0]
    else:
        tx.pk = _insert_rows(Transaction, TX_FIELDS, [tuple(tx_row)], returning=True)
        _insert_rows(Posting, POSTING_FIELDS, [(tx.pk, *row) for row in posting_rows])
        with connection.cursor() as cursor:
            cursor.execute(_tips_sql(len(accounts)), tips)
    tx._state.adding, tx._state.db = False, connection.alias


def _tips_sql(n: int) -> str:
    """Balances, lifetime minutes and chain tips of n locked accounts, in one UPDATE (plain
    SQL that SQLite ≥ 3.33 and PostgreSQL both run; building a CASE expression per field
    through the ORM cost more client CPU than the rest of the write)."""
    table = Account._meta.db_table
    rows = ", ".join(["(%s, %s, %s, %s, %s)"] * n)
    return (
        f"UPDATE {table} SET balance = v.column2, earned = v.column3, "  # noqa: S608
        f"chain_seq = v.column4, chain_hash = v.column5 "
        f"FROM (VALUES {rows}) AS v WHERE {table}.id = v.column1"
    )


def _counts_as_service(kind: str, reverses: Transaction | None) -> bool:
    """Deposits raise lifetime service hours (star levels); their reversal lowers them."""
    return kind == TxKind.DEPOSIT or (
        kind == TxKind.REVERSAL and reverses is not None and reverses.kind == TxKind.DEPOSIT
    )


def _local_day_start(moment: datetime.datetime) -> datetime.datetime:
    local = timezone.localtime(moment)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


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


def _service_place(actor, account: Account, place: Place | None) -> Place:
    """Where the ledger write happens; district-wide exchange decides if it may differ."""
    place = community_of(account.place if place is None else Place.objects.get(pk=place.pk))
    if place.district_id != account.district_id:
        raise ValidationError(_("只能在本区内记账。"), code="other_district")
    if place.pk != account.place_id and not rule_value(defaults.DISTRICT_WIDE, place.district_id):
        raise ValidationError(
            _("本区未开通通存通兑：只能在账户所属社区存入和支取。"), code="not_district_wide"
        )
    return place


def deposit(
    *, actor, account: Account, minutes, key: str, memo: str = "", place: Place | None = None,
    on_write: Callable[[Transaction], None] | None = None, _perm: str = "timebank.record",
) -> Transaction:  # fmt: skip
    """Verified service minutes into a member's or team's account, minted by the district.
    (`_perm`: a dispute's correction re-posts under the reversing officer's permission.)"""
    minutes = clean_minutes(minutes)
    account = Account.objects.select_related("place").get(pk=account.pk)
    if account.kind not in (AccountKind.MEMBER, AccountKind.TEAM):
        raise ValidationError(_("服务时间只能存入个人或团队账户。"), code="kind")
    place = _service_place(actor, account, place)
    _require(actor, _perm, place, _("只有社区工作者可以审核入账。"))
    issuance = issuance_account(account.district)
    return _post(
        actor=actor, kind=TxKind.DEPOSIT, key=key, place=place, memo=memo, capped=account.pk,
        daily=True, legs=[(issuance.pk, -minutes), (account.pk, minutes)], on_write=on_write,
    )  # fmt: skip


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def withdraw(
    *, actor, account: Account, minutes, key: str, memo: str = "", place: Place | None = None,
    _perm: str = "timebank.record",
) -> Transaction:  # fmt: skip
    """Stored minutes exchanged for service received (member aged 60+, or a fund)."""
    minutes = clean_minutes(minutes)
    account = Account.objects.select_related("place", "person").get(pk=account.pk)
    if account.kind == AccountKind.TEAM:
        raise ValidationError(_("团队志愿时间只能捐赠，不能支取。"), code="team_donate_only")
    if account.kind not in (AccountKind.MEMBER, AccountKind.FUND):
        raise ValidationError(_("该账户不能支取。"), code="kind")
    place = _service_place(actor, account, place)
    _require(actor, _perm, place, _("只有社区工作者可以办理支取。"))
    if account.kind == AccountKind.MEMBER:
        min_age = rule_value(defaults.WITHDRAWAL_AGE, account.district_id)
        birth = account.person.birth_date
        if birth is None:
            raise ValidationError(_("未登记出生日期，无法核验支取年龄。"), code="no_birth_date")
        age = age_on(birth, clock.today())
        if age < min_age:
            raise ValidationError(
                _("年满%(min)d周岁方可支取本人存储的时间（现年%(age)d周岁）。"),
                params={"min": min_age, "age": age}, code="under_withdrawal_age",
            )  # fmt: skip
    issuance = issuance_account(account.district)
    return _post(
        actor=actor, kind=TxKind.WITHDRAWAL, key=key, place=place, memo=memo,
        legs=[(account.pk, -minutes), (issuance.pk, minutes)],
    )  # fmt: skip


def transfer(
    *, actor, source: Account, target: Account, minutes, key: str, relation: str
) -> Transaction:
    """Give stored minutes to a relative; a community worker verifies the relation."""
    minutes = clean_minutes(minutes)
    if source.pk == target.pk:
        raise ValidationError(_("不能转给自己。"), code="same_account")
    args = dict(actor=actor, ids=(source.pk, target.pk), minutes=minutes, key=key)
    try:
        return _transfer(**args, relation=relation, remembered=True)
    except StaleFacts:
        _forget_accounts(args["ids"])
        return _transfer(**args, relation=relation, remembered=False)


def _transfer(*, actor, ids, minutes, key, relation, remembered: bool) -> Transaction:
    """`transfer` deciding from the accounts' remembered kind and community (PostgreSQL, where
    `timebank_post` re-checks them under the row locks) or from fresh rows."""
    remembered = remembered and transaction.get_connection().vendor == "postgresql"
    both = (_remembered_accounts if remembered else _accounts_with_places)(list(ids))
    if len(both) != 2:
        raise Account.DoesNotExist
    source, target = both[ids[0]], both[ids[1]]
    if source.kind == AccountKind.TEAM:
        raise ValidationError(_("团队志愿时间只能捐赠，不能转赠。"), code="team_donate_only")
    if source.kind != AccountKind.MEMBER or target.kind != AccountKind.MEMBER:
        raise ValidationError(_("只能在个人账户之间转赠亲属。"), code="kind")
    relation = " ".join((relation or "").split())
    if not relation:
        raise ValidationError(_("请填写与受赠人的亲属关系。"), code="relation_required")
    place = _service_place(actor, source, None)
    # A community worker may always record it; the account's owner only where the district
    # does not require a worker to verify the relation (the rule is read only then).
    if not actor.has_perm("timebank.record", place):
        if remembered:
            raise StaleFacts  # the owner's own permission is decided from fresh rows
        if rule_value(defaults.RELATIVE_TRANSFER_BY_WORKER, source.district_id):
            raise PermissionDenied(_("转赠亲属须由社区工作者核实亲属关系后办理。"))
        if not actor.has_perm("timebank.use_account", source):
            raise PermissionDenied(_("您无权从该账户转出。"))
    return _post(
        actor=actor, kind=TxKind.TRANSFER, key=key, place=place, capped=target.pk,
        memo=_("亲属关系：%(r)s") % {"r": relation[:60]},
        legs=[(source.pk, -minutes), (target.pk, minutes)],
        expect=[(a.kind, a.place_id) for a in (source, target)] if remembered else None,
    )  # fmt: skip


def donate(
    *, actor, source: Account, fund: Account, minutes, key: str, memo: str = ""
) -> Transaction:
    """Give stored minutes (a member's or a team's) to a community fund."""
    minutes = clean_minutes(minutes)
    source = Account.objects.select_related("place", "person").get(pk=source.pk)
    fund = Account.objects.select_related("place").get(pk=fund.pk)
    if fund.kind != AccountKind.FUND:
        raise ValidationError(_("只能捐赠给社区公益基金账户。"), code="kind")
    if source.kind not in (AccountKind.MEMBER, AccountKind.TEAM):
        raise ValidationError(_("只有个人和团队账户可以捐赠。"), code="kind")
    if not rule_value(defaults.DONATIONS_ALLOWED, source.district_id):
        raise ValidationError(_("本区暂未开放时间捐赠。"), code="donations_off")
    place = _service_place(actor, source, fund.place)
    if not (
        actor.has_perm("timebank.use_account", source)
        or actor.has_perm("timebank.record", source.place)
    ):
        raise PermissionDenied(_("只有账户本人或社区工作者可以办理捐赠。"))
    return _post(
        actor=actor, kind=TxKind.DONATION, key=key, place=place, memo=memo,
        legs=[(source.pk, -minutes), (fund.pk, minutes)],
    )  # fmt: skip


def reverse(*, actor, original: Transaction, key: str, reason: str) -> Transaction:
    """Correct a transaction by its exact opposite; once, and never a reversal itself."""
    original = Transaction.objects.select_related("place").get(pk=original.pk)
    _require(actor, "timebank.reverse", original.place, _("只有街道或区管理员可以冲正。"))
    if original.kind == TxKind.REVERSAL:
        raise ValidationError(_("冲正记录不能再冲正。"), code="reverse_reversal")
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError(_("请填写冲正原因。"), code="reason_required")
    legs = [(p.account_id, -p.amount) for p in original.postings.all()]
    return _post(
        actor=actor, kind=TxKind.REVERSAL, key=key, place=original.place, reverses=original,
        memo=_("冲正 #%(id)s：%(r)s") % {"id": original.pk, "r": reason[:150]}, legs=legs,
    )  # fmt: skip


# ---------------------------------------------------------------- reconciliation


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


# ---------------------------------------------------------------- the exchange


def member_account_of(user) -> Account | None:
    """The user's own member account, if they have one."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Account.objects.filter(kind=AccountKind.MEMBER, person__account=user, is_closed=False)
        .select_related("place", "person")
        .first()
    )


def _clean_text(value: str, label: str, limit: int, *, required: bool = True) -> str:
    value = " ".join((value or "").split()) if limit <= 100 else (value or "").strip()
    if required and not value:
        raise ValidationError(_("请填写%(label)s。"), params={"label": label}, code="required")
    if len(value) > limit:
        raise ValidationError(
            _("%(label)s过长（最多%(n)d字）。"),
            params={"label": label, "n": limit},
            code="too_long",
        )
    return value


@one_write
def listing_create(
    *,
    actor,
    kind: str,
    category: str,
    title: str,
    minutes,
    detail: str = "",
    wanted_at: datetime.datetime | None = None,
    recipient: Person | None = None,
    payer: str = Payer.NONE,
    contact_mobile: str = "",
    skills: str = "",
    weekdays: str = "",
    start_time: datetime.time | None = None,
    end_time: datetime.time | None = None,
) -> Listing:
    """Post a need (for oneself or a family member) or an offer.

    A resident with a time-bank account posts for themself; a community worker may post a need
    for a resident of their community (e.g. an elder without a phone). An offer says what the
    volunteer can do (category, skills) and when (weekdays and a daily window, or any time);
    it is placed in the volunteer's own community.
    """
    if kind not in ListingKind.values:
        raise ValidationError(_("请选择需求或服务。"), code="kind")
    if category not in Category.values:
        raise ValidationError(_("请选择服务类别。"), code="category")
    if payer not in Payer.values:
        raise ValidationError(_("请选择时间由谁支付。"), code="payer")
    title = _clean_text(title, _("标题"), 100)
    detail = _clean_text(detail, _("说明"), 2000, required=False)
    minutes = clean_minutes(minutes)
    if minutes > 8 * MINUTES_PER_HOUR:
        raise ValidationError(_("单次服务预计时长不能超过8小时。"), code="minutes_too_large")
    own = member_account_of(actor)
    if recipient is not None:
        recipient = Person.objects.select_related("place").get(pk=recipient.pk)
        if recipient.place is None:
            raise ValidationError(_("服务对象未登记所属社区。"), code="no_place")
        place = community_of(recipient.place)
        if not (
            actor.has_perm("timebank.record", place)
            or (own is not None and own.person_id == recipient.pk)
        ):
            raise PermissionDenied(_("只有社区工作者可以代居民发布需求。"))
    else:
        if own is None:
            raise ValidationError(
                _("请先到社区开立时间银行账户（实名）后再发布。"), code="no_account"
            )
        place = own.place
        recipient = own.person if kind == ListingKind.NEED else None
    if kind == ListingKind.OFFER:
        if own is None or recipient not in (None, own.person):
            raise ValidationError(_("服务只能由有时间账户的居民本人发布。"), code="offer_not_own")
        recipient, payer, place = None, Payer.NONE, own.place
        skills = _clean_text(skills, _("技能"), 100, required=False)
        weekdays, start_time, end_time = _clean_window(weekdays, start_time, end_time)
    else:
        skills, weekdays, start_time, end_time = "", "", None, None
    if payer == Payer.SELF:
        account = Account.objects.filter(
            kind=AccountKind.MEMBER, person=recipient, district=place.district, is_closed=False
        ).first()
        if account is None:
            raise ValidationError(_("服务对象没有时间账户，不能用本人时间支付。"), code="no_payer")
        min_age = rule_value(defaults.WITHDRAWAL_AGE, place.district_id)
        birth = recipient.birth_date
        if birth is None or age_on(birth, clock.today()) < min_age:
            raise ValidationError(
                _("年满%(min)d周岁方可用本人存储的时间支付服务。"), params={"min": min_age},
                code="under_withdrawal_age",
            )  # fmt: skip
    if payer == Payer.FUND:
        _check_fund_eligibility(actor=actor, recipient=recipient, place=place)
    contact = None
    if (contact_mobile or "").strip():
        try:
            digest = personal_data.mobile_hash(contact_mobile)
        except ValidationError:
            raise ValidationError(_("家属手机号格式不正确。"), code="contact_mobile") from None
        person = Person.objects.filter(mobile_hash=digest, account__isnull=False).first()
        if person is None:
            raise ValidationError(
                _("没有找到使用该手机号登录的居民，请家属先开通账号。"), code="contact_unknown"
            )
        contact = person.account
    if wanted_at is not None and wanted_at < clock.now() - datetime.timedelta(hours=1):
        raise ValidationError(_("服务时间不能早于现在。"), code="wanted_at_past")
    listing = Listing.objects.create(
        kind=kind, category=category, title=title, detail=detail, minutes=minutes,
        wanted_at=wanted_at, poster=actor, recipient=recipient, place=place,
        district=place.district, payer=payer, contact=contact, skills=skills, weekdays=weekdays,
        start_time=start_time, end_time=end_time,
    )  # fmt: skip
    audit.record(
        actor=actor, action="timebank.listing_create", obj=listing, place=place,
        changes={"kind": kind, "title": title, "minutes": minutes, "payer": payer},
    )  # fmt: skip
    return listing


def local_time_of_day(value):
    """A daily time as Beijing wall-clock time (naive). A time or date-time with an offset
    (09:00+08:00, 01:00Z, 2026-12-10T09:00:00+08:00) is moved into Beijing time; one without
    is taken as Beijing time already; a date-time's date is dropped (the window repeats)."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.time().replace(tzinfo=None)
    if isinstance(value, datetime.time) and value.utcoffset() is not None:
        moment = datetime.datetime.combine(clock.today(), value)
        return timezone.localtime(moment).time().replace(tzinfo=None)
    return value


def _clean_window(weekdays, start_time, end_time):
    """ISO weekdays as sorted distinct digits 1–7, and a daily window with start before end
    (both or neither), in Beijing time."""
    weekdays = "".join(sorted(set(str(weekdays or "").replace(",", "").replace(" ", ""))))
    if any(d not in "1234567" for d in weekdays):
        raise ValidationError(_("可服务的星期应为周一到周日。"), code="weekdays")
    start_time, end_time = local_time_of_day(start_time), local_time_of_day(end_time)
    if (start_time is None) != (end_time is None):
        raise ValidationError(_("请同时填写开始和结束时间，或都不填（任何时间）。"), code="window")
    if start_time is not None and start_time >= end_time:
        raise ValidationError(_("结束时间应晚于开始时间。"), code="window")
    return weekdays, start_time, end_time


@one_write
def listing_close(*, actor, listing: Listing) -> Listing:
    """The poster withdraws an open need or offer (a community worker of the place may too)."""
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    if listing.poster_id != actor.pk and not actor.has_perm("timebank.record", listing.place):
        raise PermissionDenied(_("只有发布人或本社区的社区工作者可以撤下。"))
    if listing.status != Listing.Status.OPEN:
        raise ValidationError(_("只能撤下待接单的需求或服务。"), code="not_open")
    listing.status = Listing.Status.CANCELLED
    listing.save(update_fields=["status"])
    audit.record(
        actor=actor, action="timebank.listing_close", obj=listing, place=listing.place,
        changes={"kind": listing.kind, "title": listing.title},
    )  # fmt: skip
    return listing


PRIORITY_TAGS_ALONE = ("living_alone",)
PRIORITY_TAGS_YOUNGER = ("living_alone", "disabled", "dibao")
TAG_LABELS = {
    "living_alone": gettext_lazy("独居"),
    "disabled": gettext_lazy("残疾"),
    "dibao": gettext_lazy("低保"),
}


def fund_ineligibility(person: Person | None, *, district_id: int) -> str | None:
    """Why the community fund may not pay for serving `person`, or None when they are a
    priority elder: aged at least the rule's age (80) and living alone, or 60 up to that age
    and living alone, disabled and on the minimum living allowance (低保). Age comes from the
    birth date; living conditions from the resident's current status tags in the shared
    registry (recorded there by the community or the civil-affairs department)."""
    from registry import selectors as registry_selectors

    if person is None or person.birth_date is None:
        return _("公益基金只为登记了出生日期的老人支付。")
    age = age_on(person.birth_date, clock.today())
    if age < 60:
        return _("公益基金只为60周岁以上的优先服务老人支付（服务对象现年%(age)d周岁）。") % {
            "age": age
        }
    priority_age = rule_value(defaults.PRIORITY_AGE_ALONE, district_id)
    tags = registry_selectors.status_tags_of(person)
    wanted = PRIORITY_TAGS_ALONE if age >= priority_age else PRIORITY_TAGS_YOUNGER
    missing = [TAG_LABELS[t] for t in wanted if t not in tags]
    if not missing:
        return None
    if age >= priority_age:
        return _(
            "公益基金优先服务%(min)d周岁以上的独居老人：共享台账中没有该老人“独居”的登记。"
            "请社区工作者核实后在共享台账登记。"
        ) % {"min": priority_age}
    return _(
        "%(min)d周岁以下的老人须独居、残疾且享受低保方可由公益基金支付；共享台账中缺少：%(tags)s。"
        "请社区工作者核实后在共享台账登记。"
    ) % {"min": priority_age, "tags": "、".join(str(m) for m in missing)}


def _check_fund_eligibility(*, actor, recipient: Person | None, place: Place) -> None:
    reason = fund_ineligibility(recipient, district_id=place.district_id)
    if reason is not None:
        raise ValidationError(reason, code="fund_ineligible")


def _locked_order(order: Order) -> Order:
    return (
        Order.objects.select_for_update(of=("self",))
        .select_related("listing", "volunteer", "volunteer__person", "place")
        .get(pk=order.pk)
    )


def _expect(order: Order, *statuses) -> None:
    if order.status not in statuses:
        raise ValidationError(
            _("该服务当前状态为“%(s)s”，不能进行此操作。"),
            params={"s": order.get_status_display()}, code="wrong_status",
        )  # fmt: skip


@one_write
def order_take(*, actor, listing: Listing) -> Order:
    """A volunteer takes an open need (接单)."""
    volunteer = member_account_of(actor)
    if volunteer is None:
        raise ValidationError(_("请先开立时间银行账户（实名）后再接单。"), code="no_account")
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    if listing.kind != ListingKind.NEED:
        raise ValidationError(_("只能接需求单。"), code="kind")
    if listing.status != Listing.Status.OPEN:
        raise ValidationError(_("该需求已被接单或已关闭。"), code="not_open")
    if listing.recipient_id == volunteer.person_id or listing.poster_id == actor.pk:
        raise ValidationError(_("不能接自己发布的需求。"), code="own_listing")
    if listing.district_id != volunteer.district_id:
        raise ValidationError(_("只能接本区的需求。"), code="other_district")
    if listing.place_id != volunteer.place_id and not rule_value(
        defaults.DISTRICT_WIDE, listing.district_id
    ):
        raise ValidationError(
            _("本区未开通通存通兑：只能接本社区的需求。"), code="not_district_wide"
        )
    order = Order.objects.create(
        listing=listing, volunteer=volunteer, place=listing.place, district=listing.district
    )
    listing.status = Listing.Status.TAKEN
    listing.save(update_fields=["status"])
    audit.record(actor=actor, action="timebank.order_take", obj=order, place=listing.place)
    return order


def _require_volunteer(actor, order: Order) -> None:
    if order.volunteer.person.account_id != actor.pk:
        raise PermissionDenied(_("只有接单的志愿者本人可以签到签退。"))


@one_write
def order_sign_in(*, actor, order: Order) -> Order:
    order = _locked_order(order)
    _require_volunteer(actor, order)
    _expect(order, Order.Status.TAKEN)
    order.status, order.signed_in_at = Order.Status.SIGNED_IN, clock.now()
    order.save(update_fields=["status", "signed_in_at"])
    audit.record(actor=actor, action="timebank.order_sign_in", obj=order, place=order.place)
    return order


@one_write
def order_sign_out(*, actor, order: Order) -> Order:
    order = _locked_order(order)
    _require_volunteer(actor, order)
    _expect(order, Order.Status.SIGNED_IN)
    now = clock.now()
    measured = max(1, round((now - order.signed_in_at).total_seconds() / 60))
    order.status, order.signed_out_at, order.minutes = Order.Status.SIGNED_OUT, now, measured
    order.save(update_fields=["status", "signed_out_at", "minutes"])
    audit.record(
        actor=actor, action="timebank.order_sign_out", obj=order, place=order.place,
        changes={"measured_minutes": measured},
    )  # fmt: skip
    return order


def can_confirm(user, order: Order) -> bool:
    """The person served (their own login), or the family member who posted the need or was
    named as its contact."""
    listing = order.listing
    if order.volunteer.person.account_id == user.pk:
        return False
    if user.pk in (listing.poster_id, listing.contact_id):
        return True
    return listing.recipient is not None and listing.recipient.account_id == user.pk


@one_write
def order_confirm(*, actor, order: Order, minutes, rating=None) -> Order:
    """The person served or their family confirms the service and the minutes, and rates it."""
    order = _locked_order(order)
    if not can_confirm(actor, order):
        raise PermissionDenied(_("只有服务对象本人或发布需求的家属可以确认服务。"))
    _expect(order, Order.Status.SIGNED_OUT)
    minutes = clean_minutes(minutes)
    most = max(order.minutes or 0, order.listing.minutes)
    if minutes > most:
        raise ValidationError(
            _("确认时长不能超过签到签退时长或约定时长（%(h)s）。"),
            params={"h": format_minutes(most)}, code="minutes_over_measured",
        )  # fmt: skip
    if rating not in (None, ""):
        try:
            rating = int(rating)
        except (TypeError, ValueError):
            rating = 0
        if not 1 <= rating <= 5:
            raise ValidationError(_("评价应为1–5星。"), code="rating")
    else:
        rating = None
    order.status, order.minutes, order.rating = Order.Status.CONFIRMED, minutes, rating
    order.confirmed_by, order.confirmed_at = actor, clock.now()
    order.save(update_fields=["status", "minutes", "rating", "confirmed_by", "confirmed_at"])
    audit.record(
        actor=actor, action="timebank.order_confirm", obj=order, place=order.place,
        changes={"minutes": minutes, "rating": rating},
    )  # fmt: skip
    return order


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


@retrying
def order_approve(*, actor, order: Order) -> Order:
    """A community worker approves a confirmed service: the volunteer's deposit, and, when the
    need is paid in time, the withdrawal from the person served or the community fund — all in
    one database transaction, each posting under a key derived from the order (a double click
    or a retry cannot post twice)."""
    order = _locked_order(order)
    _require(actor, "timebank.record", order.place, _("只有本社区的社区工作者可以审核。"))
    _expect(order, Order.Status.CONFIRMED)
    if order.confirmed_by_id == actor.pk:
        raise PermissionDenied(_("确认服务的人不能再审核同一服务，请由另一位社区工作者审核。"))
    if order.disputes.filter(status=Dispute.Status.OPEN).exists():
        raise ValidationError(_("该服务有未处理的异议，处理后才能审核。"), code="dispute_open")
    listing = order.listing
    payer = None
    if listing.payer == Payer.SELF:
        payer = Account.objects.filter(
            kind=AccountKind.MEMBER, person_id=listing.recipient_id, district=order.district
        ).first()
        if payer is None:
            raise ValidationError(_("服务对象没有时间账户，无法用本人时间支付。"), code="no_payer")
    elif listing.payer == Payer.FUND:
        payer = (
            Account.objects.filter(kind=AccountKind.FUND, place=order.place, is_closed=False)
            .order_by("-balance", "pk")
            .first()
        )
        if payer is None:
            raise ValidationError(_("本社区没有公益基金账户。"), code="no_fund")
    order.deposit, order.payment = _post_order(
        actor=actor, order=order, minutes=order.minutes, payer=payer, suffix=""
    )
    order.status, order.approved_by, order.approved_at = (
        Order.Status.APPROVED, actor, clock.now(),
    )  # fmt: skip
    order.save(update_fields=["status", "approved_by", "approved_at", "deposit", "payment"])
    Listing.objects.filter(pk=listing.pk).update(status=Listing.Status.DONE)
    audit.record(
        actor=actor, action="timebank.order_approve", obj=order, place=order.place,
        changes={"minutes": order.minutes, "deposit": order.deposit_id, "payment": order.payment_id},
    )  # fmt: skip
    return order


def _post_order(*, actor, order: Order, minutes: int, payer: Account | None, suffix: str,
                perm: str = "timebank.record") -> tuple[Transaction, Transaction | None]:  # fmt: skip
    """The volunteer's deposit and, when the service is paid in time, the payer's withdrawal,
    in the caller's transaction, under keys derived from the order (and `suffix` for a
    re-posting after a dispute)."""
    listing = order.listing
    memo = _("%(c)s：%(t)s") % {"c": listing.get_category_display(), "t": listing.title[:80]}
    # Every account of both postings locked up front in id order, so the two postings never
    # wait on each other's rows in a cycle with another writer.
    ids = sorted(
        {order.volunteer_id, issuance_account(order.district).pk}
        | ({payer.pk} if payer is not None else set())
    )
    list(Account.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    payment = None
    if payer is not None:
        payment = withdraw(
            actor=actor, account=payer, minutes=minutes, key=f"order-{order.pk}-payment{suffix}",
            memo=memo, place=order.place, _perm=perm,
        )  # fmt: skip
    made = deposit(
        actor=actor, account=order.volunteer, minutes=minutes,
        key=f"order-{order.pk}-deposit{suffix}", memo=memo, place=order.place, _perm=perm,
    )  # fmt: skip
    return made, payment


@one_write
def order_reject(*, actor, order: Order, reason: str) -> Order:
    """A worker does not approve (e.g. the service did not happen); the need opens again."""
    order = _locked_order(order)
    _require(actor, "timebank.record", order.place, _("只有本社区的社区工作者可以审核。"))
    _expect(order, Order.Status.CONFIRMED, Order.Status.SIGNED_OUT)
    if order.disputes.filter(status=Dispute.Status.OPEN).exists():
        raise ValidationError(_("该服务有未处理的异议，请先处理异议。"), code="dispute_open")
    reason = _clean_text(reason, _("驳回理由"), 200)
    order.status, order.note = Order.Status.REJECTED, reason
    order.approved_by, order.approved_at = actor, clock.now()
    order.save(update_fields=["status", "note", "approved_by", "approved_at"])
    Listing.objects.filter(pk=order.listing_id).update(status=Listing.Status.OPEN)
    audit.record(
        actor=actor, action="timebank.order_reject", obj=order, place=order.place,
        changes={"reason": reason},
    )  # fmt: skip
    return order


@one_write
def order_cancel(*, actor, order: Order) -> Order:
    """The volunteer gives the order back before signing in; the need opens again."""
    order = _locked_order(order)
    _require_volunteer(actor, order)
    _expect(order, Order.Status.TAKEN)
    order.status = Order.Status.CANCELLED
    order.save(update_fields=["status"])
    Listing.objects.filter(pk=order.listing_id).update(status=Listing.Status.OPEN)
    audit.record(actor=actor, action="timebank.order_cancel", obj=order, place=order.place)
    return order


# ---------------------------------------------------------------- ratings and disputes


def side_of(user, order: Order) -> str | None:
    """ "volunteer", "served" (the person served or their family), or None."""
    if order.volunteer.person.account_id == user.pk:
        return "volunteer"
    if can_confirm(user, order):
        return "served"
    return None


def _clean_rating(value) -> int:
    """A whole number of stars, 1–5 (3.5 or True are not ratings)."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        value = 0
    if not 1 <= value <= 5:
        raise ValidationError(_("评价应为1–5星。"), code="rating")
    return value


RATEABLE = (Order.Status.SIGNED_OUT, Order.Status.CONFIRMED, Order.Status.APPROVED)


@one_write
def order_rate(*, actor, order: Order, rating, comment: str = "") -> Order:
    """Each side rates the service once after it: the person served (or their family) the
    volunteer's service, the volunteer the visit."""
    order = _locked_order(order)
    side = side_of(actor, order)
    if side is None:
        raise PermissionDenied(_("只有服务双方可以评价。"))
    _expect(order, *RATEABLE)
    if side == "served" and order.status == Order.Status.SIGNED_OUT:
        raise ValidationError(_("请在确认服务时评价。"), code="rate_when_confirming")
    rating = _clean_rating(rating)
    comment = _clean_text(comment, _("评价说明"), 200, required=False)
    field, note = (
        ("volunteer_rating", "volunteer_comment")
        if side == "volunteer"
        else ("rating", "rating_comment")
    )
    if getattr(order, field) is not None:
        raise ValidationError(_("您已评价过这次服务。"), code="already_rated")
    setattr(order, field, rating)
    setattr(order, note, comment)
    order.save(update_fields=[field, note])
    audit.record(
        actor=actor, action="timebank.order_rate", obj=order, place=order.place,
        changes={"side": side, "rating": rating, "comment": comment},
    )  # fmt: skip
    return order


DISPUTABLE = (Order.Status.SIGNED_OUT, Order.Status.CONFIRMED, Order.Status.APPROVED)


@one_write
def dispute_raise(*, actor, order: Order, reason: str) -> Dispute:
    """Either side disagrees with a service (e.g. it did not happen, the minutes are wrong).
    Before approval the open dispute blocks approval; after, it waits for a correction."""
    order = _locked_order(order)
    side = side_of(actor, order)
    if side is None:
        raise PermissionDenied(_("只有服务双方可以提出异议。"))
    _expect(order, *DISPUTABLE)
    reason = _clean_text(reason, _("异议理由"), 500)
    if order.disputes.filter(status=Dispute.Status.OPEN).exists():
        raise ValidationError(_("这次服务已有异议在处理中。"), code="dispute_open")
    dispute = Dispute.objects.create(
        order=order, place=order.place, district=order.district, raised_by=actor, side=side,
        reason=reason, after_approval=order.status == Order.Status.APPROVED,
        minutes_before=order.minutes,
    )  # fmt: skip
    audit.record(
        actor=actor, action="timebank.dispute_raise", obj=dispute, place=order.place,
        changes={"order": order.pk, "side": side, "reason": reason},
    )  # fmt: skip
    return dispute


OUTCOMES = ("uphold", "adjust", "reverse")


@retrying
def dispute_resolve(*, actor, dispute: Dispute, outcome: str, note: str, minutes=None) -> Dispute:
    """A worker who is not a party decides a dispute.

    Before approval (a community worker of the place): uphold the record, or adjust the
    minutes; approval then proceeds as usual. After approval the ledger is corrected only by
    reversal, so a street officer or district admin decides: uphold; reverse (the deposit and
    any payment are reversed, the order is marked reversed); or adjust (reverse, then post the
    adjusted minutes again). A transaction is reversed at most once.
    """
    dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
    order = _locked_order(dispute.order)
    after = order.status == Order.Status.APPROVED
    perm = "timebank.reverse" if after else "timebank.record"
    _require(
        actor, perm, order.place,
        _("已入账服务的异议须由街道或区管理员处理（冲正）。") if after
        else _("只有本社区的社区工作者可以处理异议。"),
    )  # fmt: skip
    if actor.pk in (dispute.raised_by_id, order.confirmed_by_id, order.listing.poster_id) or (
        side_of(actor, order) is not None
    ):
        raise PermissionDenied(_("服务的当事人不能处理这条异议，请由其他工作人员处理。"))
    if dispute.status != Dispute.Status.OPEN:
        raise ValidationError(_("这条异议已处理。"), code="dispute_closed")
    if outcome not in OUTCOMES:
        raise ValidationError(_("请选择处理方式。"), code="outcome")
    note = _clean_text(note, _("处理意见"), 500)
    if outcome == "reverse" and not after:
        raise ValidationError(
            _("尚未入账，无需冲正：请维持、调整时长，或驳回这次服务。"), code="nothing_posted"
        )
    if after and order.deposit_id is None:  # pragma: no cover - approval always deposits
        raise ValidationError(_("该服务没有入账记录。"), code="nothing_posted")
    new_minutes = None
    if outcome == "adjust":
        new_minutes = clean_minutes(minutes)
        most = max(order.measured_minutes or 0, order.listing.minutes)
        if new_minutes > most:
            raise ValidationError(
                _("调整后的时长不能超过签到签退时长或约定时长（%(h)s）。"),
                params={"h": format_minutes(most)}, code="minutes_over_measured",
            )  # fmt: skip
        if new_minutes == order.minutes:
            raise ValidationError(_("调整后的时长与原时长相同。"), code="minutes_unchanged")
    fields = []
    if after and outcome in ("adjust", "reverse"):
        payer = None
        if order.payment_id:
            payer = order.payment.postings.get(amount__lt=0).account
        reason = _("异议 #%(id)s：%(n)s") % {"id": dispute.pk, "n": note[:100]}
        # Lock every account of the correction in id order before the first posting.
        ids = {order.volunteer_id, issuance_account(order.district).pk}
        ids |= {payer.pk} if payer is not None else set()
        list(Account.objects.select_for_update().filter(pk__in=sorted(ids)).order_by("pk"))
        reverse(actor=actor, original=order.deposit, key=f"dispute-{dispute.pk}-deposit",
                reason=reason)  # fmt: skip
        if order.payment_id:
            reverse(actor=actor, original=order.payment, key=f"dispute-{dispute.pk}-payment",
                    reason=reason)  # fmt: skip
        if outcome == "adjust":
            order.deposit, order.payment = _post_order(
                actor=actor, order=order, minutes=new_minutes, payer=payer,
                suffix=f"-dispute-{dispute.pk}", perm="timebank.reverse",
            )  # fmt: skip
            fields += ["deposit", "payment"]
        else:
            order.status = Order.Status.REVERSED
            fields.append("status")
    if outcome == "adjust":
        order.minutes = new_minutes
        fields.append("minutes")
    if fields:
        order.save(update_fields=fields)
    dispute.status = {
        "uphold": Dispute.Status.UPHELD, "adjust": Dispute.Status.ADJUSTED,
        "reverse": Dispute.Status.REVERSED,
    }[outcome]  # fmt: skip
    dispute.minutes_after = order.minutes if outcome != "reverse" else 0
    dispute.resolution, dispute.resolved_by, dispute.resolved_at = note, actor, clock.now()
    dispute.save(
        update_fields=["status", "minutes_after", "resolution", "resolved_by", "resolved_at"]
    )
    audit.record(
        actor=actor, action="timebank.dispute_resolve", obj=dispute, place=order.place,
        changes={"outcome": outcome, "minutes": [dispute.minutes_before, dispute.minutes_after],
                 "note": note},
    )  # fmt: skip
    return dispute
