"""The site-wide Content-Security-Policy (core.csp, django-csp): on every response, strict for
scripts, with the page's nonce on its own inline blocks and the map tile server in img-src."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core.csp import tile_source
from core.testing import PASSWORD, build_small_district

HEADER = "Content-Security-Policy"


def policy(response) -> dict[str, list[str]]:
    assert HEADER in response, f"no CSP on {response.request['PATH_INFO']}"
    directives = {}
    for part in response[HEADER].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def parameterless_paths(resolver=None, prefix: str = ""):
    """Every URL of the site that takes no argument (the pages one can type)."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = str(pattern.pattern)
        if "<" in route or "(?P" in route or "(" in route:
            continue
        route = route.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\", "")
        if isinstance(pattern, URLResolver):
            yield from parameterless_paths(pattern, prefix + route)
        elif isinstance(pattern, URLPattern):
            yield "/" + prefix + route


@pytest.fixture
def d(db):
    return build_small_district()


def test_the_policy_is_strict_for_scripts_and_frames(client, d):
    response = client.get(reverse("login"))
    rules = policy(response)
    assert rules["default-src"] == ["'self'"]
    assert rules["object-src"] == ["'none'"]
    assert rules["frame-ancestors"] == ["'none'"]
    assert rules["base-uri"] == ["'self'"]
    assert rules["form-action"] == ["'self'"]
    for name in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in rules[name] and "'unsafe-eval'" not in rules[name]
        assert set(rules[name]) <= {"'self'"} | {v for v in rules[name] if v.startswith("'nonce-")}
    assert "*" not in " ".join(rules["img-src"])


def test_every_page_carries_the_policy(client, d):
    """Logged in as the district's administrator, every page without arguments (whatever it
    answers: a page, a redirect, a refusal, an export) carries the header."""
    assert client.login(username=d.logins["admin:own"], password=PASSWORD)
    paths = sorted(set(parameterless_paths()))
    assert len(paths) > 40 and "/services/" in paths and "/api/docs" in paths
    for path in paths:
        response = client.get(path)
        assert response.status_code < 500, (path, response.status_code)
        policy(response)
    client.logout()
    for path in ("/login/", "/", "/services/", "/no-such-page/", "/api/openapi.json"):
        response = client.get(path)
        assert policy(response)["default-src"] == ["'self'"], path


def _inline_blocks(html: str) -> list[str]:
    tags = re.findall(r"<(script|style)\b([^>]*)>", html)
    return [attrs for tag, attrs in tags if "src=" not in attrs and "json" not in attrs]


def test_pages_have_no_inline_block_and_no_inline_handler(client, d):
    """The site's styles are in static/css/linli.css and its scripts in static/js: the pages
    that had a <style> block of their own (the services and shared-data pages, the login
    page) now carry none, and no inline event handler either; their policy needs no nonce."""
    assert client.login(username=d.logins["admin:own"], password=PASSWORD)
    for name in ("services:dispatch", "services:home", "registry:imports", "timebank:offers"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        html = response.content.decode()
        assert _inline_blocks(html) == [], name
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), name
        assert not [v for v in policy(response)["script-src"] if v.startswith("'nonce-")], name
    client.logout()
    assert _inline_blocks(client.get(reverse("login")).content.decode()) == []


def test_an_inline_block_runs_only_with_the_nonce_of_its_own_response(rf):
    """Should a page need an inline block again, {{ request.csp_nonce }} gives it the nonce
    that its own response's policy names, a new one for every response."""
    from django.template import engines

    from core.csp import ContentSecurityPolicyMiddleware

    page = engines["django"].from_string(
        '<style nonce="{{ request.csp_nonce }}">p { color: red; }</style>'
    )

    def view(request):
        from django.http import HttpResponse

        return HttpResponse(page.render({}, request))

    middleware = ContentSecurityPolicyMiddleware(view)
    seen = set()
    for _ in range(2):
        response = middleware(rf.get("/"))
        nonces = [v for v in policy(response)["style-src"] if v.startswith("'nonce-")]
        assert len(nonces) == 1
        nonce = nonces[0][len("'nonce-") : -1]
        assert nonce not in seen  # a new nonce for every response
        seen.add(nonce)
        for attrs in _inline_blocks(response.content.decode()):
            assert f'nonce="{nonce}"' in attrs, attrs


def test_chart_pages_have_no_script_of_their_own(client, d):
    """Charts are drawn by static/js/charts.js from JSON beside them (core.charts): the pages
    carry data, not code, and their policy needs no nonce."""
    assert client.login(username=d.logins["admin:own"], password=PASSWORD)
    for name in ("services:metrics", "workload:burden", "timebank:statistics"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        html = response.content.decode()
        assert "data-chart=" in html and 'type="application/json"' in html, name
        assert not re.findall(r"<script(?![^>]*(src=|application/json))", html), name
        assert not [v for v in policy(response)["script-src"] if v.startswith("'nonce-")], name


def test_the_map_tile_server_is_allowed_for_images_only(client, d, settings):
    settings.LINLI_MAP_TILES = "https://{s}.tiles.example.gov/{z}/{x}/{y}.png"
    rules = policy(client.get(reverse("login")))
    assert "https://*.tiles.example.gov" in rules["img-src"]
    for name in ("default-src", "script-src", "connect-src", "style-src"):
        assert "tiles.example.gov" not in " ".join(rules[name])
    settings.LINLI_MAP_TILES = ""
    assert "https://*.tiles.example.gov" not in policy(client.get(reverse("login")))["img-src"]


@pytest.mark.parametrize(
    ("template", "source"),
    [
        ("https://tiles.example.gov/{z}/{x}/{y}.png", "https://tiles.example.gov"),
        ("https://{s}.tiles.example.gov/{z}/{x}/{y}.png", "https://*.tiles.example.gov"),
        ("http://10.1.2.3:8080/tiles/{z}/{x}/{y}.png", "http://10.1.2.3:8080"),
        ("//tiles.example.gov/{z}/{x}/{y}.png", "tiles.example.gov"),
        ("/tiles/{z}/{x}/{y}.png", None),  # this server: 'self'
        ("", None),
        (None, None),
        ("javascript:alert(1)//{z}", None),
        ("https://tiles.example.gov; script-src *", None),  # would rewrite the policy
        ("https://a{s}b.example.gov/{z}", None),
        ("https://user@tiles.example.gov/{z}", None),
        ("ftp://tiles.example.gov/{z}", None),
    ],
)
def test_tile_source(template, source):
    assert tile_source(template) == source
