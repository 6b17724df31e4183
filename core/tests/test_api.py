"""The JSON API at /api/: authentication, scoping, permissions, error shapes, docs, fuzzing."""

import json
import re

import pytest
from django.core.cache import cache
from django.test import Client

from core import services
from core.models import ApiToken, AuditEvent, Place, RoleAssignment
from core.testing import build_small_district

API = "/api/core"
BACKEND = "core.auth.UsernameOrMobileBackend"


@pytest.fixture
def d(db):
    cache.clear()  # nothing an earlier test cached (sessions, import progress) leaks in
    return build_small_district()


def bearer(user) -> Client:
    _token, secret = services.api_token_create(actor=user, name="test", scope="write")
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {secret}"})
    client.secret = secret
    return client


def session(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user, backend=BACKEND)
    return client


def post(client, url, data=None, **kwargs):
    body = data if isinstance(data, (str, bytes)) else json.dumps(data)
    return client.post(url, body, content_type="application/json", **kwargs)


def patch(client, url, data, **kwargs):
    return client.patch(url, json.dumps(data), content_type="application/json", **kwargs)


def subtree_and_ancestors(place: Place) -> set[int]:
    ancestors = {int(p) for p in place.path.strip("/").split("/")}
    return ancestors | set(
        Place.objects.filter(path__startswith=place.path).values_list("pk", flat=True)
    )


def all_items(client, url) -> list[dict]:
    items, page = [], 1
    while True:
        body = client.get(url, {"page": page, "page_size": 200}).json()
        items += body["items"]
        if len(items) >= body["count"]:
            return items
        page += 1


# ---------------------------------------------------------------- authentication


def test_anonymous_gets_401_with_json_error(d):
    for url in [f"{API}/me", f"{API}/places", f"{API}/tokens"]:
        response = Client().get(url)
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"
        assert "登录" in response.json()["detail"]
        assert response["WWW-Authenticate"].startswith("Bearer")
    # a write by an anonymous client is refused before its body is even read
    response = post(Client(), f"{API}/places/{d.streets[0].pk}/children", "{not json")
    assert response.status_code == 401


def test_bearer_token_authenticates_and_is_marked_used(d):
    user = d.users["street_officer:own"]
    client = bearer(user)
    response = client.get(f"{API}/me")
    assert response.status_code == 200
    me = response.json()
    assert me["username"] == user.username
    assert me["name"] == "street_officer-own"
    assert [(r["role"], r["place"]["id"]) for r in me["roles"]] == [
        ("street_officer", d.streets[0].pk)
    ]
    assert me["roles"][0]["role_label"] == "街道工作人员"
    assert ApiToken.objects.get(user=user).last_used_at is not None


def test_bad_or_revoked_bearer_token_is_401_even_with_a_session(d):
    user = d.users["street_officer:own"]
    client = session(user)
    response = client.get(f"{API}/me", headers={"Authorization": "Bearer ll_not-a-real-token"})
    assert response.status_code == 401
    client = bearer(user)
    services.api_token_revoke(actor=user, token=ApiToken.objects.get(user=user))
    assert client.get(f"{API}/me").status_code == 401


def test_session_auth_reads_and_needs_csrf_for_writes(d):
    user = d.users["street_officer:own"]
    client = session(user)
    assert client.get(f"{API}/me").json()["username"] == user.username
    url = f"{API}/places/{d.communities[0].pk}/children"
    # a grid code is district (6) + community (12) + sequence (2)
    data = {"name": "新网格", "code": d.communities[0].code[:6] + d.communities[0].code + "09"}
    response = post(client, url, data)
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert not Place.objects.filter(name="新网格").exists()
    csrf = "a" * 32
    client.cookies["csrftoken"] = csrf
    response = post(client, url, data, headers={"X-CSRFToken": csrf})
    assert response.status_code == 201, response.content
    assert response.json()["level"] == "grid"


