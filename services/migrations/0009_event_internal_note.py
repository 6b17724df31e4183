"""Public and internal notes on a request's timeline (issue #14 item 5); finding requests by
the contact phone's keyed hash and saved searches (item 3).

``RequestEvent.note`` was one text for both: the dispatcher's 派单说明, an 审核意见 or a 回访记录
showed on the resident's timeline. From here ``note`` is what the resident reads and
``internal_note`` is for staff only. Existing rows: a note stays public only where the step
already addressed it to the resident (the step was public and the resident was told the text or
wrote it): the filing, a refusal's reason, the department's answer, the resident's own rating
note, a merge's 告知居民的说明, an upheld review's 核实意见 (sent to the resident in the notice),
the published summary and the calendar's deadline notes. Every other note (派单说明, 改派理由,
办结意见, 回访记录, progress notes, 审核意见 of applications, a dismissed review, 催办, 预警, and
anything on a step residents never saw) moves to ``internal_note``. Set-based: one UPDATE.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import F, Q

ADDRESSED_TO_RESIDENT = (
    "submit", "reject", "answer", "rate", "merge", "review_upheld", "publish", "deadline",
)  # fmt: skip


def split_notes(apps, schema_editor):
    RequestEvent = apps.get_model("services", "RequestEvent")
    RequestEvent.objects.exclude(note="").exclude(
        Q(public=True, kind__in=ADDRESSED_TO_RESIDENT)
    ).update(internal_note=F("note"), note="")


def join_notes(apps, schema_editor):
    RequestEvent = apps.get_model("services", "RequestEvent")
    RequestEvent.objects.exclude(internal_note="").filter(note="").update(
        note=F("internal_note"), internal_note=""
    )


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0008_deadline_event_kind"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="requestevent",
            name="internal_note",
            field=models.TextField(blank=True, verbose_name="内部说明"),
        ),
        migrations.AlterField(
            model_name="requestevent",
            name="note",
            field=models.TextField(blank=True, verbose_name="给居民的说明"),
        ),
        migrations.RunPython(split_notes, join_notes),
        migrations.AddField(
            model_name="servicerequest",
            name="contact_phone_hash",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddIndex(
            model_name="servicerequest",
            index=models.Index(
                condition=models.Q(("contact_phone_hash", ""), _negated=True),
                fields=["contact_phone_hash"],
                name="service_request_phone_hash",
            ),
        ),
        migrations.CreateModel(
            name="SavedSearch",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=30, verbose_name="名称")),
                ("query", models.JSONField(default=dict, verbose_name="筛选条件")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "保存的筛选",
                "verbose_name_plural": "保存的筛选",
                "ordering": ["name", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("user", "name"), name="saved_search_name_unique"
                    )
                ],
            },
        ),
    ]
