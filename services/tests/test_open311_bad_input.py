"""Open311 bad input found by probing from outside: impossible or out-of-range dates and NUL
characters answer 400 with the spec's error list (JSON and XML) in the user's language, and
write nothing. Run on SQLite and on PostgreSQL (which refuses NUL in any text: a 500 before)."""

import json
from xml.etree import ElementTree as ET

import pytest

from core.models import AuditEvent
from services.models import ServiceRequest

pytestmark = [pytest.mark.django_db, pytest.mark.urls("services.tests.urls")]
BASE = "/open311/v2"


def written():
    return ServiceRequest.objects.count(), AuditEvent.objects.count()


def error_of(response, fmt: str) -> dict:
    """The one error of a GeoReport error list, as {"code": int, "description": str}."""
    if fmt == "json":
        assert response["Content-Type"] == "application/json; charset=utf-8"
        [error] = json.loads(response.content)
        return error
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    root = ET.fromstring(response.content)  # noqa: S314 - our own response, in a test
    assert root.tag == "errors"
    [error] = root.findall("error")
    return {"code": int(error.find("code").text), "description": error.find("description").text}


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ({"start_date": "2026-02-30"}, "start_date 不是有效的日期时间"),
        ({"start_date": "2026-02-30T09:00:00+08:00"}, "start_date 不是有效的日期时间"),
        ({"end_date": "2026-13-01"}, "end_date 不是有效的日期时间"),
        ({"start_date": "0000-01-01"}, "start_date 不是有效的日期时间"),
        ({"start_date": "99999-01-01"}, "start_date 不是有效的日期时间"),
        ({"start_date": "2026-01-01T00:00:00+25:00"}, "start_date 不是有效的日期时间"),
        ({"start_date": "0001-01-01"}, "start_date 超出允许的范围"),
        ({"end_date": "0001-01-01T00:00:00Z"}, "end_date 超出允许的范围"),
        ({"start_date": "9999-12-31"}, "start_date 超出允许的范围"),
        ({"end_date": "9999-12-31T23:59:59+08:00"}, "end_date 超出允许的范围"),
        ({"end_date": "9999-12-31T23:59:59-12:00"}, "end_date 超出允许的范围"),
        ({"start_date": "0001-01-01T00:00:00+14:00"}, "start_date 超出允许的范围"),
        ({"start_date": "1999-12-31T23:59:59+08:00"}, "start_date 超出允许的范围"),
        ({"end_date": "2101-01-01"}, "end_date 超出允许的范围"),
        ({"start_date": "2026-03-01", "end_date": "2026-01-01"}, "start_date 晚于 end_date"),
    ],
)
def test_bad_dates_answer_400_in_the_spec_format(client, world, query, fragment, fmt):
    response = client.get(f"{BASE}/requests.{fmt}", query)
    assert response.status_code == 400, response.content
    error = error_of(response, fmt)
    assert error["code"] == 400 and fragment in error["description"], error


