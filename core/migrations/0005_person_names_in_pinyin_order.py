from django.db import migrations

# The people list pages by (name in pinyin order, id); see core/collation.py and core/paging.py.
# PostgreSQL gets the ICU collation and an expression index; SQLite registers the collation on
# each connection (core.apps) and needs no index at the sizes it is used for.
CREATE = [
    "CREATE COLLATION IF NOT EXISTS pinyin (provider = icu, locale = 'zh-u-co-pinyin')",
    "CREATE INDEX IF NOT EXISTS person_name_pinyin_id ON core_person ((name COLLATE pinyin), id)",
    # Statistics for the new expression, or the planner guesses how many names a surname holds.
    "ANALYZE core_person",
]
DROP = [
    "DROP INDEX IF EXISTS person_name_pinyin_id",
    "DROP COLLATION IF EXISTS pinyin",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_person_district_birth_index"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="person", name="person_name_id"),
        migrations.RunPython(create, drop),
    ]
