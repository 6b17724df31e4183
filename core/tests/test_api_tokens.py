"""API tokens: a scope (read or write), a lifetime, and an end when the password changes or a role
ends (issue #20, item 7)."""

import datetime
import json

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from core import clock, services
from core.models import ApiToken, AuditEvent, Place, TokenRevocation, TokenScope
from core.testing import PASSWORD, build_small_district

API = "/api/core"
BACKEND = "core.auth.UsernameOrMobileBackend"


@pytest.fixture
def d(db):
    cache.clear()
    return build_small_district()


def _client(secret: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {secret}"})


def _rename(client: Client, place: Place, name: str):
    return client.patch(
        f"{API}/places/{place.pk}", json.dumps({"name": name}), content_type="application/json"
    )


def test_a_read_token_reads_but_cannot_write_and_a_write_token_can(d):
    admin, street = d.users["admin:own"], d.streets[0]
    _token, read_secret = services.api_token_create(actor=admin, name="看板", scope="read")
    _token, write_secret = services.api_token_create(actor=admin, name="脚本", scope="write")
    reader, writer = _client(read_secret), _client(write_secret)
    assert reader.get(f"{API}/places/{street.pk}").status_code == 200
    refused = _rename(reader, street, "改名街道")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "这是只读令牌，不能用来修改数据。"
    street.refresh_from_db()
    assert street.name != "改名街道"
    with translation.override("en"):
        refused = _client(read_secret).patch(
            f"{API}/places/{street.pk}", json.dumps({"name": "x"}),
            content_type="application/json", headers={"Accept-Language": "en"},
        )  # fmt: skip
    assert refused.json()["detail"] == "This token is read-only: it cannot change data."
    assert _rename(writer, street, "改名街道").status_code == 200
    street.refresh_from_db()
    assert street.name == "改名街道"


def test_a_token_works_until_it_expires_and_not_a_moment_after(d):
    user = d.users["community_worker:own"]
    made = datetime.datetime(2026, 12, 2, 1, 30, tzinfo=datetime.UTC)
    with time_machine.travel(made, tick=False):
        token, secret = services.api_token_create(actor=user, name="t", scope="read", days=7)
    assert token.expires_at == made + datetime.timedelta(days=7)
    with time_machine.travel(token.expires_at - datetime.timedelta(seconds=1), tick=False):
        assert _client(secret).get(f"{API}/me").status_code == 200
    with time_machine.travel(token.expires_at, tick=False):
        assert _client(secret).get(f"{API}/me").status_code == 401
        # an expired token with a session is still refused: the header names no live token
        client = _client(secret)
        client.force_login(user, backend=BACKEND)
        assert client.get(f"{API}/me").status_code == 401


def test_the_default_lifetime_and_the_limits_come_from_settings(d, settings):
    user = d.users["community_worker:own"]
    settings.API_TOKEN_DAYS, settings.API_TOKEN_MAX_DAYS = 30, 60
    with time_machine.travel(datetime.datetime(2026, 12, 31, 23, 50, tzinfo=datetime.UTC)):
        token, _secret = services.api_token_create(actor=user, name="t", scope="read")
        assert token.expires_at == token.created_at + datetime.timedelta(days=30)
    before = ApiToken.objects.count()
    for days in [0, -1, 61]:
        with pytest.raises(ValidationError) as refused:
            services.api_token_create(actor=user, name="t", scope="read", days=days)
        assert refused.value.code == "token_lifetime"
        assert refused.value.messages == ["有效期应为1至60天。"]
    with pytest.raises(ValidationError) as refused:
        services.api_token_create(actor=user, name="t", scope="admin")
    assert refused.value.code == "token_scope"
    assert ApiToken.objects.count() == before


def _session(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user, backend=BACKEND)
    client.cookies["csrftoken"] = "c" * 32
    return client


def test_the_api_makes_read_tokens_unless_asked_and_says_scope_and_expiry(d, settings):
    settings.API_TOKEN_MAX_DAYS = 365
    client = _session(d.users["community_worker:own"])
    headers = {"X-CSRFToken": "c" * 32}

    def make(body):
        return client.post(
            f"{API}/tokens", json.dumps(body), content_type="application/json", headers=headers
        )

    plain = make({"name": "看板"})
    assert plain.status_code == 201
    assert plain.json()["scope"] == "read" and plain.json()["revoked_because"] == ""
    chosen = make({"name": "脚本", "scope": "write", "days": 30}).json()
    made = datetime.datetime.fromisoformat(chosen["created_at"])
    assert datetime.datetime.fromisoformat(chosen["expires_at"]) - made == datetime.timedelta(30)
    count = ApiToken.objects.count()
    for bad in [
        {"name": "x", "days": 366},
        {"name": "x", "days": 0},
        {"name": "x", "scope": "all"},
    ]:
        answer = make(bad)
        assert answer.status_code == 422, bad
    assert ApiToken.objects.count() == count


def test_changing_the_password_ends_every_token_of_the_account(d):
    user = d.users["community_worker:own"]
    secrets = [
        services.api_token_create(actor=user, name=f"t{n}", scope="write")[1] for n in range(2)
    ]
    other = services.api_token_create(
        actor=d.users["community_worker:other"], name="t", scope="read"
    )
    with clock.moment():
        revoked = services.password_change(
            actor=user, user=user, old_password=PASSWORD, new_password="Newpassw0rd-2026"
        )
    assert revoked == 2
    for secret in secrets:
        assert _client(secret).get(f"{API}/me").status_code == 401
    assert set(user.api_tokens.values_list("revoked_because", flat=True)) == {
        TokenRevocation.PASSWORD
    }
    assert _client(other[1]).get(f"{API}/me").status_code == 200
    events = AuditEvent.objects.filter(action="api_token.revoke", actor=user)
    assert sorted(e.changes["because"] for e in events) == ["password", "password"]


def test_the_account_page_says_tokens_ended_with_the_password(d):
    user = d.users["community_worker:own"]
    services.api_token_create(actor=user, name="t", scope="write")
    client = Client()
    client.force_login(user, backend=BACKEND)
    page = client.post(
        reverse("account"),
        {"action": "password", "old_password": PASSWORD, "new_password": "Newpassw0rd-2026"},
        follow=True,
    ).content.decode()
    assert "密码已修改。" in page and "原有的API令牌已全部失效" in page


def test_ending_a_role_ends_the_holders_tokens(d):
    worker = d.users["community_worker:own"]
    _token, secret = services.api_token_create(actor=worker, name="t", scope="write")
    assignment = worker.role_assignments.active().get()
    services.role_end(actor=d.users["admin:own"], assignment=assignment)
    assert _client(secret).get(f"{API}/me").status_code == 401
    assert worker.api_tokens.get().revoked_because == TokenRevocation.ROLE_ENDED


def test_a_merge_ends_the_roles_at_the_place_and_their_tokens(d):
    grid = d.place_of("own", "grid")
    holder = d.users["grid_worker:own"]
    assert holder.role_assignments.active().get().place == grid
    _token, secret = services.api_token_create(actor=holder, name="t", scope="read")
    bystander = d.users["community_worker:own"]
    _token, kept = services.api_token_create(actor=bystander, name="t", scope="read")
    sibling = Place.objects.filter(parent=grid.parent, is_active=True).exclude(pk=grid.pk).first()
    services.place_merge(actor=d.users["admin:own"], place=grid, into=sibling, note="调整")
    assert _client(secret).get(f"{API}/me").status_code == 401
    assert _client(kept).get(f"{API}/me").status_code == 200


def test_the_account_page_makes_a_token_with_a_scope_and_days(d):
    user = d.users["community_worker:own"]
    client = Client()
    client.force_login(user, backend=BACKEND)
    page = client.get(reverse("account")).content.decode()
    assert "只读" in page and "读写" in page and "有效天数" in page
    page = client.post(
        reverse("account"), {"action": "token", "name": "看板", "scope": "read", "days": "7"}
    ).content.decode()
    token = user.api_tokens.get()
    assert token.scope == TokenScope.READ
    assert token.expires_at - token.created_at == datetime.timedelta(days=7)
    assert "有效期至" in page
    page = client.post(
        reverse("account"), {"action": "token", "name": "x", "scope": "read", "days": "9999"}
    ).content.decode()
    assert "有效期应为1至365天。" in page
    assert user.api_tokens.count() == 1
