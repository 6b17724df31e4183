"""The admission gate in the database: a task row must match an admitted (item, community) scope.

On insert the item must still be active (in the admitted catalogue); on update the task must
keep matching its scope. Written for SQLite and PostgreSQL; both raise an IntegrityError.
"""

from django.db import migrations

MESSAGE = "workload_task_gate: a task needs an admitted item and a community within its scope"

SQLITE = [
    f"""
    CREATE TRIGGER workload_task_gate_insert BEFORE INSERT ON workload_task
    FOR EACH ROW WHEN NOT EXISTS (
        SELECT 1 FROM admission_admittedscope s
        JOIN admission_admitteditem i ON i.id = s.item_id
        WHERE s.id = NEW.scope_id AND s.item_id = NEW.item_id
          AND s.community_id = NEW.community_id AND i.status = 'active'
    )
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """,
    f"""
    CREATE TRIGGER workload_task_gate_update BEFORE UPDATE OF item_id, scope_id, community_id
    ON workload_task
    FOR EACH ROW WHEN NOT EXISTS (
        SELECT 1 FROM admission_admittedscope s
        WHERE s.id = NEW.scope_id AND s.item_id = NEW.item_id
          AND s.community_id = NEW.community_id
    )
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS workload_task_gate_insert;",
    "DROP TRIGGER IF EXISTS workload_task_gate_update;",
]

POSTGRES = [
    f"""
    CREATE OR REPLACE FUNCTION workload_task_gate() RETURNS trigger AS $$
    BEGIN
        IF NOT EXISTS (
            SELECT 1 FROM admission_admittedscope s
            JOIN admission_admitteditem i ON i.id = s.item_id
            WHERE s.id = NEW.scope_id AND s.item_id = NEW.item_id
              AND s.community_id = NEW.community_id
              AND (TG_OP = 'UPDATE' OR i.status = 'active')
        ) THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER workload_task_gate BEFORE INSERT OR UPDATE OF item_id, scope_id, community_id
    ON workload_task FOR EACH ROW EXECUTE FUNCTION workload_task_gate();
    """,
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS workload_task_gate ON workload_task;",
    "DROP FUNCTION IF EXISTS workload_task_gate();",
]


def _run(statements):
    def apply(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for sql in statements.get(vendor, []):
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("workload", "0001_initial"),
        ("admission", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        )
    ]
