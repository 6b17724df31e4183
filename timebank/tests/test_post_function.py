"""The database function `timebank_post` is the text of timebank/sql/timebank_post.sql, its one
source: the migrations install it from the file (PostgreSQL only)."""

import pytest
from django.db import connection, transaction

from timebank import sql

pytestmark = pytest.mark.django_db

CHECK_SCHEMA = "timebank_file_check"
DEFINITION = """
SELECT pg_get_functiondef(p.oid), p.prosrc
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE p.proname = 'timebank_post' AND n.nspname = %s
"""


def definitions(cursor, schema: str) -> list[tuple[str, str]]:
    cursor.execute(DEFINITION, [schema])
    return [(d.replace(f"{schema}.timebank_post(", "timebank_post("), s) for d, s in cursor]


def test_the_database_function_is_the_file():
    if connection.vendor != "postgresql":
        pytest.skip("timebank_post is PostgreSQL's")
    text = sql.post_function()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = cursor.fetchone()[0]
        installed = definitions(cursor, schema)
        # The file's function, made beside it in a schema of its own, then thrown away.
        cursor.execute(f"CREATE SCHEMA {CHECK_SCHEMA}")
        cursor.execute(f"SET LOCAL search_path = {CHECK_SCHEMA}, {schema}")
        cursor.execute(text)
        from_file = definitions(cursor, CHECK_SCHEMA)
        transaction.set_rollback(True)
    assert len(installed) == 1, "one timebank_post, with one signature"
    assert installed == from_file
    assert installed[0][1] == text.split("$$")[1]  # the body, as written


def test_the_file_is_one_statement_that_replaces_the_function():
    text = sql.post_function()
    statements = [line for line in text.splitlines() if line and not line.startswith("--")]
    assert statements[0].startswith("CREATE OR REPLACE FUNCTION timebank_post(")
    assert statements[-1] == "$$ LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan;"
    assert text.count("$$") == 2
