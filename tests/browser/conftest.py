"""Browser tests: Playwright driving Debian's Chromium (never a downloaded browser)."""

import os
import shutil

import pytest

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
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def new_page(browser, live_server):
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


def log_in(page, login: str, password: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", login)
    page.fill("#id_password", password)
    page.click("button.primary")


def screenshots(prefix: str = ""):
    """shot(page, name): a full-page screenshot into $LINLI_SCREENSHOTS (a folder), if set —
    for looking at pages as users see them; nothing is saved otherwise."""
    folder = os.environ.get("LINLI_SCREENSHOTS", "")

    def shot(page, name: str) -> None:
        if folder:
            page.screenshot(path=os.path.join(folder, f"{prefix}{name}.png"), full_page=True)

    return shot
