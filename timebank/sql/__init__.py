"""The time bank's SQL for PostgreSQL, kept as files: one source for each database function.

``timebank_post.sql`` holds the ledger engine's function as it is now. Migration 0011 installs
it; a later change to the file comes with a migration that runs ``install_post`` again
(``migrations.RunPython(install_post, migrations.RunPython.noop)``), and
``timebank/tests/test_post_function.py`` checks that the database holds exactly the file's text.
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent


def post_function() -> str:
    """The CREATE OR REPLACE FUNCTION statement of ``timebank_post``."""
    return (HERE / "timebank_post.sql").read_text(encoding="utf-8")


def install_post(apps, schema_editor) -> None:
    """Install (or replace) ``timebank_post`` from its file; nothing to do off PostgreSQL."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(post_function(), params=None)
