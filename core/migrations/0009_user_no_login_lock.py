"""Logins no longer lock an account: core.throttle paces attempts per login name in the cache
(a CAPTCHA and a growing delay), so the account's failure count and lock end are dropped."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_api_token_scope_and_lifetime"),
    ]

    operations = [
        migrations.RemoveField(model_name="user", name="failed_logins"),
        migrations.RemoveField(model_name="user", name="locked_until"),
    ]
