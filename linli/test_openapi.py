"""/api/openapi.json names every schema once (found by probing from outside: admission and
services both had ``RequestOut``/``RequestIn``/``PagedRequestOut``, so the document described
admission's requests with the services' fields and their real answers failed their own schema).

Two checks: no component name stands for two different schemas in any router, and real answers
of admission and services endpoints validate against the schema the document declares for them.
"""

import enum
import json
import typing

import pytest
from django.db import transaction
from django.test import Client, override_settings
from pydantic import BaseModel

from admission import services as admission_services
from core import services as core_services
from core.testing import build_small_district
from services import services as request_services

jsonschema_rs = pytest.importorskip("jsonschema_rs")  # installed with schemathesis

pytestmark = pytest.mark.django_db


def _models_in(annotation) -> typing.Iterator[type]:
    """The models and enumerations an annotation names (a component each in the document)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel | enum.Enum):
        yield annotation
    for argument in typing.get_args(annotation):
        yield from _models_in(argument)


def _shape(kind: type) -> str:
    if issubclass(kind, enum.Enum):
        return repr(sorted(str(member.value) for member in kind))
    return repr(sorted((name, repr(f.annotation)) for name, f in kind.model_fields.items()))


def schema_classes() -> dict[str, set[str]]:
    """Every pydantic model (and enumeration) an operation of the API takes or answers, nested
    ones too, by the name the document gives it: {name: {the shape of each distinct one}}. A
    model's shape is its fields and their types, the nested models named with their module (an
    enumeration's, its values); ninja makes a ``Paged…`` model per paginated endpoint, the same
    shape each time."""
    from linli.api import api

    seen: dict[str, set[str]] = {}
    queue: list[type[BaseModel]] = []
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                queue.extend(operation.response_models.values())
                queue.extend(operation.models)
    visited: set[type] = set()
    while queue:
        kind = queue.pop()
        if kind in visited:
            continue
        visited.add(kind)
        seen.setdefault(kind.__name__, set()).add(_shape(kind))
        for field in getattr(kind, "model_fields", {}).values():
            queue.extend(_models_in(field.annotation))
    return seen


def test_no_two_schemas_share_a_name(client):
    document = client.get("/api/openapi.json").json()
    components = set(document["components"]["schemas"])
    classes = schema_classes()
    assert components <= set(classes) | {"Input", "ErrorOut"}, components - set(classes)
    clashes = {
        name: shapes
        for name, shapes in classes.items()
        if len(shapes) > 1 and name in components  # not ninja's own wrappers (BodyParams…)
    }
    assert clashes == {}, sorted(clashes)
    for name in ("AdmissionRequestOut", "AdmissionRequestIn", "RequestOut", "RequestIn"):
        assert name in components
    assert "findings" in document["components"]["schemas"]["AdmissionRequestOut"]["properties"]
    assert "state" in document["components"]["schemas"]["RequestOut"]["properties"]
    # The services' request categories; the time bank's kinds of help are listed inline.
    assert "enquiry" in document["components"]["schemas"]["Category"]["enum"]
    offer = document["components"]["schemas"]["OfferIn"]["properties"]["category"]
    assert "company" in offer["enum"] and "$ref" not in offer


# ---------------------------------------------------------------- real answers vs the document


@pytest.fixture(scope="module")
def d(django_db_setup, django_db_blocker):
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        district = build_small_district()
        admission_services.lists_seed(actor=district.root, district=district.district)
        request_services.catalogue_seed(actor=district.root, district=district.district)
        yield district
        transaction.set_rollback(True)


def bearer(user) -> Client:
    _token, secret = core_services.api_token_create(actor=user, name="schema", scope="write")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def conforms(document, method: str, path: str, response) -> list[str]:
    """What in the response's JSON breaks the schema the document declares for it."""
    declared = document["paths"][path][method]["responses"][str(response.status_code)]
    schema = declared["content"]["application/json"]["schema"]
    validator = jsonschema_rs.validator_for({**schema, "components": document["components"]})
    return [f"{e.instance_path}: {e.message}" for e in validator.iter_errors(response.json())]


def post(client, url, data, **headers):
    return client.post(url, json.dumps(data), content_type="application/json", headers=headers)


def test_admission_and_services_answers_match_their_schemas(d):
    document = Client().get("/api/openapi.json").json()
    officer = bearer(d.users["department_officer:own"])
    coordinator = bearer(d.users["coordinator:own"])
    resident = bearer(d.users["resident:own"])
    checked = []

    def check(client_method, method, template, url, status, **kwargs):
        response = client_method(url, **kwargs)
        assert response.status_code == status, (url, response.content)
        assert conforms(document, method, template, response) == [], (method, template)
        checked.append(template)
        return response.json()

    def check_reads(client, requests: str, pk: int):
        """The list of requests and one request."""
        check(client.get, "get", requests, requests, 200)
        check(client.get, "get", f"{requests}/{{request_id}}", f"{requests}/{pk}", 200)

    created = check(
        lambda url, **kw: post(officer, url, kw["data"], **{"Idempotency-Key": "schema-1"}),
        "post", "/api/admission/requests", "/api/admission/requests", 201,
        data={
            "kind": "form", "title": "养老服务需求季度调查", "legal_basis": "《老年人权益保障法》",
            "community_ids": [d.communities[0].pk], "frequency": "quarterly",
            "minutes_per_community": 60, "funding_fen": 20000, "period_start": "2026-01-01",
            "period_end": "2030-12-31", "submit_token": "schema-1", "form_fields": ["服务需求"],
        },
    )  # fmt: skip
    assert "findings" in created and "state" not in created
    check_reads(officer, "/api/admission/requests", created["id"])
    check(
        lambda url: post(coordinator, url, {"opinion": "材料齐全"}),
        "post", "/api/admission/requests/{request_id}/prepare",
        f"/api/admission/requests/{created['id']}/prepare", 200,
    )  # fmt: skip
    filed = check(
        lambda url: post(
            resident, url, {"place": d.grids[0].pk, "description": "路灯不亮", "item": "CG-003"}
        ),
        "post", "/api/services/requests", "/api/services/requests", 201,
    )  # fmt: skip
    assert "state" in filed and "findings" not in filed
    check_reads(resident, "/api/services/requests", filed["id"])
    assert len(checked) == 7
