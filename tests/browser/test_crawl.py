"""Every role walks the whole site as a new user would (issue #21, item 9).

One account of each role signs in and follows, breadth first from the workbench, every
same-origin link on every page it reaches. The walk fails on a link that answers 4xx or 5xx,
a script error on a page, or an error logged to the console (a failed asset, an inline script the
site's CSP refuses: the walk runs under the real CSP).

In the tiny demo district (real data in every state: requests, time-bank orders, admission
decisions, tasks, imports) every page is also checked by axe-core for WCAG 2.1 AA (tags wcag2a,
wcag2aa, wcag21a, wcag21aa) at phone (390×844) and desktop (1366×900) sizes: zero violations.
In a district built with the clock stopped at 23:30 UTC, every page shows the Beijing date.

What counts as one page, to keep the walk within minutes:
- A page is a route: ``/services/requests/17/`` and ``/services/requests/18/`` are one page, and
  so are two lists with different filter values (the names of the query parameters count).
- Each role opens each page it reaches once. The first time any role reaches a page, the browser
  renders it (script errors, console, axe at both sizes); a role reaching it later reads it
  without the browser (status, links, text), except its workbench, which is its own.
- Up to EXTRA_LINKS further links to a page a role has opened are still requested, so that a
  list whose rows lead to "not found" fails (issue #21, item 2).
Signing out, the language switch, downloads and exports (by path or by a ``format=`` query), the
CAPTCHA and the API are not followed.

axe-core is vendored for tests only (tests/browser/vendor/axe-core, refreshed by
scripts/refresh-vendor.sh; never served by the app). It is injected with ``add_init_script``,
which Chromium runs before the page's own scripts without consulting the page's CSP, so the
walk needs no ``bypass_csp`` and still sees every CSP refusal as a console error.
"""

import datetime
import io
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urljoin, urlsplit, urlunsplit

import pytest

from core.models import Role
from core.testing import PASSWORD
from tests.browser.conftest import log_in, screenshots

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SKIPPED = re.compile(
    r"^/(logout/|i18n/|captcha/|api/|open311/|static/|media/)"
    r"|\.(xlsx|pdf|csv|json|png|jpg|svg)$|/(photo|export|download)[^/]*/?$"
)
# A download asked for by its query (the metrics page's ?…&format=xlsx export) is a file too.
DOWNLOAD_QUERY = re.compile(r"(^|&)format=(xlsx|csv|pdf|json)(&|$)")
EXTRA_LINKS = 3
OWN_PAGES = {"/"}  # rendered for every role: each role's workbench and menu are its own


@dataclass
class Walk:
    """What one role's walk found."""

    role: str
    pages: dict[str, str] = field(default_factory=dict)  # route -> the URL opened for it
    rendered: int = 0
    requested: int = 0
    problems: list[str] = field(default_factory=list)

    def problem(self, text: str) -> None:
        self.problems.append(f"[{self.role}] {text}")


def route_of(url: str) -> str:
    """The page a URL shows: its path with ids as {id}, and the names of its query parameters."""
    parts = urlsplit(url)
    path = re.sub(r"/\d+(?=/|\.|$)", "/{id}", parts.path)
    keys = sorted({key for key, _value in parse_qsl(parts.query, keep_blank_values=True)})
    return path + ("?" + "&".join(keys) if keys else "")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href") and "download" not in attributes:
            self.hrefs.append(attributes["href"])


def links_in(html: str, page_url: str) -> list[str]:
    """Same-origin links of a page, absolute, without fragments, in document order."""
    parser = _Links()
    parser.feed(html)
    origin = urlsplit(page_url)[:2]
    found = []
    for href in parser.hrefs:
        if href.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        parts = urlsplit(urljoin(page_url, href))
        if parts[:2] != origin or SKIPPED.search(parts.path) or DOWNLOAD_QUERY.search(parts.query):
            continue
        found.append(urlunsplit((*parts[:4], "")))
    return list(dict.fromkeys(found))


