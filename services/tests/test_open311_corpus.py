"""A corpus of malformed Open311 requests (services/tests/data/open311_malformed.json, plus
generated cases): every one is answered below 500, refused with the GeoReport error list in the
requested format carrying a description, and writes nothing. Run on SQLite and PostgreSQL.

A corpus case is {"id", "method", "path", and optionally "query" and "form" (lists of
[name, value] pairs, so a name may repeat), "raw" with "content_type" (a body sent as is),
"headers", "status" (the exact status expected, else any 4xx; 200 where a lenient reading takes
the input: a full-width digit, an ISO week date, a name cut to its 50 characters), "valid_base"
(the form pairs replace those of a valid filing, so exactly one thing is wrong), "not_open311"
(a path no Open311 route matches: the site's 404 page)}. In values, «unit×N» stands
for unit repeated N times, {key} for the district's api_key.
"""

import json
import re
from pathlib import Path
from urllib.parse import quote, urlencode
from xml.etree import ElementTree as ET

import pytest

from core.models import AuditEvent
from services.models import RequestEvent, ServiceRequest

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"
CORPUS = json.loads((Path(__file__).parent / "data" / "open311_malformed.json").read_text("utf-8"))

VALID_FILING = [
    ("api_key", "{key}"), ("jurisdiction_id", "320104"), ("service_code", "CG-003"),
    ("address_string", "中山路1号"), ("description", "路灯不亮"),
]  # fmt: skip

# Generated: each parameter of a filing and of a search, with each kind of junk value.
JUNK = {
    "overlong": "«字×20000»",
    "controls": "\x01\x02\x1b[31m\x7f\x85",
    "bidi": "\u202e\u200b\ufeff",
    "whitespace": "\t \r\n\u3000",
    "markup": "<script>alert(1)</script>]]><![CDATA[",
    "percent": "%00%ff%ED%A0%80",
}
FILING_PARAMETERS = [
    "api_key", "jurisdiction_id", "service_code", "lat", "long", "address_string", "address_id",
    "attribute[kind]", "email", "device_id", "account_id", "first_name", "last_name", "phone",
    "description", "media_url",
]  # fmt: skip
SEARCH_PARAMETERS = [
    "jurisdiction_id", "service_code", "service_request_id", "status", "start_date", "end_date",
]  # fmt: skip
# Junk that a lenient reading takes as a value (a filing still made, a search still answered):
# free text may hold markup or odd characters; it is stored as text and never echoed publicly.
TAKEN = {
    ("address_string", "controls"), ("address_string", "bidi"), ("address_string", "markup"),
    ("address_string", "percent"), ("description", "controls"), ("description", "bidi"),
    ("description", "markup"), ("description", "percent"), ("first_name", "overlong"),
    ("first_name", "controls"), ("first_name", "bidi"), ("first_name", "markup"),
    ("first_name", "percent"), ("email", "overlong"), ("email", "controls"), ("email", "bidi"),
    ("email", "markup"), ("email", "percent"), ("device_id", "overlong"),
    ("device_id", "controls"), ("device_id", "bidi"), ("device_id", "markup"),
    ("device_id", "percent"), ("account_id", "overlong"), ("account_id", "controls"),
    ("account_id", "bidi"), ("account_id", "markup"), ("account_id", "percent"),
    ("last_name", "overlong"), ("last_name", "controls"), ("last_name", "bidi"),
    ("last_name", "markup"), ("last_name", "percent"), ("attribute[kind]", "whitespace"),
    ("lat", "whitespace"), ("long", "whitespace"), ("address_id", "whitespace"),
    ("email", "whitespace"), ("device_id", "whitespace"), ("account_id", "whitespace"),
    ("first_name", "whitespace"), ("last_name", "whitespace"), ("phone", "whitespace"),
    ("description", "whitespace"), ("media_url", "whitespace"), ("jurisdiction_id", "whitespace"),
}  # fmt: skip


