"""Two new default rules: the sign-in window around the agreed time, and the share by which the
minutes may differ from the agreed minutes before the pages flag it (issue #21)."""

from django.db import migrations

CODES = ("sign_in_window_minutes", "minutes_mismatch_percent")


def seed(apps, schema_editor):
    from timebank.defaults import RULES

    Rule = apps.get_model("timebank", "Rule")
    for rule in RULES:
        if rule["code"] in CODES:
            Rule.objects.get_or_create(
                code=rule["code"], district=None,
                defaults={k: rule[k] for k in ("name", "value", "unit", "source")},
            )  # fmt: skip


def unseed(apps, schema_editor):
    apps.get_model("timebank", "Rule").objects.filter(code__in=CODES).delete()


class Migration(migrations.Migration):
    dependencies = [("timebank", "0011_pg_post_one_write")]

    operations = [migrations.RunPython(seed, unseed)]
