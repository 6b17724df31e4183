"""`timebank_post` in fewer statements, and no pattern index on idempotency keys.

Each SQL statement of a PL/pgSQL function pays an executor start; the write (transaction,
postings, balances and chain tips, audit event) is now one statement of data-modifying CTEs,
the community's path is read with the account locks, and the rule lookups are inline. What the
function checks and writes is unchanged (migrations 0008 and 0009 describe it).

Django gives a unique CharField a second, varchar_pattern_ops index for LIKE 'prefix%' on
PostgreSQL; nothing looks idempotency keys up by prefix, and every ledger write paid for it.
"""

import importlib

from django.db import migrations

from timebank import sql

# The function's text is timebank/sql/timebank_post.sql, its one source (this migration
# installs what the file holds; a later change to the file comes with its own migration).
DROP_LIKE_INDEX = """
DROP INDEX IF EXISTS timebank_transaction_idempotency_key_8d3825d2_like;
"""


PG_REMOVE = r"""
CREATE INDEX IF NOT EXISTS timebank_transaction_idempotency_key_8d3825d2_like
  ON timebank_transaction (idempotency_key varchar_pattern_ops);
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(sql.post_function(), params=None)
        schema_editor.execute(DROP_LIKE_INDEX, params=None)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_REMOVE, params=None)
        previous = importlib.import_module("timebank.migrations.0009_pg_post_expectations")
        schema_editor.execute(previous.PG_INSTALL, params=None)


class Migration(migrations.Migration):
    dependencies = [("timebank", "0010_drop_covered_indexes")]

    operations = [migrations.RunPython(install, remove)]
