"""The Content-Security-Policy in a real browser: the key pages (the pin map, with and without
a tile server; a request with its photo; the chart pages with a tooltip open; the import page;
the API docs) work under it, and Chromium reports no violation on any of them — neither in the
console nor as a securitypolicyviolation event."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.testing import PASSWORD, build_small_district
from services import services as request_services
from tests.browser.conftest import PHONE, log_in, on_workbench

WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI + " " + (e.sample || ""));
});
"""


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (30, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def district(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    d = build_small_district()
    request_services.catalogue_seed(actor=d.root, district=d.district)
    resident = d.users["resident:own"]
    request = request_services.request_submit(
        actor=resident, place=d.grids[0], description="路灯不亮", lat="32.0415",
        long="118.7946", photo=SimpleUploadedFile("lamp.png", png(), "image/png"),
        resident=resident.person,
    )  # fmt: skip
    return d, request


def watched(new_page, **kwargs):
    """A page that records every CSP violation Chromium reports."""
    page = new_page(**kwargs)
    messages = []

    def on_console(message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            messages.append(message.text)

    page.on("console", on_console)
    page.add_init_script(WATCH)
    page.csp_messages = messages
    return page


def assert_no_violation(page, where: str) -> None:
    page.wait_for_timeout(300)  # a late report still arrives
    events = page.evaluate("window.__cspViolations || []")
    assert page.csp_messages == [] and events == [], (where, page.csp_messages, events)


def test_key_pages_run_under_the_policy_without_a_violation(new_page, district, live_server):
    d, request = district
    # The pin map (no tiles: the coordinate grid), on a phone.
    phone = watched(new_page, viewport=PHONE)
    log_in(phone, d.logins["resident:own"], PASSWORD)
    phone.wait_for_url(on_workbench)
    phone.goto("/services/new/?free=1")
    phone.wait_for_selector("#pin-map[data-ready='1']")
    assert phone.locator("#pin-field + .field #id_lat").count() == 1  # moved by the static JS
    box = phone.locator("#pin-map").bounding_box()
    phone.locator("#pin-map").click(position={"x": box["width"] / 2, "y": 80})
    assert phone.locator("#id_lat").input_value()
    assert_no_violation(phone, "request form")
    # The request page: the pin and the photo (served as the image it is).
    phone.goto(f"/services/requests/{request.pk}/")
    phone.wait_for_selector("#pin-map .pin-marker")
    phone.wait_for_function("() => document.querySelector('img.sr-photo').naturalWidth === 60")
    assert_no_violation(phone, "request page")

    desk = watched(new_page)
    log_in(desk, d.logins["coordinator:own"], PASSWORD)
    desk.wait_for_url(on_workbench)
    for path, chart in (
        ("/services/metrics/?days=30", "#chart-rates"),
        (f"/workload/burden/?community={d.communities[0].pk}", "#trend-chart"),
        ("/timebank/statistics/", "#chart-months"),
    ):
        desk.goto(path)
        desk.wait_for_selector(f"{chart} canvas")  # the nonced inline script ran
        assert desk.locator(chart).bounding_box()["height"] >= 250  # its height from the CSS
        # ECharts' tooltip writes its markers with style attributes: allowed (style-src-attr).
        box = desk.locator(chart).bounding_box()
        desk.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        desk.wait_for_timeout(400)
        assert_no_violation(desk, path)

    admin = watched(new_page)
    log_in(admin, d.logins["admin:own"], PASSWORD)
    admin.wait_for_url(on_workbench)
    admin.goto("/registry/imports/")
    # The datalist is tied to its input by the site's static script (was an inline one).
    admin.wait_for_function(
        "() => document.getElementById('id_source_name').getAttribute('list') === 'source-names'"
    )
    assert_no_violation(admin, "imports")
    admin.goto("/api/docs")
    admin.wait_for_selector(".swagger-ui .opblock")
    assert_no_violation(admin, "api docs")


def test_a_configured_tile_server_is_allowed(new_page, district, live_server, settings):
    """Tiles from another origin (here 127.0.0.1 while the site is localhost) load: the policy
    names the configured server in img-src, and nothing is refused."""
    d, request = district
    port = live_server.url.rsplit(":", 1)[1]
    assert "localhost" in live_server.url
    settings.LINLI_MAP_TILES = (
        f"http://127.0.0.1:{port}/static/vendor/leaflet/images/layers.png?z={{z}}&x={{x}}&y={{y}}"
    )
    phone = watched(new_page, viewport=PHONE)
    log_in(phone, d.logins["resident:own"], PASSWORD)
    phone.wait_for_url(on_workbench)
    phone.goto(f"/services/requests/{request.pk}/")
    phone.wait_for_selector("#pin-map img.leaflet-tile-loaded")
    tiles = phone.eval_on_selector_all(
        "#pin-map img.leaflet-tile", "tiles => tiles.map(t => t.src)"
    )
    assert tiles and all(src.startswith(f"http://127.0.0.1:{port}/") for src in tiles)
    assert_no_violation(phone, "tiles")


def test_an_injected_script_is_blocked_and_the_watch_sees_it(new_page, district):
    """What the policy is for, and proof that the watch above would see a violation: a script
    or an event handler put into the page (as an injection would) does not run."""
    d, _request = district
    page = watched(new_page)
    log_in(page, d.logins["coordinator:own"], PASSWORD)
    page.wait_for_url(on_workbench)
    page.evaluate(
        """() => {
        const script = document.createElement("script");
        script.textContent = "window.__injected = 1";
        document.body.appendChild(script);
        const button = document.createElement("button");
        button.id = "injected";
        button.setAttribute("onclick", "window.__clicked = 1");
        button.textContent = "x";
        document.body.appendChild(button);
    }"""
    )
    page.click("#injected")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__injected") is None
    assert page.evaluate("window.__clicked") is None
    events = page.evaluate("window.__cspViolations")
    assert any(event.startswith("script-src") for event in events), events
    assert len(events) >= 2 and page.csp_messages
