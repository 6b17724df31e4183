"""Browser tests: Playwright driving Debian's Chromium (never a downloaded browser)."""

import os
import shutil
import threading
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

CHROMIUM = os.environ.get("LINLI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# expect(...) assertions wait as long as actions do (context.set_default_timeout below).
expect.set_options(timeout=15_000)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium fonts-noto-cjk")
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # still synchronous, so Django's async-safety guard is lifted for browser tests only.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from django.db import connections
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()
        # From here on the test code ran in Playwright's contextvars context, where Django keeps
        # connections of its own (they are context-local): close them before leaving it, or the
        # test database cannot be dropped at the end ("being accessed by other users").
        connections.close_all()


@pytest.fixture
def one_database_user_at_a_time(live_server):
    """On SQLite the live server's threads share the test's in-memory connection. A query from
    the test while the server is still answering the browser (a late asset, a second tab) then
    fails with "database table is locked", depending on timing. So a request holds a lock from
    start to finish and each of the test's own queries takes the same lock first."""
    from django.core.signals import request_finished, request_started
    from django.db import connection

    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    lock = threading.RLock()
    held_here = threading.local()

    def request_begins(**kwargs):
        if not lock.acquire(timeout=60):
            raise RuntimeError("a test query held the shared SQLite connection for 60 s")
        held_here.count = getattr(held_here, "count", 0) + 1

    def request_ends(**kwargs):
        if getattr(held_here, "count", 0):
            held_here.count -= 1
            lock.release()

    def query_in_turn(execute, sql, params, many, context):
        if not lock.acquire(timeout=60):
            raise RuntimeError("the live server held the shared SQLite connection for 60 s")
        try:
            return execute(sql, params, many, context)
        finally:
            lock.release()

    request_started.connect(request_begins, dispatch_uid="browser-db-turns-start")
    request_finished.connect(request_ends, dispatch_uid="browser-db-turns-end")
    try:
        with connection.execute_wrapper(query_in_turn):
            yield
    finally:
        request_started.disconnect(dispatch_uid="browser-db-turns-start")
        request_finished.disconnect(dispatch_uid="browser-db-turns-end")


@pytest.fixture
def district(transactional_db, settings, tmp_path):
    """A small district with the default service catalogue; uploads go to a scratch folder.
    (A module that needs another district defines its own.)"""
    from core.testing import build_small_district
    from services import services as request_services

    settings.MEDIA_ROOT = tmp_path / "media"
    d = build_small_district()
    request_services.catalogue_seed(actor=d.root, district=d.district)
    return d


@pytest.fixture
def new_page(browser, live_server, one_database_user_at_a_time):
    """new_page(viewport=PHONE) -> a page in a fresh context, with the server's address as base."""
    contexts = []

    def make(viewport=DESKTOP, locale="zh-CN"):
        context = browser.new_context(viewport=viewport, locale=locale, base_url=live_server.url)
        context.set_default_timeout(15000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


# Waiting for the page a click brings. page.click returns once the click is done, not once the
# next page is there, so a check right after it may still read the page clicked on. Neither of
# the obvious waits helps: wait_for_load_state() returns at once (the old page is loaded), and
# wait_for_url(pattern) returns at once when the old address matches the pattern too — as
# "**/" matches /login/, and "**/requests/*/" the form at /requests/new/. A posted form often
# answers at its own address besides. So: submit() for a click that loads a page, on_workbench
# (a path, not a glob) for wait_for_url, or an expect(...) on what the new page shows.


def submit(page, target) -> None:
    """Click `target` (a selector, or a Locator of `page`) that loads a page — a form's button,
    a link — and return once that page has loaded."""
    with page.expect_navigation():
        (page.locator(target) if isinstance(target, str) else target).click()


def on_workbench(url: str) -> bool:
    """For wait_for_url: the workbench (/), where signing in lands."""
    return urlsplit(url).path == "/"


def log_in(page, login: str, password: str) -> None:
    """Sign in on /login/; returns once the answer (the workbench, or the form again) is shown."""
    page.goto("/login/")
    page.fill("#id_username", login)
    page.fill("#id_password", password)
    submit(page, "button.primary")


def signed_in(new_page, login: str, viewport=DESKTOP, password: str = ""):
    """A new page (a fresh context) on which `login` has signed in and landed on the workbench."""
    from core.testing import PASSWORD

    page = new_page(viewport=viewport)
    log_in(page, login, password or PASSWORD)
    page.wait_for_url(on_workbench)
    return page


def screenshots(prefix: str = ""):
    """shot(page, name): a full-page screenshot into $LINLI_SCREENSHOTS (a folder), if set —
    for looking at pages as users see them; nothing is saved otherwise."""
    folder = os.environ.get("LINLI_SCREENSHOTS", "")

    def shot(page, name: str) -> None:
        if folder:
            page.screenshot(path=os.path.join(folder, f"{prefix}{name}.png"), full_page=True)

    return shot
