"""Minimal Django settings for django-helpdesk 2.6 as the ticket-creation baseline.

Only used by bench/helpdesk/hd_bench.py inside bench/helpdesk/.venv (never by Linli). The
database is HELPDESK_DATABASE_URL, a separate database on the same PostgreSQL server as Linli's
benchmark database.
"""

import os
from urllib.parse import urlsplit

_url = urlsplit(os.environ["HELPDESK_DATABASE_URL"])
SECRET_KEY = "helpdesk-benchmark-only"  # noqa: S105 - throwaway benchmark settings
DEBUG = False
ALLOWED_HOSTS = ["*"]
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"
SITE_ID = 1
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sites",
    "django.contrib.humanize",
    "rest_framework",
    "helpdesk",
]
MIDDLEWARE = []
ROOT_URLCONF = "hd_urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": _url.path.lstrip("/"),
        "USER": _url.username or "postgres",
        "PASSWORD": _url.password or "",
        "HOST": _url.hostname or "127.0.0.1",
        "PORT": _url.port or 5432,
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# E-mail to the submitter is part of helpdesk's creation path; keep it in memory.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEFAULT_FROM_EMAIL = "helpdesk@example.org"
MEDIA_ROOT = os.environ.get("HELPDESK_MEDIA_ROOT", "/tmp/helpdesk-bench-media")
STATIC_URL = "/static/"
HELPDESK_DEFAULT_SETTINGS = {"use_email_as_submitter": True}
# Teams need pinax-teams; the knowledge base's teams are not part of ticket creation.
HELPDESK_TEAMS_MODE_ENABLED = False
