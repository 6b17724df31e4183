"""An offer's times of day in the API match the OpenAPI document (found by schemathesis, see
core/tests/test_api_fuzz.py): "09:00:00" is a Beijing time of day with no offset, and the
document declared it with JSON Schema's "time" format, which (RFC 3339 full-time) needs one."""

import re

import pytest

from timebank.tests.test_api import API, bearer
from timebank.tests.test_api_exchange import JSON, OFFER
from timebank.tests.test_exchange import people  # noqa: F401 - the module fixture

jsonschema_rs = pytest.importorskip("jsonschema_rs")  # installed with schemathesis

pytestmark = pytest.mark.django_db


def test_offer_times_match_the_declared_schema(client, bank, people):  # noqa: F811
    document = client.get("/api/openapi.json").json()
    volunteer = bearer(people["volunteer"])
    made = volunteer.post(f"{API}/offers", OFFER, **JSON)
    assert made.status_code == 201, made.content
    listed = volunteer.get(f"{API}/offers", {"mine": "true"})
    [offer] = listed.json()["items"]
    assert (offer["start_time"], offer["end_time"]) == ("09:00:00", "11:30:00")
    for path, method, response in [
        ("/api/timebank/offers", "post", made),
        ("/api/timebank/offers", "get", listed),
    ]:
        declared = document["paths"][path][method]["responses"][str(response.status_code)]
        schema = {**declared["content"]["application/json"]["schema"], **document}
        validator = jsonschema_rs.validator_for(schema, validate_formats=True)
        assert [e.message for e in validator.iter_errors(response.json())] == []
    declared = document["components"]["schemas"]["OfferOut"]["properties"]["start_time"]
    pattern = declared["anyOf"][0]["pattern"]
    assert re.fullmatch(pattern, "18:00:00") and not re.fullmatch(pattern, "18:00:00+08:00")
