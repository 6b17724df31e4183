"""The services JSON API: list, detail, idempotent create, lifecycle steps, refusals."""

import pytest

from core import services as core_services

pytestmark = pytest.mark.django_db


def bearer(user):
    _token, secret = core_services.api_token_create(actor=user, name="t", scope="write")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_create_is_idempotent_and_steps_follow_the_state_machine(client, world):
    resident = bearer(world.resident)
    body = {"place": world.d.grids[0].pk, "description": "路灯坏了", "item": "CG-003"}
    first = client.post("/api/services/requests", body, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="k1", **resident)  # fmt: skip
    again = client.post("/api/services/requests", body, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="k1", **resident)  # fmt: skip
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    pk = first.json()["id"]
    dispatcher = bearer(world.dispatcher)
    url = f"/api/services/requests/{pk}/actions"
    bad = client.post(url, {"action": "sign"}, content_type="application/json", **dispatcher)
    assert bad.status_code == 403
    bad = client.post(url, {"action": "close"}, content_type="application/json", **dispatcher)
    assert bad.status_code == 422 and "不能办结" in bad.json()["detail"]
    ok = client.post(url, {"action": "accept"}, content_type="application/json", **dispatcher)
    assert ok.json()["state"] == "accepted"
    ok = client.post(url, {"action": "dispatch", "department": world.d.departments[1].pk},
                     content_type="application/json", **dispatcher)  # fmt: skip
    assert ok.json()["state"] == "dispatched" and ok.json()["lead_department"] == "城管局"
    listed = client.get("/api/services/requests", {"mine": "true"}, **resident).json()
    assert [r["id"] for r in listed["items"]] == [pk]
    detail = client.get(f"/api/services/requests/{pk}", **resident).json()
    assert [e["kind"] for e in detail["events"]] == ["submit", "accept", "dispatch"]
    stranger = bearer(world.d.users["resident:other"])
    assert client.get(f"/api/services/requests/{pk}", **stranger).status_code == 404


def test_create_refuses_bad_input(client, world):
    resident = bearer(world.resident)
    cases = [
        ({"place": world.d.grids[0].pk, "description": " "}, 422),
        ({"place": world.d.grids[0].pk, "description": "x", "item": "NOPE"}, 404),
        ({"place": 999999, "description": "x"}, 404),
        ({"place": world.d.grids[0].pk, "description": "x", "item": "MZ-002",
          "answers": {"age": "old"}}, 422),
        ({"description": "x"}, 422),
    ]  # fmt: skip
    for body, status in cases:
        response = client.post(
            "/api/services/requests", body, content_type="application/json", **resident
        )
        assert response.status_code == status, (body, response.content)
    items = client.get("/api/services/items", **resident).json()
    assert "CG-001" in {i["code"] for i in items["items"]}
