"""The registry's JSON API: field registry, conflicts, import progress, reports and their rows."""

import pytest

from admission.testing import admitted_form_item
from core import personal_data
from core import services as core_services
from registry import services


def dept(d, code):
    return next(x for x in d.departments if x.short_code == code)


@pytest.fixture
def api(client):
    def as_user(user):
        _token, secret = core_services.api_token_create(actor=user, name="t", scope="write")
        return lambda method, url, **kw: getattr(client, method)(
            f"/api/registry{url}", HTTP_AUTHORIZATION=f"Bearer {secret}",
            content_type="application/json", **kw,
        )  # fmt: skip

    return as_user


@pytest.mark.django_db
def test_fields_conflicts_and_settle(filled, api):
    call = api(filled.users["ga_officer"])
    fields = call("get", "/fields").json()
    assert {"key": "id_number", "label": "公民身份号码", "kind": "text", "owner": "公安分局",
            "sensitive": True, "is_tag": False} in fields  # fmt: skip
    person = personal_data.find_by_id_number("320104192805271137")
    _o, _f, conflict = services.fact_record(
        actor=filled.users["department_officer:own"], person=person, key="ethnicity", raw="回族",
        source=dept(filled, "mz"),
    )  # fmt: skip
    assert conflict is None  # nobody held ethnicity for this person yet: 民政局's value is shown
    _o, _f, conflict = services.fact_record(
        actor=filled.users["ga_officer"], person=person, key="ethnicity", raw="汉族",
        source=dept(filled, "ga"),
    )  # fmt: skip
    assert _o == "current"  # the owner's value replaces it
    _o, _f, conflict = services.fact_record(
        actor=filled.users["department_officer:own"], person=person, key="ethnicity", raw="满族",
        source=dept(filled, "mz"),
    )  # fmt: skip
    listed = call("get", "/conflicts").json()
    assert listed["count"] == 1 and listed["items"][0]["challenger_value"] == "满族"
    mz_call = api(filled.users["department_officer:own"])
    assert mz_call("get", "/conflicts").json()["count"] == 0
    refused = mz_call("post", f"/conflicts/{conflict.pk}/settle", data={"keep": "shown"})
    assert refused.status_code == 403
    bad = call("post", f"/conflicts/{conflict.pk}/settle", data={"keep": "maybe"})
    assert bad.status_code == 422
    done = call(
        "post", f"/conflicts/{conflict.pk}/settle", data={"keep": "shown", "note": "户籍为准"}
    )
    assert done.status_code == 200 and done.json()["shown_value"] == "汉族"
    again = call("post", f"/conflicts/{conflict.pk}/settle", data={"keep": "shown"})
    assert again.status_code == 422


@pytest.mark.django_db
def test_reports_register_and_rows(filled, api):
    call = api(filled.users["department_officer:own"])
    ungated = call("post", "/reports", data={
        "department_id": dept(filled, "mz").pk, "name": "表", "fields": ["name"]})  # fmt: skip
    assert ungated.status_code == 422 and "须先经准入" in str(ungated.json())
    item = admitted_form_item(dept(filled, "mz")).pk
    refused = call("post", "/reports", data={
        "department_id": dept(filled, "mz").pk, "item_id": item, "name": "表", "fields": ["name"],
        "new_columns": ["身份证号"]})  # fmt: skip
    assert refused.status_code == 422 and "公安分局" in str(refused.json())
    made = call("post", "/reports", data={
        "department_id": dept(filled, "mz").pk, "item_id": item, "name": "高龄表",
        "fields": ["name", "elderly_allowance"], "tags": ["elderly"], "min_age": 90},
        HTTP_IDEMPOTENCY_KEY="k1")  # fmt: skip
    assert made.status_code == 201, made.content
    replay = call("post", "/reports", data={
        "department_id": dept(filled, "mz").pk, "item_id": item, "name": "高龄表",
        "fields": ["name", "elderly_allowance"], "tags": ["elderly"], "min_age": 90},
        HTTP_IDEMPOTENCY_KEY="k1")  # fmt: skip
    assert replay.json()["id"] == made.json()["id"]
    report_id = made.json()["id"]
    assert call("get", "/reports").json()["count"] == 1
    rows = call("get", f"/reports/{report_id}/rows").json()
    assert rows and all(len(r["cells"]) == 2 for r in rows)
    cell = next(r for r in rows if r["cells"][0]["value"] == "杨磊强")["cells"][1]
    assert cell == {"key": "elderly_allowance", "value": "200.00",
                    "source": "民政局·高龄津贴名册", "missing": False}  # fmt: skip
    assert call("get", "/reports/999999/rows").status_code == 404
    resident = api(filled.users["resident:own"])
    assert resident("get", f"/reports/{report_id}/rows").status_code == 404


@pytest.mark.django_db
def test_import_progress(filled, api):
    from registry.models import ImportBatch

    batch = ImportBatch.objects.filter(source__department__short_code="mz").first()
    mz = api(filled.users["department_officer:own"])
    body = mz("get", f"/imports/{batch.pk}").json()
    assert body["status"] == "committed" and body["percent"] == 100 and body["rows_bad"] == 0
    ga = api(filled.users["chaoku_worker"])
    assert ga("get", f"/imports/{batch.pk}").status_code == 404
