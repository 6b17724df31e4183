"""Found by probing from outside: no rate limit anywhere (100 form posts in 6.7 s, 300 Open311
posts in 3.8 s). Now every write is counted per endpoint group, per client address and per
account, in Django's cache (Redis when REDIS_URL is set, as in CI), and past a rate the answer is
429 with Retry-After, in the caller's kind and language; the first refusal of a window is
audited. Time is frozen: the windows are reckoned, never waited for."""

import json
import re

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from core import services
from core.models import AuditEvent
from core.throttle import client_address, rate_limited_message

pytestmark = pytest.mark.django_db
# A page that takes a POST from any logged-in user: marking notifications read.
PAGE = "/notifications/read-all/"


@pytest.fixture
def limits(settings):
    """Small limits, so a test reaches them in a few requests."""

    def set_limits(**groups):
        settings.RATE_LIMITS = {
            "login": {"address": "100/m"},
            "open311": {"address": "100/m", "account": "100/m"},
            "write": {"address": "100/m", "account": "100/m"},
            **groups,
        }

    return set_limits


def logged_in(client, d, key):
    client.force_login(d.users[key])
    return client


def posts(client, n, path=PAGE, **extra):
    return [client.post(path, **extra).status_code for _ in range(n)]


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_a_page_write_past_the_account_limit_is_429_and_the_window_resets(client, d, limits, clock):
    limits(write={"address": "100/m", "account": "3/m"})
    logged_in(client, d, "community_worker:own")
    assert 429 not in posts(client, 3)
    refused = client.post(PAGE)
    assert refused.status_code == 429
    wait = int(refused["Retry-After"])
    assert 1 <= wait <= 60
    assert rate_limited_message(wait) in text(refused)
    assert "请求过于频繁" in text(refused)
    assert client.get(reverse("workbench")).status_code == 200  # reads are not counted
    clock.shift(wait)
    assert client.post(PAGE).status_code != 429


def test_per_account_and_per_address_are_counted_separately(client, d, limits, clock):
    limits(write={"address": "100/m", "account": "2/m"})
    worker = logged_in(client, d, "community_worker:own")
    assert posts(worker, 2, REMOTE_ADDR="10.0.0.1") == [302, 302]
    # The same account from another address: its own count is spent.
    assert posts(worker, 1, REMOTE_ADDR="10.0.0.2") == [429]
    # Another account from the first address is not held back by the first one's count.
    other = logged_in(type(client)(), d, "grid_worker:own")
    assert posts(other, 2, REMOTE_ADDR="10.0.0.1") == [302, 302]

    limits(write={"address": "2/m", "account": "100/m"})
    clock.shift(120)
    assert posts(worker, 2, REMOTE_ADDR="10.0.0.3") == [302, 302]
    # Another account behind the same address meets the address's limit...
    assert posts(other, 1, REMOTE_ADDR="10.0.0.3") == [429]
    # ...and the first account elsewhere does not.
    assert posts(worker, 1, REMOTE_ADDR="10.0.0.4") == [302]


