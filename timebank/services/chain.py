"""What the ledger engine computes before it writes: a payload's fingerprint, a transaction's
hash and each posting's link in its account's hash chain; and the engine's refusals by code."""

import datetime
import hashlib
import json

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy

from timebank.models import (
    Transaction,
    TxKind,
    format_minutes,
)


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


def new_transaction(*, actor, kind, key, fingerprint, place, legs, memo, reverses, now):
    """The transaction row a posting writes (not saved), with its own hash."""
    tx = Transaction(
        district_id=place.district_id or place.pk, place=place, kind=kind, idempotency_key=key,
        fingerprint=fingerprint, memo=memo, reverses=reverses,
        actor=actor if getattr(actor, "pk", None) else None, created_at=now,
    )  # fmt: skip
    tx.hash = tx_hash(tx=tx, legs=legs)
    return tx


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


def _counts_as_service(kind: str, reverses: Transaction | None) -> bool:
    """Deposits raise lifetime service hours (star levels); their reversal lowers them."""
    return kind == TxKind.DEPOSIT or (
        kind == TxKind.REVERSAL and reverses is not None and reverses.kind == TxKind.DEPOSIT
    )


def _local_day_start(moment: datetime.datetime) -> datetime.datetime:
    local = timezone.localtime(moment)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)
