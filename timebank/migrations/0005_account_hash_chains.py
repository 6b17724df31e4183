"""One hash chain per account instead of one per district.

A district-wide chain head made every ledger write of a district wait for the previous one.
Now each posting links to the previous posting of the same account (seq 1, 2, 3 … per account,
prev_hash, hash), extended under the account row lock the engine already takes, and the
account row keeps its chain tip. A transaction keeps a hash of its own fields and legs, which
every one of its postings' links covers.

Existing postings are linked here, account by account in insertion order, and every
transaction's hash is recomputed (the immutability triggers are paused for this migration
only, on PostgreSQL). The hash functions are frozen copies of those in timebank.services.
"""

import datetime
import hashlib
import json

from django.db import migrations, models

GENESIS = "0" * 64


def _tx_hash(tx, legs) -> str:
    created = tx.created_at.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    body = [
        tx.district_id, tx.place_id, tx.kind, tx.idempotency_key, tx.fingerprint, tx.memo,
        tx.reverses_id, tx.actor_id, created, sorted([int(a), int(m)] for a, m in legs),
    ]  # fmt: skip
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _posting_hash(prev_hash, account_id, seq, amount, balance_after, tx_hash) -> str:
    body = f"{prev_hash}|{account_id}|{seq}|{amount}|{balance_after}|{tx_hash}"
    return hashlib.sha256(body.encode()).hexdigest()


TRIGGERS = [
    ("timebank_posting", "timebank_posting_immutable"),
    ("timebank_transaction", "timebank_transaction_immutable"),
]


def _triggers(schema_editor, action: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for table, trigger in TRIGGERS:
            schema_editor.execute(f"ALTER TABLE {table} {action} TRIGGER {trigger}")


def relink(apps, schema_editor):
    Account = apps.get_model("timebank", "Account")
    Transaction = apps.get_model("timebank", "Transaction")
    Posting = apps.get_model("timebank", "Posting")
    if not Posting.objects.exists():
        return
    _triggers(schema_editor, "DISABLE")
    legs: dict[int, list] = {}
    for tx_id, account_id, amount in Posting.objects.values_list(
        "transaction_id", "account_id", "amount"
    ):
        legs.setdefault(tx_id, []).append((account_id, amount))
    hashes = {}
    batch = []
    for tx in Transaction.objects.order_by("pk").iterator(chunk_size=2000):
        tx.hash = hashes[tx.pk] = _tx_hash(tx, legs.get(tx.pk, []))
        batch.append(tx)
        if len(batch) >= 2000:
            Transaction.objects.bulk_update(batch, ["hash"])
            batch = []
    Transaction.objects.bulk_update(batch, ["hash"])
    for account in Account.objects.order_by("pk").iterator(chunk_size=500):
        prev, seq, rows = GENESIS, 0, []
        for posting in Posting.objects.filter(account_id=account.pk).order_by("pk"):
            seq += 1
            posting.seq, posting.prev_hash = seq, prev
            posting.hash = prev = _posting_hash(
                prev, account.pk, seq, posting.amount, posting.balance_after,
                hashes[posting.transaction_id],
            )  # fmt: skip
            rows.append(posting)
        if rows:
            Posting.objects.bulk_update(rows, ["seq", "prev_hash", "hash"], batch_size=2000)
            Account.objects.filter(pk=account.pk).update(chain_seq=seq, chain_hash=prev)
    _triggers(schema_editor, "ENABLE")


class Migration(migrations.Migration):
    dependencies = [("timebank", "0004_listing_contact")]

    operations = [
        migrations.AddField(
            model_name="account", name="chain_seq", field=models.BigIntegerField(default=0)
        ),
        migrations.AddField(
            model_name="account",
            name="chain_hash",
            field=models.CharField(default=GENESIS, max_length=64),
        ),
        migrations.AddField(
            model_name="posting", name="seq", field=models.BigIntegerField(null=True)
        ),
        migrations.AddField(
            model_name="posting",
            name="prev_hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="posting",
            name="hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.RemoveConstraint(model_name="transaction", name="timebank_chain_seq_unique"),
        migrations.RunPython(relink, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(model_name="posting", name="seq", field=models.BigIntegerField()),
        migrations.AddConstraint(
            model_name="posting",
            constraint=models.UniqueConstraint(
                fields=("account", "seq"), name="timebank_posting_chain_seq"
            ),
        ),
        migrations.RemoveField(model_name="transaction", name="seq"),
        migrations.RemoveField(model_name="transaction", name="prev_hash"),
        migrations.AlterModelOptions(
            name="transaction",
            options={
                "ordering": ["pk"],
                "verbose_name": "记账凭证",
                "verbose_name_plural": "记账凭证",
            },
        ),
        migrations.AddIndex(
            model_name="transaction",
            index=models.Index(
                fields=["district", "created_at"], name="timebank_tr_distric_4bcf3b_idx"
            ),
        ),
        migrations.DeleteModel(name="ChainHead"),
    ]