def generated() -> list[dict]:
    cases = []
    for name in FILING_PARAMETERS:
        for kind, value in JUNK.items():
            cases.append({
                "id": f"gen-post-{name}-{kind}", "method": "POST", "path": "requests.json",
                "form": [[name, value]], "valid_base": True, "taken": (name, kind) in TAKEN,
            })  # fmt: skip
    for name in SEARCH_PARAMETERS:
        for kind, value in JUNK.items():
            cases.append({
                "id": f"gen-get-{name}-{kind}", "method": "GET", "path": "requests.xml",
                "query": [[name, value]], "search": True,
            })  # fmt: skip
    return cases


def expand(value: str, api_key: str) -> str:
    value = re.sub(r"«(.+?)×(\d+)»", lambda m: m.group(1) * int(m.group(2)), value)
    return value.replace("{key}", api_key)


def pairs(case: dict, field: str, api_key: str) -> list[tuple[str, str]]:
    given = [(expand(k, api_key), expand(v, api_key)) for k, v in case.get(field, [])]
    if field == "form" and case.get("valid_base"):
        replaced = {k for k, _v in given}
        base = [(k, expand(v, api_key)) for k, v in VALID_FILING if k not in replaced]
        given = base + given
    return given


def send(client, case: dict, api_key: str):
    path = f"{BASE}/{case['path']}"
    query = pairs(case, "query", api_key)
    if query:
        path += "?" + urlencode(query, quote_via=quote)
    headers = {k: expand(v, api_key) for k, v in case.get("headers", {}).items()}
    if "raw" in case:
        body, content_type = expand(case["raw"], api_key).encode(), case["content_type"]
    else:
        body = urlencode(pairs(case, "form", api_key), quote_via=quote)
        content_type = "application/x-www-form-urlencoded"
    return client.generic(case["method"], path, body, content_type=content_type, headers=headers)


def written() -> tuple[int, int, int]:
    return ServiceRequest.objects.count(), RequestEvent.objects.count(), AuditEvent.objects.count()


def description_of(response) -> str:
    """The description of the GeoReport error list the response carries."""
    if response["Content-Type"].startswith("application/json"):
        [error] = json.loads(response.content)
        assert error["code"] == response.status_code
        return error["description"]
    root = ET.fromstring(response.content)  # noqa: S314 - our own response, in a test
    assert root.tag == "errors", response.content[:200]
    assert root.find("error/code").text == str(response.status_code)
    return root.find("error/description").text


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    """Hundreds of requests from one address in seconds: the rate limits (test_rate_limits)
    would answer 429 before the input is read."""
    settings.RATELIMIT_ENABLE = False


ALL_CASES = CORPUS + generated()


def test_the_corpus_is_what_this_module_says():
    assert len(CORPUS) >= 140 and len({case["id"] for case in ALL_CASES}) == len(ALL_CASES)


@pytest.mark.parametrize("case", ALL_CASES, ids=[case["id"] for case in ALL_CASES])
def test_malformed_open311_request_is_refused_and_writes_nothing(client, world, api_key, case):
    before = written()
    response = send(client, case, api_key)
    assert response.status_code < 500, (case["id"], response.status_code, response.content[:300])
    if case.get("taken") or case.get("status") == 200 or case.get("search"):
        # Read leniently: a search is answered, a filing is made once (its junk kept as text).
        assert response.status_code in (200, 400, 403, 404), (case["id"], response.content[:300])
        filed = case["method"] == "POST" and response.status_code == 200
        assert written()[0] == before[0] + filed, case["id"]
        if case.get("status") == 200:
            assert response.status_code == 200, (case["id"], response.content[:300])
        return
    assert response.status_code == case.get("status", response.status_code)
    assert 400 <= response.status_code < 500, (case["id"], response.content[:300])
    if not case.get("not_open311"):  # a path Open311 does not route: the site's own 404 page
        assert description_of(response).strip()
    assert written() == before, case["id"]
