"""The ledger engine's own statements, in plain SQL that SQLite (≥ 3.35) and PostgreSQL both
run, and the per-process memory of accounts' kind and community for the transfer service."""

import datetime

from django.db import transaction

from core.models import Place
from timebank.models import (
    Account,
    Posting,
    Transaction,
)

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