def axe_violations(page) -> list[str]:
    results = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: 'tag', values: tags},
                                      resultTypes: ['violations']})""",
        AXE_TAGS,
    )
    found = []
    for violation in results["violations"]:
        targets = [" ".join(node["target"]) for node in violation["nodes"][:3]]
        summary = violation["nodes"][0].get("failureSummary", "").replace("\n", " ")[:200]
        found.append(
            f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])}×):"
            f" {', '.join(targets)} — {summary}"
        )
    return found


def accessible_at_both_sizes(page) -> list[str]:
    """axe at desktop size, then at phone size (the same document, laid out again)."""
    shot = screenshots("crawl-")
    name = re.sub(r"\W+", "_", urlsplit(page.url).path + "_" + urlsplit(page.url).query)
    found = [f"desktop {v}" for v in axe_violations(page)]
    shot(page, f"{name}-desktop")
    page.set_viewport_size(PHONE)
    found += [f"phone {v}" for v in axe_violations(page)]
    shot(page, f"{name}-phone")
    page.set_viewport_size(DESKTOP)
    return found


def watch(page, result: Walk) -> dict:
    """Record on `result` every script error, console error and failed response of `page`;
    the returned dict's "url" names the page being walked, for the record."""
    at = {"url": "login"}
    page.on("pageerror", lambda error: result.problem(f"{at['url']}: script error: {error}"))
    page.on(
        "console",
        lambda message: (
            message.type == "error" and result.problem(f"{at['url']}: console: {message.text}")
        ),
    )
    page.on(
        "response",
        lambda response: (
            response.status >= 400
            and result.problem(f"{response.status} {response.url} (loaded by {at['url']})")
        ),
    )
    return at


@dataclass
class Walker:
    """Walks the site as each role in turn; ``rendered`` (routes the browser has shown) is shared
    by all of them. ``check_page(page)`` runs on each page the browser renders and
    ``check_text(html)`` on every page opened; each returns the problems it found. With
    ``render=False`` only the workbenches are rendered: every other page is read as HTML."""

    browser: object
    base: str
    check_page: Callable = lambda page: []
    check_text: Callable = lambda html: []
    render: bool = True
    rendered: set = field(default_factory=set)

    def walk(self, role: str, login: str, password: str) -> Walk:
        result = Walk(role)
        context = self.browser.new_context(viewport=DESKTOP, locale="zh-CN", base_url=self.base)
        context.set_default_timeout(20_000)
        context.add_init_script(path=str(AXE))
        page = context.new_page()
        at = watch(page, result)
        try:
            log_in(page, login, password)
            page.wait_for_url(f"{self.base}/")
            self._breadth_first(result, context, page, at)
        finally:
            context.close()
        return result

    def _breadth_first(self, result: Walk, context, page, at: dict) -> None:
        queue = deque([(f"{self.base}/", "login")])
        queued = {f"{self.base}/"}
        extra: dict[str, int] = {}
        while queue:
            url, source = queue.popleft()
            route = route_of(url)
            if route in result.pages:
                if extra.get(route, 0) < EXTRA_LINKS:
                    extra[route] = extra.get(route, 0) + 1
                    self._request(result, context, url, source)
                continue
            result.pages[route] = url
            at["url"] = url
            if route in OWN_PAGES or (self.render and route not in self.rendered):
                self.rendered.add(route)
                html = self._render(result, page, url)
            else:
                html = self._request(result, context, url, source)
            if html is None:
                continue
            result.problems += [f"[{result.role}] {url}: {p}" for p in self.check_text(html)]
            for link in links_in(html, url):
                if link not in queued:
                    queued.add(link)
                    queue.append((link, url))

    def _render(self, result: Walk, page, url: str) -> str | None:
        response = page.goto(url)
        result.rendered += 1
        if response is None or response.status >= 400:
            return None  # the response listener has recorded it
        if "text/html" not in response.headers.get("content-type", ""):
            return None
        page.wait_for_load_state("load")
        result.problems += [f"[{result.role}] {url}: {p}" for p in self.check_page(page)]
        return page.content()

    def _request(self, result: Walk, context, url: str, source: str) -> str | None:
        response = context.request.get(url, max_redirects=0)
        result.requested += 1
        if response.status >= 400:
            result.problem(f"{response.status} {url} (linked from {source})")
            return None
        if "text/html" not in response.headers.get("content-type", ""):
            return None
        return response.text()


def report(walks: list[Walk], minimum_pages: int) -> str:
    problems = []
    for result in walks:
        print(
            f"{result.role}: {len(result.pages)} pages "
            f"({result.rendered} rendered, {result.requested} requested)"
        )
        # A role that reached almost nothing has not walked: the checks would pass vacuously.
        if len(result.pages) < minimum_pages:
            problems.append(f"[{result.role}] reached only {sorted(result.pages)}")
        problems += result.problems
    return "\n".join(problems)


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    from core.demo import build_demo, demo_logins

    settings.MEDIA_ROOT = tmp_path / "media"
    build_demo("tiny", stdout=io.StringIO())
    return {entry["role"]: entry for entry in demo_logins(limit_per_role=1)}


