"""Caps, annual plans and inspections through the JSON API (issue #13): the same services as
the page, staff only, scoped to the user's district; bad input is a JSON error with nothing
written; every route is in the OpenAPI document."""

import pytest

from admission import services
from admission.models import GateCap, Inspection, InspectionPlan, InspectionRating
from admission.tests.test_api import bearer, post
from admission.tests.test_inspections import admitted_pair, inspection
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


def counts():
    return [
        GateCap.objects.count(), InspectionPlan.objects.count(), Inspection.objects.count(),
        InspectionRating.objects.count(), AuditEvent.objects.count(),
    ]  # fmt: skip


def test_routes_are_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in ("/api/admission/caps", "/api/admission/plans",
                 "/api/admission/plans/{plan_id}/approve", "/api/admission/inspections",
                 "/api/admission/inspections/{inspection_id}/rating"):  # fmt: skip
        assert path in paths


def test_caps_are_read_by_staff_and_set_by_the_coordinator(d, officer, coordinator):
    today = services.local_today().isoformat()
    as_officer, as_coordinator = bearer(officer), bearer(coordinator)
    caps = as_officer.get("/api/admission/caps").json()
    assert {(c["kind"], c["per"]) for c in caps} >= {("inspection", "department")}
    cap = {"kind": "inspection", "per": "department", "yearly_limit": 3,
           "source": "区委办〔2026〕1号", "effective_from": today}  # fmt: skip
    before = counts()
    assert post(as_officer, "/api/admission/caps", cap).status_code == 403
    assert counts() == before
    answer = post(as_coordinator, "/api/admission/caps", cap, **{"Idempotency-Key": "c1"})
    assert answer.status_code == 201, answer.content
    row = next(c for c in answer.json() if (c["kind"], c["per"]) == ("inspection", "department"))
    assert (row["yearly_limit"], row["source"]) == (3, "区委办〔2026〕1号")
    again = post(as_coordinator, "/api/admission/caps", cap, **{"Idempotency-Key": "c1"})
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    before = counts()
    twice = post(as_coordinator, "/api/admission/caps", cap)  # same start day
    assert twice.status_code == 422 and "已有上限" in twice.json()["detail"]
    assert counts() == before


def test_residents_have_no_access(d):
    resident = d.users["resident:own"]
    assert bearer(resident).get("/api/admission/caps").status_code == 403
    assert bearer(resident).get("/api/admission/plans").status_code == 403
    assert bearer(resident).get("/api/admission/inspections").status_code == 403


def test_a_plan_is_filed_and_approved(d, officer, coordinator):
    year = services.local_today().year
    as_officer, as_coordinator = bearer(officer), bearer(coordinator)
    before = counts()
    empty = post(as_officer, "/api/admission/plans",
                 {"department_id": d.departments[0].pk, "year": year})  # fmt: skip
    assert empty.status_code == 422 and "尚无督查检查考核申请" in empty.json()["detail"]
    other = post(as_officer, "/api/admission/plans",
                 {"department_id": d.departments[1].pk, "year": year})  # fmt: skip
    assert other.status_code == 403
    assert counts() == before
    services.request_submit(**inspection(d, officer))
    filed = post(as_officer, "/api/admission/plans",
                 {"department_id": d.departments[0].pk, "year": year})  # fmt: skip
    assert filed.status_code == 201, filed.content
    assert (filed.json()["status"], filed.json()["total"]) == ("filed", 1)
    plan_id = filed.json()["id"]
    assert post(as_officer, f"/api/admission/plans/{plan_id}/approve", {}).status_code == 403
    approved = post(as_coordinator, f"/api/admission/plans/{plan_id}/approve", {})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    listed = bearer(d.users["community_worker:own"]).get(f"/api/admission/plans?year={year}")
    assert [p["id"] for p in listed.json()["items"]] == [plan_id]
    assert post(as_coordinator, "/api/admission/plans/999999/approve", {}).status_code == 404


def test_an_inspection_is_recorded_and_rated(d, officer):
    ours, theirs = admitted_pair(d, officer)
    community = d.communities[0]
    data = {"community_id": community.pk, "item_ids": [ours.pk, theirs.pk],
            "held_on": services.local_today().isoformat(), "submit_token": "api-visit"}  # fmt: skip
    as_officer, worker = bearer(officer), bearer(d.users["community_worker:own"])
    before = counts()
    outside = post(as_officer, "/api/admission/inspections",
                   {**data, "community_id": d.communities[1].pk})  # fmt: skip
    assert outside.status_code == 422
    unknown = post(as_officer, "/api/admission/inspections", {**data, "item_ids": [999999]})
    assert unknown.status_code == 422 and "不存在" in unknown.json()["detail"]
    assert counts() == before
    held = post(as_officer, "/api/admission/inspections", data)
    assert held.status_code == 201, held.content
    body = held.json()
    assert body["merged"] and body["item_numbers"] == sorted([ours.number, theirs.number])
    assert body["materials"] and body["rating"] is None
    url = f"/api/admission/inspections/{body['id']}/rating"
    assert post(as_officer, url, {"score": 5}).status_code == 403
    assert post(worker, url, {"score": 9}).status_code == 422
    rated = post(worker, url, {"score": 4, "comment": "一次查完"})
    assert rated.status_code == 201 and rated.json()["score"] == 4
    assert post(worker, url, {"score": 1}).status_code == 422  # rated once
    listed = bearer(coordinator_of(d)).get("/api/admission/inspections").json()["items"]
    assert [(i["id"], i["rating"]["score"]) for i in listed] == [(body["id"], 4)]
    detail = as_officer.get(f"/api/admission/inspections/{body['id']}")
    assert detail.json()["rating"]["score"] == 4


def coordinator_of(d):
    return d.users["coordinator:own"]
