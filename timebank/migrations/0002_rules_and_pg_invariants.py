"""Seed the default rules, and on PostgreSQL make the database itself guard the ledger:

- a deferred constraint trigger: at commit, the postings of every touched transaction sum to
  zero and number at least two (and a transaction has postings at all);
- triggers refusing UPDATE and DELETE of postings and transactions (corrections are reversals).

Balances of member, team and fund accounts are kept >= 0 by the CHECK constraint
``timebank_balance_nonneg`` (a model constraint, so SQLite enforces it too). On SQLite the
rest is enforced by the service and verified by the reconciliation job.
"""

from django.db import migrations

PG_INSTALL = r"""
CREATE OR REPLACE FUNCTION timebank_tx_balanced() RETURNS trigger AS $$
DECLARE
  tx_id bigint;
  total bigint;
  n integer;
BEGIN
  IF TG_TABLE_NAME = 'timebank_posting' THEN tx_id := NEW.transaction_id; ELSE tx_id := NEW.id; END IF;
  SELECT COALESCE(SUM(amount), 0), COUNT(*) INTO total, n
    FROM timebank_posting WHERE transaction_id = tx_id;
  IF total <> 0 OR n < 2 THEN
    RAISE EXCEPTION 'timebank: transaction % has % postings summing to %, not a balanced entry',
      tx_id, n, total USING ERRCODE = '23514';
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER timebank_posting_balanced
  AFTER INSERT ON timebank_posting DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION timebank_tx_balanced();
CREATE CONSTRAINT TRIGGER timebank_transaction_balanced
  AFTER INSERT ON timebank_transaction DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION timebank_tx_balanced();

CREATE OR REPLACE FUNCTION timebank_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'timebank: % of % is not allowed; the ledger is append-only (reverse instead)',
    TG_OP, TG_TABLE_NAME USING ERRCODE = '42501';
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER timebank_posting_immutable BEFORE UPDATE OR DELETE ON timebank_posting
  FOR EACH ROW EXECUTE FUNCTION timebank_refuse_change();
CREATE TRIGGER timebank_transaction_immutable BEFORE UPDATE OR DELETE ON timebank_transaction
  FOR EACH ROW EXECUTE FUNCTION timebank_refuse_change();
"""

PG_REMOVE = r"""
DROP TRIGGER IF EXISTS timebank_transaction_immutable ON timebank_transaction;
DROP TRIGGER IF EXISTS timebank_posting_immutable ON timebank_posting;
DROP FUNCTION IF EXISTS timebank_refuse_change();
DROP TRIGGER IF EXISTS timebank_transaction_balanced ON timebank_transaction;
DROP TRIGGER IF EXISTS timebank_posting_balanced ON timebank_posting;
DROP FUNCTION IF EXISTS timebank_tx_balanced();
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_INSTALL, params=None)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_REMOVE, params=None)


def seed_rules(apps, schema_editor):
    from timebank.defaults import RULES

    Rule = apps.get_model("timebank", "Rule")
    for rule in RULES:
        Rule.objects.update_or_create(
            code=rule["code"], district=None,
            defaults={k: rule[k] for k in ("name", "value", "unit", "source")},
        )


def unseed_rules(apps, schema_editor):
    apps.get_model("timebank", "Rule").objects.filter(district=None).delete()


class Migration(migrations.Migration):
    dependencies = [("timebank", "0001_initial")]

    operations = [
        migrations.RunPython(seed_rules, unseed_rules),
        migrations.RunPython(install, remove),
    ]
