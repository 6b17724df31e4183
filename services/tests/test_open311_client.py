"""Open311 against a GeoReport v2 client from PyPI that we did not write: `georeport` 0.3.1
(requests + xmltodict), talking HTTP to a live server, in JSON and in XML. It has no POST, so
the create is sent the way old clients do it: a plain form-encoded POST with `requests`."""

import pytest
import requests
from georeport import GeoReport

from services import services as request_services
from services.tests.conftest import build_world

pytestmark = pytest.mark.urls("services.tests.urls")


@pytest.fixture
def served(transactional_db, live_server):
    world = build_world()
    _key, raw = request_services.open311_key_create(
        actor=world.d.root, district=world.d.district, name="georeport"
    )
    return world, raw, f"{live_server.url}/open311/v2"


def test_georeport_client_reads_what_we_serve(served):
    world, api_key, root = served
    # An old-style client: form body, attribute[code][] for a multi-value list.
    response = requests.post(
        f"{root}/requests.xml",
        data={
            "api_key": api_key, "jurisdiction_id": "320104", "service_code": "MZ-002",
            "address_id": world.d.grids[0].code, "attribute[age]": "81",
            "attribute[needs][]": ["meal", "bath"], "description": "独居老人需要助餐助浴",
            "phone": "13912340000",
        },
        timeout=10,
    )  # fmt: skip
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"

    for fmt in ("json", "xml"):
        client = GeoReport(root, jurisdiction="320104", output_format=fmt)
        services = client.get_service_list()
        codes = {s["service_code"] for s in services}
        assert {"CG-001", "MZ-002"} <= codes
        definition = client.get_service_definition("MZ-002")
        attributes = definition["attributes"]
        if fmt == "xml":  # xmltodict keeps the wrapper element
            attributes = attributes["attribute"]
        assert {a["code"] for a in attributes} == {"age", "needs"}
        listed = client.get_service_requests(status="open")
        if fmt == "xml":  # one element → a dict, several → a list
            listed = [listed] if isinstance(listed, dict) else listed
        assert len(listed) == 1
        request_id = listed[0]["service_request_id"]
        one = client.get_service_request(request_id)
        assert one["status"] == "open"
        # Care for the elderly is about a person's circumstances: the request does not name it
        # (nor is it found by its code), and it is placed at its community, not its grid.
        assert not one["service_name"] and not one["service_code"]
        assert one["address_id"] == world.d.communities[0].code
        assert "独居" not in str(one) and "13912340000" not in str(one)
        if fmt == "json":  # (an empty XML list is more than this client can parse)
            assert client.get_service_requests(service_code="MZ-002") == []


def test_georeport_client_sees_http_errors(served):
    _world, _key, root = served
    client = GeoReport(root, jurisdiction="999999")
    with pytest.raises(requests.HTTPError) as error:
        client.get_service_list()
    assert error.value.response.status_code == 404
    assert error.value.response.json()[0]["code"] == 404