def test_bearer_writes_need_no_csrf(d):
    client = bearer(d.users["street_officer:own"])
    community = d.communities[0]
    response = post(
        client,
        f"{API}/places/{community.pk}/children",
        {"name": "新网格", "code": community.code[:6] + community.code + "09"},
    )
    assert response.status_code == 201, response.content


# ---------------------------------------------------------------- scoping


def test_street_officer_lists_only_own_subtree_and_ancestors(d):
    client = bearer(d.users["street_officer:own"])
    ids = {p["id"] for p in all_items(client, f"{API}/places")}
    assert ids == subtree_and_ancestors(d.streets[0])
    assert d.district.pk in ids
    assert not ids & {p.pk for p in Place.objects.filter(path__startswith=d.streets[1].path)}


def test_place_outside_scope_is_404_like_a_missing_one(d):
    client = bearer(d.users["street_officer:own"])
    other = client.get(f"{API}/places/{d.streets[1].pk}")
    grid_other = client.get(f"{API}/places/{d.grids[4].pk}")
    missing = client.get(f"{API}/places/987654321")
    assert other.status_code == grid_other.status_code == missing.status_code == 404
    assert (
        other.json() == missing.json() == {"detail": missing.json()["detail"], "code": "not_found"}
    )
    # writes to it are 404 too, not 403
    assert patch(client, f"{API}/places/{d.communities[2].pk}", {"name": "x"}).status_code == 404
    # the chain above is visible
    response = client.get(f"{API}/places/{d.district.pk}")
    assert response.status_code == 200
    assert response.json()["can_change"] is False


def test_place_detail_has_ancestors_and_permissions(d):
    client = bearer(d.users["street_officer:own"])
    body = client.get(f"{API}/places/{d.grids[0].pk}").json()
    assert [a["id"] for a in body["ancestors"]] == [
        d.district.pk,
        d.streets[0].pk,
        d.communities[0].pk,
    ]
    assert body["can_change"] is True
    assert body["can_add_child"] is False
    community = client.get(f"{API}/places/{d.communities[0].pk}").json()
    assert community["can_add_child"] is True


