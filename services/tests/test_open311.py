"""Open311 GeoReport v2 through the test client: formats, filters, errors, liberal input."""

import json
from xml.etree import ElementTree as ET

import pytest

from services import services as request_services
from services.models import ServiceRequest, State

pytestmark = [pytest.mark.django_db, pytest.mark.urls("services.tests.urls")]
BASE = "/open311/v2"


def xml(response):
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)  # noqa: S314 - our own response, in a test


def post(client, fmt="json", **data):
    return client.post(f"{BASE}/requests.{fmt}", data)


def test_discovery_lists_the_endpoint_and_formats(client):
    root = xml(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    endpoint = root.find("endpoints/endpoint")
    assert endpoint.find("specification").text == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint.find("url").text == "http://testserver/open311/v2"
    assert [f.text for f in endpoint.findall("formats/format")] == ["text/xml", "application/json"]
    data = client.get(f"{BASE}/discovery.json").json()
    assert data["endpoints"][0]["formats"] == ["text/xml", "application/json"]


def test_service_list_and_definition_in_both_formats(client, world):
    services = client.get(f"{BASE}/services.json").json()
    by_code = {s["service_code"]: s for s in services}
    assert by_code["CG-001"]["service_name"] == "占道经营"
    assert by_code["CG-001"]["metadata"] is True and by_code["CG-003"]["metadata"] is False
    assert by_code["CG-001"]["type"] == "realtime"
    root = xml(client.get(f"{BASE}/services.xml", {"jurisdiction_id": "320104"}))
    assert {s.find("service_code").text for s in root.findall("service")} == set(by_code)
    assert root.find("service/metadata").text in ("true", "false")
    definition = client.get(f"{BASE}/services/MZ-002.json").json()
    assert definition["service_code"] == "MZ-002"
    needs = next(a for a in definition["attributes"] if a["code"] == "needs")
    assert needs["datatype"] == "multivaluelist" and needs["required"] is True
    assert {"key": "meal", "name": "助餐"} in needs["values"]
    root = xml(client.get(f"{BASE}/services/MZ-002.xml"))
    assert root.tag == "service_definition"
    assert root.find("attributes/attribute/values/value/key") is not None


def test_older_clients_singular_definition_path_gives_the_same_answer(client, world):
    """Some older GeoReport clients ask /service/{code}.xml (singular): same definition, same
    errors, as /services/{code}.xml."""
    for fmt in ("xml", "json"):
        plural = client.get(f"{BASE}/services/MZ-002.{fmt}")
        singular = client.get(f"{BASE}/service/MZ-002.{fmt}")
        assert singular.status_code == plural.status_code == 200
        assert singular.content == plural.content
    missing = client.get(f"{BASE}/service/NOPE.json")
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404


def test_errors_use_the_spec_format_and_status(client):
    response = client.get(f"{BASE}/services/NOPE.xml")
    assert response.status_code == 404
    root = xml(response)
    assert root.tag == "errors" and root.find("error/code").text == "404"
    assert "NOPE" in root.find("error/description").text
    response = client.get(f"{BASE}/services.json", {"jurisdiction_id": "999999"})
    assert response.status_code == 404
    assert response.json()[0]["code"] == 404
    assert client.get(f"{BASE}/services.yaml").status_code == 404
    response = client.get(f"{BASE}/requests.json", {"start_date": "yesterday"})
    assert response.status_code == 400 and "start_date" in response.json()[0]["description"]
    assert client.delete(f"{BASE}/requests.json").status_code == 405


@pytest.mark.parametrize(
    ("data", "status", "fragment"),
    [
        ({}, 403, "api_key"),
        ({"api_key": "wrong"}, 403, "api_key"),
        ({"service_code": ""}, 400, "service_code"),
        ({"service_code": "NOPE"}, 404, "NOPE"),
        ({"service_code": "CG-003", "description": "x"}, 400, "location"),
        ({"service_code": "CG-003", "lat": "abc", "long": "118.8"}, 400, "纬度"),
        ({"service_code": "CG-003", "lat": "95", "long": "118.8"}, 400, "纬度"),
        ({"service_code": "CG-003", "address_id": "000"}, 400, "address_id"),
        ({"service_code": "CG-003", "address_string": "x", "media_url": "ftp://x"}, 400, "media_url"),
        ({"service_code": "CG-001", "address_string": "x"}, 400, "经营类型"),
        ({"service_code": "CG-001", "address_string": "x", "attribute[kind]": "car"}, 400, "car"),
        ({"service_code": "CG-001", "address_string": "x", "attribute[kind]": "food",
          "attribute[oops]": "1"}, 400, "oops"),
        ({"service_code": "CG-003", "address_string": "x", "description": "长" * 4001}, 400, "4000"),
        ({"service_code": "CG-003", "jurisdiction_id": "999999", "address_string": "x"}, 404, "999999"),
    ],
)  # fmt: skip
def test_malformed_post_gets_the_spec_error_and_writes_nothing(
    client, api_key, data, status, fragment
):
    if data and "api_key" not in data:
        data = {"api_key": api_key, **data}
    before = ServiceRequest.objects.count()
    for fmt in ("json", "xml"):
        response = post(client, fmt, **data)
        assert response.status_code == status, (fmt, response.content)
        if fmt == "json":
            error = response.json()[0]
            assert error["code"] == status and fragment in error["description"], error
        else:
            assert xml(response).find("error/code").text == str(status)
    assert ServiceRequest.objects.count() == before


def test_post_with_attributes_in_body_or_query_and_lookup(client, api_key, world):
    grid = world.d.grids[1]
    response = client.post(
        f"{BASE}/requests.json?service_code=MZ-002",
        {
            "api_key": api_key,
            "address_id": grid.code,
            "attribute[age]": "84",
            "attribute[needs][]": ["meal", "clean"],
            "description": "独居老人需要助餐",
            "first_name": "明",
            "last_name": "王",
            "phone": "13912345678",
            "email": "",  # empty means absent
            "lat": "",
        },
    )
    assert response.status_code == 200, response.content
    [created] = response.json()
    assert set(created) == {"service_request_id", "service_notice", "account_id"}
    req = ServiceRequest.objects.get(pk=created["service_request_id"])
    assert req.channel == "open311" and req.grid == grid
    assert req.answers == {"age": "84", "needs": ["meal", "clean"]}
    assert req.contact_name == "王明" and req.contact_phone_masked == "139****5678"
    assert req.state == State.SUBMITTED
    # GET one, in both formats; nothing the client sent about the person comes back: MZ-002
    # (care for the elderly) is not named publicly, the place is the community, not the grid.
    [one] = client.get(f"{BASE}/requests/{req.pk}.json").json()
    assert one["status"] == "open" and one["service_code"] is None
    assert one["address_id"] == req.community.code and one["description"] is None
    assert one["requested_datetime"].endswith("+08:00")
    text = json.dumps(one, ensure_ascii=False)
    assert "13912345678" not in text and "王明" not in text and "独居" not in text
    root = xml(client.get(f"{BASE}/requests/{req.pk}.xml"))
    assert root.find("request/service_request_id").text == str(req.pk)
    # The token resolves to the id.
    [token] = client.get(f"{BASE}/tokens/{req.token}.json").json()
    assert token == {"service_request_id": str(req.pk), "token": req.token}
    assert client.get(f"{BASE}/tokens/unknown.json").status_code == 404
    assert client.get(f"{BASE}/requests/999999.json").status_code == 404


def test_get_requests_filters(client, api_key, world):
    ids = []
    for code in ("CG-003", "GEN-001"):
        response = post(client, api_key=api_key, service_code=code, address_string="中山路1号")
        ids.append(response.json()[0]["service_request_id"])
    listed = client.get(f"{BASE}/requests.json", {"service_code": "CG-003"}).json()
    assert ids[0] in {r["service_request_id"] for r in listed}
    assert ids[1] not in {r["service_request_id"] for r in listed}
    both = client.get(
        f"{BASE}/requests.json", {"service_request_id": ",".join(ids), "status": "closed"}
    )
    assert {r["service_request_id"] for r in both.json()} == set(ids)  # ids override other filters
    assert (
        client.get(f"{BASE}/requests.json", {"status": "closed", "service_code": "CG-003"}).json()
        == []
    )
    assert client.get(f"{BASE}/requests.json", {"status": "pending"}).status_code == 400
    future = client.get(f"{BASE}/requests.json", {"start_date": "2099-01-01T00:00:00Z"}).json()
    assert future == []
    liberal = client.get(f"{BASE}/requests.json", {"start_date": "", "end_date": "", "status": ""})
    assert liberal.status_code == 200 and len(liberal.json()) >= 2
    root = xml(client.get(f"{BASE}/requests.xml", {"service_code": "CG-003,GEN-001"}))
    assert root.tag == "service_requests" and len(root.findall("request")) >= 2


def test_same_idempotency_key_posts_once(client, api_key):
    data = {"api_key": api_key, "service_code": "CG-003", "address_string": "x"}
    first = client.post(f"{BASE}/requests.json", data, HTTP_IDEMPOTENCY_KEY="abc-1").json()
    second = client.post(f"{BASE}/requests.json", data, HTTP_IDEMPOTENCY_KEY="abc-1").json()
    assert first[0]["service_request_id"] == second[0]["service_request_id"]


def test_revoked_key_is_refused(client, world):
    key, raw = request_services.open311_key_create(
        actor=world.d.root, district=world.d.district, name="旧App"
    )
    request_services.open311_key_revoke(actor=world.d.root, key=key)
    response = post(client, api_key=raw, service_code="CG-003", address_string="x")
    assert response.status_code == 403


def test_requests_from_residents_do_not_show_their_words(client, world):
    req = request_services.request_submit(
        actor=world.resident, place=world.d.grids[0], description="我家住3栋201，邻居天天吵",
        resident=world.resident.person,
    )  # fmt: skip
    [one] = client.get(f"{BASE}/requests/{req.pk}.json").json()
    assert one["description"] is None
    text = json.dumps(one, ensure_ascii=False)
    assert "3栋201" not in text and "邻居" not in text


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_key_in_the_url_is_refused_and_files_nothing(client, api_key, fmt, method):
    """Keys in URLs end up in access logs, proxy logs and browser history (issue #20 item 6)."""
    before = ServiceRequest.objects.count()
    url = f"{BASE}/requests.{fmt}?api_key={api_key}"
    body = {"service_code": "MZ-002", "address_string": "中山路1号"}
    response = getattr(client, method)(url, body) if method == "post" else client.get(url)
    assert response.status_code == 400
    assert "never in the URL" in response.content.decode()
    assert ServiceRequest.objects.count() == before
    for path in ("services", "discovery", f"requests/{before + 1}"):
        assert client.get(f"{BASE}/{path}.{fmt}?api_key=x").status_code == 400, path
