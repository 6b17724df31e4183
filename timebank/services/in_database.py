"""The ledger engine as one statement on PostgreSQL: a call of the database function
`timebank_post`, which locks, checks and writes what the Python engine does."""

import json
import time

from django.db import DatabaseError, transaction

from core import audit, clock
from timebank import defaults
from timebank.models import (
    Transaction,
    TxKind,
    format_minutes,
)
from timebank.services.chain import (
    LEDGER_ERRORS,
    _counts_as_service,
    _local_day_start,
    ledger_error,
    new_transaction,
)

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
    """One try as one statement (PostgreSQL): the function `timebank_post` (timebank/sql)
    locks, checks, writes the transaction, postings, balances and chain tips, and the audit
    event. Outside a transaction the statement is its own; inside the caller's, it runs in a
    savepoint, so a refusal leaves the caller's transaction usable."""
    connection = transaction.get_connection()
    district_id = place.district_id or place.pk
    now = clock.now()
    tx = new_transaction(
        actor=actor, kind=kind, key=key, fingerprint=fingerprint, place=place, legs=legs,
        memo=memo, reverses=reverses, now=now,
    )  # fmt: skip
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