def test_place_filters_and_pagination(d):
    client = bearer(d.users["admin:own"])
    body = client.get(f"{API}/places", {"level": "grid"}).json()
    assert body["count"] == 8
    assert {p["level"] for p in body["items"]} == {"grid"}
    body = client.get(f"{API}/places", {"parent": d.streets[0].pk}).json()
    assert {p["id"] for p in body["items"]} == {d.communities[0].pk, d.communities[1].pk}
    body = client.get(f"{API}/places", {"q": "第2街道第1社区"}).json()
    assert {p["id"] for p in body["items"]} == {
        d.communities[2].pk,
        *(g.pk for g in d.grids[4:6]),
    }
    page1 = client.get(f"{API}/places", {"page_size": 5}).json()
    page2 = client.get(f"{API}/places", {"page_size": 5, "page": 2}).json()
    assert page1["count"] == page2["count"] == 15
    assert len(page1["items"]) == 5
    assert not {p["id"] for p in page1["items"]} & {p["id"] for p in page2["items"]}
    response = client.get(f"{API}/places", {"level": "planet"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"
    assert client.get(f"{API}/places", {"page_size": 10_000}).status_code == 422
    # NUL means nothing in a name search (and PostgreSQL refuses it): dropped, not a 500
    assert client.get(f"{API}/places", {"q": "\x00"}).json()["count"] == 15


def test_departments_are_scoped_to_the_users_district(d):
    other = build_small_district(code="320105", name="建邺区")
    client = bearer(d.users["street_officer:own"])
    body = client.get(f"{API}/departments").json()
    assert {x["id"] for x in body["items"]} == {x.pk for x in d.departments}
    assert not {x["id"] for x in body["items"]} & {x.pk for x in other.departments}


# ---------------------------------------------------------------- permissions


def test_visible_place_the_user_may_not_change_is_403(d):
    street_officer = bearer(d.users["street_officer:own"])
    # a street officer sees their own street but changes only what lies below it
    response = patch(street_officer, f"{API}/places/{d.streets[0].pk}", {"name": "改名"})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert response.json()["detail"] == "您没有执行此操作的权限。"
    response = patch(street_officer, f"{API}/places/{d.communities[0].pk}", {"population": 5100})
    assert response.status_code == 200, response.content
    assert response.json()["population"] == 5100
    assert response.json()["name"] == d.communities[0].name  # left out: unchanged
    # creating a community under a street is a district decision
    response = post(
        street_officer,
        f"{API}/places/{d.streets[0].pk}/children",
        {"name": "新社区", "code": d.streets[0].code + "009"},
    )
    assert response.status_code == 403
    grid_worker = bearer(d.users["grid_worker:own"])
    assert patch(grid_worker, f"{API}/places/{d.grids[0].pk}", {"name": "x"}).status_code == 403


def test_audit_log_is_for_auditors_and_admins_in_their_scope(d):
    assert bearer(d.users["street_officer:own"]).get(f"{API}/audit-events").status_code == 403
    auditor = bearer(d.users["auditor:own"])
    events = all_items(auditor, f"{API}/audit-events")
    in_street = AuditEvent.objects.filter(place_path__startswith=d.streets[0].path)
    assert {e["id"] for e in events} == set(in_street.values_list("pk", flat=True))
    assert events and all(e["place_id"] in subtree_and_ancestors(d.streets[0]) for e in events)
    body = auditor.get(f"{API}/audit-events", {"action": "role.assign"}).json()
    assert body["count"] == in_street.filter(action="role.assign").count() > 0
    assert {e["action"] for e in body["items"]} == {"role.assign"}
    assert auditor.get(f"{API}/audit-events", {"since": "2200-01-01"}).json()["count"] == 0
    assert auditor.get(f"{API}/audit-events", {"until": "1999-01-01T00:00"}).json()["count"] == 0
    # an offset ISO 8601 allows but PostgreSQL does not (beyond ±15:59) is read as the same
    # moment in UTC — the filter works and the next query in the transaction still runs
    for offset in ("+21:22", "-23:59"):
        response = auditor.get(f"{API}/audit-events", {"since": f"2002-10-27T10:27:21{offset}"})
        assert response.status_code == 200 and response.json()["count"] == len(events)
    assert auditor.get(f"{API}/audit-events").json()["count"] == len(events)
    # far-away moments are clamped, not an error (and never an overflow)
    response = auditor.get(f"{API}/audit-events", {"since": "0001-01-01T00:00:00+08:00"})
    assert response.json()["count"] == len(events)
    assert auditor.get(f"{API}/audit-events", {"until": "9999-12-31"}).json()["count"] == len(
        events
    )
    response = auditor.get(f"{API}/audit-events", {"since": "yesterday"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["query", "since"]
    admin = bearer(d.users["admin:own"])
    assert admin.get(f"{API}/audit-events").json()["count"] > len(events)


def test_role_assignment_create_end_and_scope(d):
    client = bearer(d.users["street_officer:own"])
    resident = d.users["resident:own"]
    data = {"user_id": resident.pk, "role": "grid_worker", "place_id": d.grids[0].pk}
    response = post(client, f"{API}/role-assignments", data)
    assert response.status_code == 201, response.content
    assignment = response.json()
    assert assignment["role_label"] == "网格员"
    assert assignment["place"]["id"] == d.grids[0].pk
    # a second identical grant is a business-rule error
    response = post(client, f"{API}/role-assignments", data)
    assert response.status_code == 422
    assert response.json() == {
        "detail": "该账号已在此处拥有这个角色。",
        "code": "duplicate_role",
    }
    # accounts, places and departments named in the body must be in the user's scope
    other = {**data, "user_id": d.users["resident:other"].pk}
    response = post(client, f"{API}/role-assignments", other)
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_reference"
    assert response.json()["errors"][0]["loc"] == ["body", "user_id"]
    response = post(client, f"{API}/role-assignments", {**data, "place_id": d.grids[4].pk})
    assert response.json()["errors"][0]["loc"] == ["body", "place_id"]
    # a role the street officer may not grant
    response = post(client, f"{API}/role-assignments", {**data, "role": "admin"})
    assert response.status_code == 403
    # ending it
    url = f"{API}/role-assignments/{assignment['id']}/end"
    response = post(client, url)
    assert response.status_code == 200
    assert response.json()["ended_at"] is not None
    assert post(client, url).json()["detail"] == "这个角色已撤销。"
    # an assignment in street B does not exist for street A
    theirs = RoleAssignment.objects.get(user=d.users["grid_worker:other"])
    assert post(client, f"{API}/role-assignments/{theirs.pk}/end").status_code == 404
    # a resident sees their own assignment but may not end it
    own = RoleAssignment.objects.get(user=resident, role="resident")
    response = post(bearer(resident), f"{API}/role-assignments/{own.pk}/end")
    assert response.status_code == 403


def test_idempotency_key_replays_and_conflicts(d):
    client = bearer(d.users["street_officer:own"])
    community = d.communities[0]
    url = f"{API}/places/{community.pk}/children"
    data = {"name": "新网格", "code": community.code[:6] + community.code + "09"}
    key = {"Idempotency-Key": "create-grid-0001"}
    first = post(client, url, data, headers=key)
    again = post(client, url, data, headers=key)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Place.objects.filter(name="新网格").count() == 1
    response = post(client, url, {**data, "name": "另一个"}, headers=key)
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_reused"
    # keys belong to one account: another user's same key is a fresh request
    other = bearer(d.users["admin:own"])
    response = post(
        other, url, {**data, "name": "第二", "code": data["code"][:-2] + "10"}, headers=key
    )
    assert response.status_code == 201
    # a failed create does not burn the key
    bad = {"Idempotency-Key": "create-grid-0002"}
    assert post(client, url, {**data, "code": "1"}, headers=bad).status_code == 422
    response = post(
        client, url, {**data, "name": "第三", "code": data["code"][:-2] + "11"}, headers=bad
    )
    assert response.status_code == 201
    assert post(client, url, data, headers={"Idempotency-Key": "  "}).status_code == 400


# ---------------------------------------------------------------- tokens


def test_tokens_are_made_in_a_session_listed_and_revoked(d):
    user = d.users["community_worker:own"]
    client = session(user)
    csrf = "b" * 32
    client.cookies["csrftoken"] = csrf
    body = {"name": "脚本", "scope": "write"}
    response = post(client, f"{API}/tokens", body, headers={"X-CSRFToken": csrf})
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["secret"].startswith("ll_")
    listed = client.get(f"{API}/tokens").json()
    assert [t["id"] for t in listed] == [created["id"]]
    assert "secret" not in listed[0]
    api = Client(headers={"Authorization": f"Bearer {created['secret']}"})
    assert api.get(f"{API}/me").json()["username"] == user.username
    # a token cannot mint more tokens
    response = post(api, f"{API}/tokens", {"name": "更多"})
    assert response.status_code == 403
    # someone else's token is not there for you
    stranger = bearer(d.users["community_worker:other"])
    assert post(stranger, f"{API}/tokens/{created['id']}/revoke").status_code == 404
    response = post(api, f"{API}/tokens/{created['id']}/revoke")
    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None
    assert api.get(f"{API}/me").status_code == 401


# ---------------------------------------------------------------- bad input


def test_validation_errors_have_detail_and_code(d):
    client = bearer(d.users["admin:own"])
    url = f"{API}/places/{d.streets[0].pk}/children"
    # a business rule from the service
    response = post(client, url, {"name": "新社区", "code": "12"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "code_format"
    assert body["detail"] == "社区代码应为12位数字，收到“12”。"
    response = post(client, url, {"name": "新社区", "code": d.communities[0].code})
    assert response.json()["code"] == "code_taken"
    # the schema: wrong types, missing and unknown fields
    response = post(client, url, {"name": "新社区", "code": "x", "population": "many", "color": 1})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_request"
    assert body["detail"].startswith("请求数据有误。")
    by_loc = {tuple(e["loc"]): e for e in body["errors"]}
    assert by_loc[("body", "population")]["msg"] == "应为整数。"
    assert by_loc[("body", "color")]["type"] == "extra_forbidden"
    response = post(client, url, {"code": "x"})
    assert {tuple(e["loc"]): e["msg"] for e in response.json()["errors"]} == {
        ("body", "name"): "必填。"
    }
    response = post(client, url, {"name": "x", "code": "y", "population": -1})
    assert response.json()["errors"][0]["msg"] == "不能小于0。"
    response = post(client, url, {"name": "a\x00b", "code": "y"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["msg"] == "不能包含空字符。"
    response = patch(client, f"{API}/places/{d.streets[0].pk}", {"name": None})
    assert response.status_code == 422


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"", b"[1, 2]", b'"text"', b"\xff\xfe\x00", b"null", b'{"name": 5}'],
)
def test_malformed_bodies_are_4xx_never_500(d, body):
    client = bearer(d.users["admin:own"])
    for url in [f"{API}/places/{d.streets[0].pk}/children", f"{API}/role-assignments"]:
        response = client.post(url, body, content_type="application/json")
        assert 400 <= response.status_code < 500, (url, body, response.content)
        assert set(response.json()) >= {"detail", "code"}


def test_malformed_json_is_400(d):
    client = bearer(d.users["admin:own"])
    response = post(client, f"{API}/role-assignments", "{not json")
    assert response.status_code == 400
    assert response.json() == {"detail": "请求内容不是有效的JSON。", "code": "malformed_json"}


@pytest.mark.parametrize(
    "path",
    [
        "/places/abc",
        "/places/0",
        "/places/-5",
        "/places/99999999999999999999999",
        "/places/9223372036854775807",
        "/places?parent=99999999999999999999",
        "/places?page=999999999999",
        "/departments?district=abc",
        "/audit-events?since=yesterday",
        "/no-such-endpoint",
    ],
)
def test_bad_ids_and_params_are_4xx_never_500(d, path):
    response = bearer(d.users["admin:own"]).get(API + path)
    assert 400 <= response.status_code < 500, response.content
    assert set(response.json()) >= {"detail", "code"}


def test_messages_pass_through_translation(d):
    # English catalogues come later; until then English clients get the Chinese source text,
    # but the code stays stable for them to act on.
    client = bearer(d.users["street_officer:own"])
    response = client.get(f"{API}/places/987654321", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert response["Content-Language"] == "en"


# ---------------------------------------------------------------- OpenAPI and docs


def test_openapi_document_lists_the_paths(db):
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for p in [
        "/api/core/me",
        "/api/core/places",
        "/api/core/places/{place_id}",
        "/api/core/places/{place_id}/children",
        "/api/core/departments",
        "/api/core/audit-events",
        "/api/core/role-assignments",
        "/api/core/role-assignments/{assignment_id}/end",
        "/api/core/tokens",
        "/api/core/tokens/{token_id}/revoke",
    ]:
        assert p in paths
    assert set(paths["/api/core/places/{place_id}"]) == {"get", "patch"}
    schemes = schema["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"} in schemes.values()
    headers = [p["name"] for p in paths["/api/core/role-assignments"]["post"]["parameters"]]
    assert "Idempotency-Key" in headers


def test_docs_render_from_local_files_only(db):
    response = Client().get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(u.startswith("/") and not u.startswith("//") for u in urls)
    assert not re.search(r"https?://", html)
    for url in urls:
        asset = Client().get(url)
        assert asset.status_code == 200, url
        assert b"".join(asset.streaming_content)
    assert Client().get("/api/docs/assets/..%2Fsettings.py").status_code == 404
    assert Client().get("/api/docs/assets/swagger-ui.css.map").status_code == 404


# Fuzzing every operation (reads and writes, as each role): core/tests/test_api_fuzz.py.
