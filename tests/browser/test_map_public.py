"""The public map of requests (issue #14 item 4) on a phone and a desktop, signed out, with no
tile server: the district's own outlines are the base map, requests are points at their rounded
place, the list below names no one, and the filters narrow both."""

import pytest

from core import boundaries
from services import services as request_services
from tests.browser.conftest import DESKTOP, PHONE, screenshots, submit

shot = screenshots("map-public-")
NAME, MOBILE = "张秀英", "13812345678"


@pytest.fixture
def requests_on_the_map(district):
    d = district
    boundaries.boundaries_import(
        actor=d.root, district=d.district,
        collection=boundaries.demo_collection(d.district, (32.0415, 118.7946)),
    )  # fmt: skip
    made = []
    for n, (code, grid) in enumerate([("CG-003", 0), ("CG-002", 3), ("CG-007", 5), ("CG-003", 6)]):
        shape = boundaries.boundaries_of(d.district)["features"]
        cell = next(f for f in shape if f["properties"]["code"] == d.grids[grid].code)
        west, south = cell["geometry"]["coordinates"][0][0]
        req = request_services.request_submit(
            actor=d.root, place=d.grids[grid], item=_item(d, code),
            description=f"{NAME}反映，电话{MOBILE}，第{n}处", contact_name=NAME,
            contact_phone=MOBILE, lat=round(south + 0.004, 6), long=round(west + 0.004, 6),
        )  # fmt: skip
        made.append(req)
    root = d.root
    shed = request_services.request_accept(actor=root, request=made[0])
    shed = request_services.request_dispatch(actor=root, request=shed, department=d.departments[1])
    request_services.request_publish_public_text(
        actor=root, request=shed, description="小区空地违章搭建，已派城管核查"
    )
    return made


def _item(d, code):
    from services.models import ServiceItem

    return ServiceItem.objects.get(district=d.district, code=code)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_visitor_reads_the_map_and_list_without_signing_in(
    new_page, requests_on_the_map, viewport
):
    page = new_page(viewport=viewport)
    page.goto("/services/public/")
    page.wait_for_selector("#place-map[data-ready='1']")
    # The outlines are drawn (1 district, 2 streets, 4 communities, 8 grids), and the 4 points.
    assert page.locator("#place-map path.leaflet-interactive").count() == 4
    assert page.locator("#place-map path").count() == 15 + 4
    assert page.locator("#place-map .place-label-street").count() == 2
    text = page.locator("main").inner_text()
    assert NAME not in text and MOBILE not in text
    assert "小区空地违章搭建，已派城管核查" in text
    assert page.locator("#public-requests tbody tr[id]").count() == 4
    box = page.locator("#place-map").bounding_box()
    assert box["width"] <= viewport["width"] and box["height"] >= 300
    wide = page.evaluate(
        """w => [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > w + 1)
        .slice(0, 3).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""",
        viewport["width"],
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], wide
    name = "phone" if viewport is PHONE else "desktop"
    shot(page, f"{name}-1-all")
    page.select_option("select[name=state]", "dispatched")
    submit(page, "form.filters button")  # (the old page's map was ready too)
    page.wait_for_selector("#place-map[data-ready='1']")
    assert page.locator("#public-requests tbody tr[id]").count() == 1
    assert page.locator("#place-map path.leaflet-interactive").count() == 1
    shot(page, f"{name}-2-dispatched")
