"""Test-wide settings and fixtures."""

import os

import pytest


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # Password hashing strength is not under test; a fast hasher keeps the suite quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests see the product as a user does: Chinese by default.
    settings.LANGUAGE_CODE = "zh-hans"
    # Tests serve static files from the source tree; collectstatic's manifest is for deployments.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Parallel workers (pytest-xdist) each get their own database (pytest-django adds the
    # worker's suffix) and their own upload folder, so files named after row ids never collide.
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        settings.MEDIA_ROOT = os.path.join(settings.MEDIA_ROOT, worker)
        # And their own Redis database: a test that clears the cache must not log out the
        # other worker's test clients (sessions live in the cache when Redis is configured).
        cache = settings.CACHES["default"]
        if cache["BACKEND"].startswith("django_redis"):
            settings.CACHES = {
                "default": {**cache, "LOCATION": _worker_redis(cache["LOCATION"], worker)}
            }


def _worker_redis(url: str, worker: str) -> str:
    """redis://host:port/N for worker "gwK" → redis://host:port/(N+K) mod 16 (Redis's default
    number of databases)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    return parts._replace(path=f"/{(base + int(worker.removeprefix('gw'))) % 16}").geturl()
