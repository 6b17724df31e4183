"""Word search by character grams (services.grams): ServiceRequest.search_text, filled for the
requests already filed (in batches of 2,000, by key), and on PostgreSQL the GIN index the search
reads. SQLite gets the column only (its search reads icontains)."""

from django.db import migrations, models

BATCH = 2000


def fill(apps, schema_editor):
    from services import grams

    requests = apps.get_model("services", "ServiceRequest")
    rows = requests.objects.using(schema_editor.connection.alias).order_by("pk")
    last = 0
    while True:
        batch = list(rows.filter(pk__gt=last).only("pk", "title", "description")[:BATCH])
        if not batch:
            return
        for r in batch:
            r.search_text = grams.of(r.title, r.description)
        requests.objects.using(schema_editor.connection.alias).bulk_update(batch, ["search_text"])
        last = batch[-1].pk


def index(apps, schema_editor):
    from services import grams

    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(grams.INDEX_SQL)


def drop_index(apps, schema_editor):
    from services import grams

    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {grams.INDEX}")


class Migration(migrations.Migration):
    dependencies = [("services", "0012_property_routing")]

    operations = [
        migrations.AddField(
            model_name="servicerequest",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(index, drop_index),
    ]