def test_the_api_answers_429_as_json_in_the_users_language(client, d, limits, clock):
    limits(write={"address": "100/m", "account": "1/m"})
    _token, secret = services.api_token_create(
        actor=d.users["admin:own"], name="脚本", scope="write"
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    url = "/api/core/tokens/999999/revoke"
    assert client.post(url, **auth).status_code != 429
    for language, header in (("zh-hans", "zh-CN"), ("en", "en")):
        refused = client.post(url, HTTP_ACCEPT_LANGUAGE=header, **auth)
        assert refused.status_code == 429
        assert refused["Content-Type"] == "application/json"
        with translation.override(language):
            expected = rate_limited_message(int(refused["Retry-After"]))
        assert refused.json() == {"detail": expected, "code": "rate_limited"}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_posts_past_the_key_limit_get_the_georeport_error_list(client, limits, fmt, clock):
    limits(open311={"address": "100/m", "account": "2/m"})
    url = f"/open311/v2/requests.{fmt}"
    form = "application/x-www-form-urlencoded"  # as GeoReport clients post
    key = "api_key=o311_not-a-real-key&service_code=X"
    assert 429 not in posts(client, 2, url, data=key, content_type=form)  # 403: no such key
    refused = client.post(url, key, content_type=form)
    assert refused.status_code == 429
    message = rate_limited_message(int(refused["Retry-After"]))
    if fmt == "json":
        assert refused["Content-Type"] == "application/json; charset=utf-8"
        assert json.loads(refused.content) == [{"code": 429, "description": message}]
    else:
        assert refused["Content-Type"] == "text/xml; charset=utf-8"
        body = refused.content.decode()
        assert "<errors><error><code>429</code>" in body and message in body
    # Another key (a different app) from the same address is not held back by this one's count.
    assert client.post(url, "api_key=o311_another", content_type=form).status_code != 429
    with translation.override("en"):
        english = rate_limited_message(int(refused["Retry-After"]))
    in_english = client.post(url + "?api_key=o311_not-a-real-key", HTTP_ACCEPT_LANGUAGE="en")
    assert in_english.status_code == 429 and english in in_english.content.decode()


def test_open311_posts_past_the_address_limit(client, limits, clock):
    limits(open311={"address": "3/m", "account": "100/m"})
    statuses = [
        client.post("/open311/v2/requests.json", {"api_key": f"k{i}"}).status_code for i in range(4)
    ]
    assert statuses[:3] == [403, 403, 403] and statuses[3] == 429


def test_the_login_page_past_its_address_limit_is_429_in_english_too(client, limits, clock):
    limits(login={"address": "2/m"})
    data = {"username": "nobody", "password": "x"}
    assert posts(client, 2, reverse("login"), data=data) == [200, 200]
    refused = client.post(reverse("login"), data, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 429 and refused.has_header("Retry-After")
    with translation.override("en"):
        assert rate_limited_message(int(refused["Retry-After"])) in text(refused)
    # Other writes from the address are another group, with their own count.
    assert client.post(reverse("set_language"), {"language": "en"}).status_code == 302


def test_the_first_refusal_of_a_window_is_audited_once(client, d, limits, clock):
    limits(write={"address": "100/m", "account": "1/m"})
    user = d.users["community_worker:own"]
    logged_in(client, d, "community_worker:own")
    assert posts(client, 4, REMOTE_ADDR="10.9.9.9")[1:] == [429, 429, 429]
    [event] = AuditEvent.objects.filter(action="request.rate_limited")
    assert event.actor == user and event.client_ip == "10.9.9.9"
    assert event.changes["group"] == "write" and event.changes["scope"] == "account"
    assert event.changes["path"] == PAGE


def test_limits_can_be_lifted(client, d, limits, settings, clock):
    limits(write={"address": "", "account": "1/m"})
    settings.RATELIMIT_ENABLE = False
    logged_in(client, d, "community_worker:own")
    assert 429 not in posts(client, 5)


def test_a_malformed_rate_is_a_configuration_error(settings):
    from django.core.exceptions import ImproperlyConfigured

    from core.throttle import ThrottleMiddleware

    settings.RATE_LIMITS = {"write": {"address": "lots"}}
    with pytest.raises(ImproperlyConfigured, match="write"):
        ThrottleMiddleware(lambda request: None)


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "expected"),
    [
        ("198.51.100.7", "", [], "198.51.100.7"),
        # The header is not believed from anyone who is not a trusted proxy.
        ("198.51.100.7", "203.0.113.5", [], "198.51.100.7"),
        ("198.51.100.7", "203.0.113.5", ["10.0.0.0/8"], "198.51.100.7"),
        # From a trusted proxy: the nearest hop that is not one of ours.
        ("10.0.0.2", "203.0.113.5", ["10.0.0.0/8"], "203.0.113.5"),
        ("10.0.0.2", "1.2.3.4, 203.0.113.5, 10.0.0.9", ["10.0.0.0/8"], "203.0.113.5"),
        ("10.0.0.2", "garbage, 203.0.113.5", ["10.0.0.2"], "203.0.113.5"),
        ("10.0.0.2", "203.0.113.5, garbage", ["10.0.0.2"], "10.0.0.2"),
        ("10.0.0.2", "", ["10.0.0.2"], "10.0.0.2"),
    ],
)
def test_the_client_address(settings, remote, forwarded, trusted, expected):
    settings.TRUSTED_PROXIES = trusted
    meta = {"REMOTE_ADDR": remote}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    assert client_address(RequestFactory().get("/", **meta)) == expected


def test_behind_a_trusted_proxy_each_client_is_counted_and_audited_apart(
    client, d, limits, settings, clock
):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    limits(login={"address": "1/m"})
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    data = {"username": "nobody", "password": "x"}
    first = client.post(reverse("login"), data, HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy)
    second = client.post(reverse("login"), data, HTTP_X_FORWARDED_FOR="203.0.113.6", **proxy)
    again = client.post(reverse("login"), data, HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy)
    assert (first.status_code, second.status_code, again.status_code) == (200, 200, 429)
    addresses = set(
        AuditEvent.objects.filter(action="account.login_failed").values_list("client_ip", flat=True)
    )
    assert addresses == {"203.0.113.5", "203.0.113.6"}


def test_the_defaults_leave_room_for_a_persons_work(client, d, clock):
    """A few dozen writes in a minute (the issue's flood was 100 in 6.7 s)."""
    logged_in(client, d, "admin:own")
    assert 429 not in posts(client, 30)
    assert 429 in posts(client, 100)


def test_an_ipv6_client_is_counted_by_its_64_block(client, d, limits, clock):
    limits(write={"address": "2/m", "account": ""})
    first = {"REMOTE_ADDR": "2001:db8:1:2::10"}
    same_block = {"REMOTE_ADDR": "2001:db8:1:2:ffff::1"}
    other_block = {"REMOTE_ADDR": "2001:db8:1:3::10"}
    assert posts(client, 2, reverse("set_language"), **first) == [302, 302]
    assert posts(client, 1, reverse("set_language"), **same_block) == [429]
    assert posts(client, 1, reverse("set_language"), **other_block) == [302]
