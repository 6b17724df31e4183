"""Test-wide settings and fixtures."""

import os
import uuid

import pytest


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # Password hashing strength is not under test; a fast hasher keeps the suite quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Each test counts its own requests and failed logins (core.throttle's keys in the cache).
    settings.RATELIMIT_CACHE_PREFIX = f"linli:rl:{uuid.uuid4().hex}:"
    # The clock travels in tests (kinds of day, deadlines, expiries); the two rules that count time
    # since a password change or a session's last page are proved in test_password_policy.py.
    settings.PASSWORD_MAX_AGE_DAYS = 0
    settings.IDLE_TIMEOUT_MINUTES = 10**6
    # Staff sign in with their password alone, except in test_second_factor.py, which proves the
    # authenticator step.
    settings.STAFF_SECOND_FACTOR = False
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


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test (a browser, live-server or concurrency test) ends by flushing every
    table, the rows migrations seed included. The time bank's and the services' default rules are
    such rows: put them back once the flush is done, so a test that runs after it on the same
    worker sees the database a deployment has. (pytest-django runs transactional tests last, but pytest's own
    grouping of module-scoped parameters, as each_kind_of_day uses, can move tests after them.)"""
    yield
    if nextitem is None:  # the last test: the test database is already gone
        return
    marker = item.get_closest_marker("django_db")
    flushed = {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())) or (
        marker is not None and marker.kwargs.get("transaction")
    )
    if flushed:
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            reseed_default_rules()


def reseed_default_rules() -> None:
    """Put back the rule rows migrations seed, then close the connection this opened. Django
    closed every connection as the transactional test ended; one left open here (PostgreSQL keeps
    it for CONN_MAX_AGE) may live in a context the database teardown never sees: Playwright runs
    the browser tests in a contextvars context of its own, and Django's connections are
    context-local. After a worker's last browser test it then still held the test database when
    pytest-django dropped it ("database test_linli_ci_gw0 is being accessed by other users")."""
    from django.db import connections

    from services.models import ServiceRule
    from services.rule_defaults import RULES as SERVICE_RULES
    from timebank.defaults import RULES
    from timebank.models import Rule

    try:
        for model, seeded in ((Rule, RULES), (ServiceRule, SERVICE_RULES)):
            for rule in seeded:
                fields = {k: rule[k] for k in ("name", "value", "unit", "source")}
                model.objects.get_or_create(code=rule["code"], district=None, defaults=fields)
    finally:
        connections.close_all()  # a no-op for SQLite's in-memory test database


def _worker_redis(url: str, worker: str) -> str:
    """redis://host:port/N for worker "gwK" → redis://host:port/(N+K) mod 16 (Redis's default
    number of databases)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    return parts._replace(path=f"/{(base + int(worker.removeprefix('gw'))) % 16}").geturl()


# ------------------------------------------------------------------ the kinds of day
# Moments that have broken date arithmetic before, in Beijing time unless marked UTC. The
# calendar behind them: chinese_calendar knows 2026 (National Day from 1 October, 10 October a
# make-up working Saturday) and not 2027, where weekdays count until an administrator enters it.
KINDS_OF_DAY = {
    "workday-morning": "2026-12-02T09:30:00+08:00",  # a Wednesday
    # After 16:00 UTC the UTC date is a day behind Beijing's: Thursday 01:30 in Beijing.
    "workday-evening-utc": "2026-12-02T17:30:00+00:00",
    "saturday": "2026-12-05T10:00:00+08:00",
    "eve-of-holiday": "2026-09-30T16:30:00+08:00",  # the day before National Day
    "makeup-workday": "2026-10-10T09:00:00+08:00",  # a Saturday worked in place of a holiday
    "new-years-eve": "2026-12-31T23:50:00+08:00",  # deadlines run into the next year
    "new-year": "2027-01-01T00:00:30+08:00",  # a year the installed calendar does not know
}


def pytest_addoption(parser):
    parser.addoption(
        "--moment",
        default=os.environ.get("LINLI_TEST_MOMENT", ""),
        help="start every test at this moment, a name from KINDS_OF_DAY or an ISO time with "
        f"its offset ({', '.join(KINDS_OF_DAY)}); the clock keeps running from there",
    )


def _travel(moment: str):
    import datetime

    import time_machine

    return time_machine.travel(
        datetime.datetime.fromisoformat(KINDS_OF_DAY.get(moment, moment)), tick=True
    )


@pytest.fixture(scope="session", autouse=True)
def _whole_suite_at_a_moment(request):
    """``--moment`` (or LINLI_TEST_MOMENT) runs the whole suite as if started on that kind of
    day: the clock is set once for the session and keeps running, so module-wide fixtures and
    the tests that use them see the same day."""
    moment = request.config.getoption("--moment")
    if not moment:
        yield
        return
    with _travel(moment):
        yield


def pytest_generate_tests(metafunc):
    """A module marked ``each_kind_of_day`` runs once on each kind of day (see ``kind_of_day``)."""
    marked = metafunc.definition.get_closest_marker("each_kind_of_day") is not None
    if metafunc.config.getoption("--moment"):
        return  # the whole suite runs on one kind of day, these modules too
    if marked and "kind_of_day" in metafunc.fixturenames:
        metafunc.parametrize("kind_of_day", list(KINDS_OF_DAY), indirect=True, scope="module")


@pytest.fixture(scope="module")
def kind_of_day(request):
    """The day a module's tests and its shared fixtures (a district, an admitted item) live on.
    Today, unless the module is marked ``pytest.mark.each_kind_of_day``: then it runs once on each
    kind of day, the clock ticking from there, so a write that reads the clock twice shows on
    the day it would have failed. Module-wide fixtures that build data ask for this fixture, so
    they are built on that day too."""
    moment = getattr(request, "param", None)
    if moment is None:
        yield None
        return
    with _travel(moment):
        yield moment
