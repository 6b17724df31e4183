"""Person's keyed-hash columns keep one plain index each, and district none of its own.

A db_index=True CharField gets a second, pattern-matching (`_like`) index on PostgreSQL, and the
district's own index is covered by (district, birth_date): three indexes every person write paid
for and no query used. Done by hand in the database: Django's AlterField, dropping db_index,
also drops the partial unique index of `person_id_number_unique` on the same column.
"""

import django.db.models.deletion
from django.db import migrations, models

COLUMNS = {"id_number_hash", "mobile_hash", "district_id"}


def drop_single_column_indexes(apps, schema_editor):
    """Drop the non-unique indexes on exactly one of COLUMNS (never a unique or a named one)."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "core_person")
    for name, info in constraints.items():
        columns = info["columns"] or []
        if (
            info["index"]
            and not info["unique"]
            and not info["primary_key"]
            and len(columns) == 1
            and columns[0] in COLUMNS
            and not name.startswith("person_")
        ):
            schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


def restore_field_indexes(apps, schema_editor):
    Person = apps.get_model("core", "Person")
    for column in ("id_number_hash", "mobile_hash"):
        field = Person._meta.get_field(column)
        for sql in schema_editor._field_indexes_sql(Person, field):  # with `_like` on PostgreSQL
            schema_editor.execute(sql)
    schema_editor.execute(
        schema_editor._create_index_sql(Person, fields=[Person._meta.get_field("district")])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_audit_prefix_indexes_only"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="person",
                    name="district",
                    field=models.ForeignKey(
                        blank=True, db_index=False, null=True,
                        on_delete=django.db.models.deletion.PROTECT, related_name="+",
                        to="core.place",
                    ),  # fmt: skip
                ),
                migrations.AlterField(
                    model_name="person",
                    name="id_number_hash",
                    field=models.CharField(blank=True, max_length=64),
                ),
                migrations.AlterField(
                    model_name="person",
                    name="mobile_hash",
                    field=models.CharField(blank=True, max_length=64),
                ),
            ],
            database_operations=[
                migrations.RunPython(drop_single_column_indexes, restore_field_indexes),
            ],
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["id_number_hash"], name="person_id_number_hash"),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["mobile_hash"], name="person_mobile_hash"),
        ),
    ]
