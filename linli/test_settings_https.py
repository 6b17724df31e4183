"""Settings read from the environment for an HTTPS deployment (found by probing from outside: no
Strict-Transport-Security with LINLI_HTTPS=1), and the request body limit. Each case runs
linli/settings.py afresh with the variables set, as a new app process would."""

import runpy
from pathlib import Path

import pytest
from django.test import Client, override_settings

SETTINGS = Path(__file__).resolve().parent / "settings.py"
YEAR = 365 * 24 * 3600


def fresh_settings(monkeypatch, tmp_path, **env) -> dict:
    for name in ("LINLI_HTTPS", "LINLI_HSTS_SECONDS", "LINLI_HSTS_SUBDOMAINS",
                 "LINLI_SSL_REDIRECT", "LINLI_MAX_BODY_MB"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LINLI_VAR_DIR", str(tmp_path))  # its own generated keys
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


def test_https_sends_hsts_for_a_year_with_subdomains(monkeypatch, tmp_path):
    values = fresh_settings(monkeypatch, tmp_path, LINLI_HTTPS="1")
    assert values["SECURE_HSTS_SECONDS"] == YEAR
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    # The proxy redirects to HTTPS; the app does not, unless asked.
    assert values["SECURE_SSL_REDIRECT"] is False


def test_hsts_and_the_redirect_are_configurable(monkeypatch, tmp_path):
    values = fresh_settings(
        monkeypatch, tmp_path, LINLI_HTTPS="1", LINLI_HSTS_SECONDS="600",
        LINLI_HSTS_SUBDOMAINS="0", LINLI_SSL_REDIRECT="1",
    )  # fmt: skip
    assert values["SECURE_HSTS_SECONDS"] == 600
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert values["SECURE_SSL_REDIRECT"] is True


def test_plain_http_sends_no_hsts(monkeypatch, tmp_path):
    values = fresh_settings(monkeypatch, tmp_path)
    assert "SECURE_HSTS_SECONDS" not in values and "SECURE_SSL_REDIRECT" not in values


def test_body_limit_from_the_environment(monkeypatch, tmp_path):
    assert fresh_settings(monkeypatch, tmp_path)["MAX_REQUEST_BODY"] == 20 * 1024 * 1024
    values = fresh_settings(monkeypatch, tmp_path, LINLI_MAX_BODY_MB="50")
    assert values["MAX_REQUEST_BODY"] == 50 * 1024 * 1024
    assert values["DATA_UPLOAD_MAX_MEMORY_SIZE"] == 2621440
    for bad, message in (("lots", "not a whole number"), ("0", "at least 1")):
        with pytest.raises(ValueError, match=message):
            fresh_settings(monkeypatch, tmp_path, LINLI_MAX_BODY_MB=bad)


@pytest.mark.django_db
def test_the_header_on_an_https_response(monkeypatch, tmp_path):
    values = fresh_settings(monkeypatch, tmp_path, LINLI_HTTPS="1")
    https = {
        name: values[name]
        for name in (
            "SECURE_HSTS_SECONDS",
            "SECURE_HSTS_INCLUDE_SUBDOMAINS",
            "SECURE_PROXY_SSL_HEADER",
            "SECURE_SSL_REDIRECT",
        )
    }
    with override_settings(**https):
        client = Client()  # its middleware is built now, from these settings
        secure = client.get("/login/", HTTP_X_FORWARDED_PROTO="https")
        assert secure.status_code == 200
        assert secure["Strict-Transport-Security"] == f"max-age={YEAR}; includeSubDomains"
        # Over plain HTTP the header means nothing and is not sent; nor is the page redirected.
        plain = client.get("/login/")
        assert plain.status_code == 200 and not plain.has_header("Strict-Transport-Security")
