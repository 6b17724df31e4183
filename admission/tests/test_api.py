"""The admission and workload JSON API: same services, same checks, JSON errors, idempotency."""

import json

import pytest
from django.test import Client

from admission.models import AdmissionRequest
from admission.services import local_today
from admission.tests.conftest import decide
from core import services as core_services
from workload import services as workload_services

pytestmark = pytest.mark.django_db


def bearer(user) -> Client:
    _token, secret = core_services.api_token_create(actor=user, name="test", scope="write")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def post(client, url, data, **headers):
    return client.post(url, json.dumps(data), content_type="application/json", headers=headers)


def body(d, **changes):
    today = "2026-01-01"
    data = {
        "kind": "form", "title": "养老服务需求季度调查", "legal_basis": "《老年人权益保障法》",
        "community_ids": [d.communities[0].pk], "frequency": "quarterly",
        "minutes_per_community": 60, "funding_fen": 20000, "period_start": today,
        "period_end": "2030-12-31", "submit_token": "api-1", "form_fields": ["服务需求"],
    }  # fmt: skip
    data.update(changes)
    return data


def test_submit_decide_and_complete_through_the_api(d, officer, coordinator):
    api = bearer(officer)
    response = post(api, "/api/admission/requests", body(d), **{"Idempotency-Key": "k1"})
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["status"] == "under_review" and created["review_due_at"]
    replay = post(api, "/api/admission/requests", body(d), **{"Idempotency-Key": "k1"})
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    assert AdmissionRequest.objects.count() == 1
    # The same token without a key: a clear 422, nothing written.
    again = post(api, "/api/admission/requests", body(d))
    assert again.status_code == 422 and "请勿重复提交" in again.json()["detail"]
    # The officer may not prepare, record a meeting or decide; the coordinator does all three.
    base = f"/api/admission/requests/{created['id']}"
    assert post(api, f"{base}/prepare", {"opinion": "同意"}).status_code == 403
    boss = bearer(coordinator)
    assert post(boss, f"{base}/prepare", {"opinion": "材料齐全"}).status_code == 200
    meeting = {
        "held_on": local_today().isoformat(), "attendees": ["甲", "乙", "丙"], "submit_token": "m1",
        "department_ids": [x.pk for x in d.departments],
    }  # fmt: skip
    assert post(api, "/api/admission/meetings", meeting).status_code == 403
    held = post(boss, "/api/admission/meetings", meeting)
    assert held.status_code == 201, held.content
    url = f"{base}/decision"
    decision = {"decision": "approve", "meeting_id": held.json()["id"]}
    assert post(api, url, decision).status_code == 403
    decided = post(boss, url, decision)
    assert decided.status_code == 200 and decided.json()["admitted_item_number"]
    item = AdmissionRequest.objects.get().admitted_item
    [task] = workload_services.tasks_dispatch(
        actor=officer, item=item, communities=[d.communities[0]], title=item.title,
        due_in_working_days=5, dispatch_token="api",
    )  # fmt: skip
    worker = bearer(d.users["community_worker:own"])
    done = post(worker, f"/api/workload/tasks/{task.pk}/complete", {"minutes_spent": 45})
    assert done.status_code == 200 and done.json()["status"] == "done"
    other = bearer(d.users["community_worker:other"])
    assert (
        post(other, f"/api/workload/tasks/{task.pk}/complete", {"minutes_spent": 1}).status_code
        == 404
    )


def test_api_refuses_bad_input_with_json_errors(d, officer):
    api = bearer(officer)
    negative = post(api, "/api/admission/requests", body(d, title="协助招商引资", submit_token="n"))
    assert negative.status_code == 201 and negative.json()["status"] == "refused_negative"
    foreign = post(api, "/api/admission/requests", body(d, community_ids=[d.streets[0].pk]))
    assert foreign.status_code == 422 and foreign.json()["code"] == "unknown_reference"
    bad = post(api, "/api/admission/requests", body(d, minutes_per_community=0))
    assert bad.status_code == 422
    resident = bearer(d.users["resident:own"])
    assert post(resident, "/api/admission/requests", body(d)).status_code == 403
    assert AdmissionRequest.objects.count() == 1


def test_reads_are_scoped(d, officer, coordinator):
    api = bearer(officer)
    created = post(api, "/api/admission/requests", body(d)).json()
    certificates = bearer(d.users["resident:own"]).get("/api/admission/lists/certificate").json()
    assert len(certificates["entries"]) == 20 and certificates["version"] == 1
    assert bearer(d.users["resident:own"]).get("/api/admission/lists/party").status_code == 422
    mine = api.get("/api/admission/requests").json()
    assert [r["id"] for r in mine["items"]] == [created["id"]]
    assert mine["items"][0]["status_label"] == "审核中"
    # Under review: not visible to a community; once decided, visible to all in the district.
    worker = bearer(d.users["community_worker:other"])
    assert worker.get(f"/api/admission/requests/{created['id']}").status_code == 404
    decide(d, AdmissionRequest.objects.get(pk=created["id"]), "refuse", reasons="重复")
    seen = worker.get(f"/api/admission/requests/{created['id']}").json()
    assert seen["status"] == "refused" and seen["reasons"] == "重复"
    assert worker.get("/api/workload/tasks").json() == {"items": [], "count": 0}