def _described_in_english(client, query) -> str:
    """The description of the 400 Open311 answers a GET of requests.json with `query`, in
    English."""
    response = client.get(f"{BASE}/requests.json", query, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    return error_of(response, "json")["description"]


def test_bad_date_message_in_english(client, world):
    assert _described_in_english(client, {"start_date": "2026-02-30"}) == (
        "start_date is not a valid date-time; use the W3C format, e.g. 2026-01-01T00:00:00+08:00."
    )
    response = client.get(
        f"{BASE}/requests.xml", {"start_date": "2026-03-01", "end_date": "2026-01-01"},
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert "start_date is after end_date" in error_of(response, "xml")["description"]


def test_dates_at_the_edges_of_the_range_are_answered(client, world):
    for query in (
        {"start_date": "2000-01-01"},
        {"end_date": "2100-12-31"},
        {"start_date": "1999-12-31T16:00:00Z"},  # 2000-01-01 00:00 in Beijing
        {"start_date": "2026-02-28", "end_date": "2026-02-28T23:59:59+08:00"},
    ):
        response = client.get(f"{BASE}/requests.json", query)
        assert response.status_code == 200, (query, response.content)


# ---------------------------------------------------------------- NUL in every parameter

# Every parameter a GET of requests reads, and every one a POST reads (spec names).
GET_PARAMETERS = [
    "jurisdiction_id", "service_code", "service_request_id", "status", "start_date", "end_date",
]  # fmt: skip
POST_PARAMETERS = [
    "api_key", "jurisdiction_id", "service_code", "lat", "long", "address_string", "address_id",
    "attribute[kind]", "email", "device_id", "account_id", "first_name", "last_name", "phone",
    "description", "media_url",
]  # fmt: skip


def valid_post(api_key, world) -> dict:
    return {
        "api_key": api_key, "jurisdiction_id": "320104", "service_code": "CG-001",
        "lat": "32.0", "long": "118.8", "address_string": "中山路1号",
        "address_id": world.d.grids[0].code, "attribute[kind]": "food",
        "email": "a@example.com", "device_id": "d1", "account_id": "u1", "first_name": "三",
        "last_name": "张", "phone": "13900000000", "description": "有人占道经营",
        "media_url": "https://example.com/a.jpg",
    }  # fmt: skip


def with_nul(value: str) -> str:
    return value[:1] + "\x00" + value[1:]


def assert_nul_refused(response, fmt, name):
    assert response.status_code == 400, (name, response.content)
    error = error_of(response, fmt)
    assert error["code"] == 400
    assert f"参数“{name}”含有空字符（NUL）" in error["description"], error


def test_the_valid_post_is_taken(client, api_key, world):
    """The control: without a NUL the same parameters file a request."""
    response = client.post(f"{BASE}/requests.json", valid_post(api_key, world))
    assert response.status_code == 200, response.content
    assert response.json()[0]["service_request_id"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("name", POST_PARAMETERS)
@pytest.mark.parametrize("where", ["body", "query"])
def test_nul_in_any_post_parameter_is_refused(client, api_key, world, name, where, fmt):
    data = valid_post(api_key, world)
    data[name] = with_nul(data[name])
    before = written()
    if where == "body":
        response = client.post(f"{BASE}/requests.{fmt}", data)
    else:
        bad = {name: data.pop(name)}
        response = client.post(f"{BASE}/requests.{fmt}?" + _query(bad), data)
    assert_nul_refused(response, fmt, name)
    assert written() == before


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("name", GET_PARAMETERS)
def test_nul_in_any_get_parameter_is_refused(client, world, name, fmt):
    values = {
        "jurisdiction_id": "320104", "service_code": "CG-003", "service_request_id": "1",
        "status": "open", "start_date": "2026-01-01", "end_date": "2026-02-01",
    }  # fmt: skip
    response = client.get(f"{BASE}/requests.{fmt}", {name: with_nul(values[name])})
    assert_nul_refused(response, fmt, name)


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("services.json?jurisdiction_id=32%0004", "jurisdiction_id"),
        ("services/CG-001.json?jurisdiction_id=3201%0004", "jurisdiction_id"),
        ("services/CG%00-001.json", "service_code"),
        ("requests/1.json?jurisdiction_id=%00", "jurisdiction_id"),
        ("tokens/ab%00cd.json", "token"),
        ("discovery.json?x=%00", "x"),
    ],
)
def test_nul_in_the_other_endpoints_is_refused(client, world, path, name):
    assert_nul_refused(client.get(f"{BASE}/{path}"), "json", name)


def test_nul_in_a_parameter_name_or_the_idempotency_key_is_refused(client, api_key, world):
    before = written()
    data = {**valid_post(api_key, world), "attribute[ki\x00nd]": "food"}
    response = client.post(f"{BASE}/requests.xml", data)
    assert_nul_refused(response, "xml", "attribute[ki\\0nd]")
    response = client.post(
        f"{BASE}/requests.json", valid_post(api_key, world), HTTP_IDEMPOTENCY_KEY="k\x001"
    )
    assert_nul_refused(response, "json", "Idempotency-Key")
    assert written() == before


def test_nul_refusal_in_english(client, world):
    assert _described_in_english(client, {"status": "open\x00"}) == (
        'The parameter "status" contains a NUL character; remove it and try again.'
    )


def _query(data: dict) -> str:
    from urllib.parse import urlencode

    return urlencode(data)