def test_every_role_walks_every_page_without_errors_or_wcag_violations(
    browser, live_server, one_database_user_at_a_time, demo
):
    assert set(demo) == set(Role.values), "the demo has an account of every role"
    walker = Walker(browser, live_server.url, check_page=accessible_at_both_sizes)
    walks = [walker.walk(role, e["login"], e["password"]) for role, e in demo.items()]
    problems = report(walks, minimum_pages=10)
    print(f"{len(walker.rendered)} pages rendered and checked by axe at two sizes")
    assert not problems, problems


def test_the_walk_sees_what_it_is_meant_to_catch(browser, live_server, one_database_user_at_a_time):
    """The checks can fail: axe reports an unnamed link and an image without a text alternative,
    the page's real CSP refuses an inline script (so injecting axe did not lift it) and that
    refusal is recorded, and so are a link to a missing page and a missing asset."""
    walker = Walker(browser, live_server.url)
    result = Walk("anonymous")
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", base_url=live_server.url)
    try:
        context.add_init_script(path=str(AXE))
        page = context.new_page()
        watch(page, result)
        page.goto("/login/")
        assert axe_violations(page) == []
        page.evaluate(
            """() => {
                document.querySelector('main').insertAdjacentHTML('beforeend',
                    '<a href="/nowhere/"></a><img src="/static/no-such-image.png">');
                const script = document.createElement('script');
                script.textContent = 'window.injected = true';
                document.body.append(script);
            }"""
        )
        found = " ".join(axe_violations(page))
        assert "link-name" in found and "image-alt" in found, found
        assert page.evaluate("window.injected") is None
        page.wait_for_function("document.querySelector('main img').complete")
        walker._request(result, context, f"{live_server.url}/nowhere/", "/login/")
    finally:
        context.close()
    problems = "\n".join(result.problems)
    assert "Content Security Policy" in problems, problems
    assert "404 http" in problems and "no-such-image.png" in problems, problems
    assert "404 " + live_server.url + "/nowhere/ (linked from /login/)" in problems, problems


# ---------------------------------------------------------------- Beijing time

AT = datetime.datetime(2026, 12, 2, 23, 30, tzinfo=datetime.UTC)  # 07:30 on 3 December in Beijing
# What a moment of this walk looks like when shown unconverted: the UTC day, or 23:3x/23:4x.
UTC_SHOWN = re.compile(
    r"(?<![\d-])(?:2026-)?12-02(?![\d-])|2026/12/02|12月0?2日|(?<!\d)23:[34]\d(?!\d)"
)
BEIJING_SHOWN = re.compile(r"(?<![\d-])(?:2026-)?12-03(?![\d-])|12月0?3日")


def dates_in_beijing_time(html: str) -> list[str]:
    found = {match.group(0) for match in UTC_SHOWN.finditer(html)}
    return [f"shows {sorted(found)}: UTC, not Beijing time"] if found else []


def test_every_page_shows_moments_in_beijing_time(
    browser, live_server, one_database_user_at_a_time, settings, tmp_path
):
    """Everything in this district happens at 23:30 UTC on 2 December, 07:30 on 3 December in
    Beijing, and each role walks every page it reaches while the clock stands near there (it
    ticks, from 23:30): no page may show 2 December or 23:3x/23:4x, anywhere in its HTML (text,
    a form's default value, a chart's data)."""
    import time_machine

    from core import services as core_services
    from services.tests.conftest import build_world
    from services.tests.test_lifecycle import to_state

    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(AT, tick=False):
        world = build_world()
        to_state(world, "handling")
        closed = to_state(world, "closed")
        for user in world.d.users.values():
            core_services.notify(user=user, title="停水通知", url="/notifications/")
    showing_beijing_date = []

    def dates(html):
        showing_beijing_date.append(bool(BEIJING_SHOWN.search(html)))
        return dates_in_beijing_time(html)

    walker = Walker(browser, live_server.url, check_text=dates, render=False)
    with time_machine.travel(AT, tick=True):
        walks = [walker.walk(r, world.d.logins[f"{r}:own"], PASSWORD) for r in Role.values]
    problems = report(walks, minimum_pages=5)
    assert not problems, problems
    # Not vacuous: the moments are on the pages, shown as 3 December.
    assert sum(showing_beijing_date) >= 20, (sum(showing_beijing_date), len(showing_beijing_date))
    # The requests' own pages were among them.
    opened = {url for walk in walks for url in walk.pages.values()}
    assert any(f"/services/requests/{closed.pk}/" in url for url in opened), opened
