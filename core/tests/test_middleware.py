"""Found by probing from outside: a JSON body over 2.5 MB was a 500 and nothing bounded an
upload's size before it was read; pages and exports with personal data carried no
Cache-Control. Now an oversized body is refused with 413 (JSON for the API, the GeoReport error
list for Open311, a page otherwise) before anything reads it, and every response to a logged-in
user and every downloaded file says ``no-store, private``; WhiteNoise's static files keep theirs.
"""

import io
import json
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from core import services
from core.middleware import NoStoreMiddleware, RequestSizeLimitMiddleware
from core.models import AuditEvent, Place
from core.testing import PASSWORD, build_small_district
from core.tests.modules import rolled_back_after
from services import services as request_services
from services.models import ServiceRequest

pytestmark = [pytest.mark.django_db, pytest.mark.urls("services.tests.urls")]
MB = 1024 * 1024
NO_STORE = "no-store, private"


@pytest.fixture(scope="module")
def d(django_db_setup, django_db_blocker):
    with rolled_back_after(django_db_blocker):
        district = build_small_district()
        request_services.catalogue_seed(actor=district.root, district=district.district)
        yield district


def written():
    return ServiceRequest.objects.count(), AuditEvent.objects.count(), Place.objects.count()


def bearer(user) -> dict:
    _token, secret = services.api_token_create(actor=user, name="t", scope="write")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def big_json(size: int) -> bytes:
    return json.dumps({"place": 1, "description": "长" * (size // 3)}, ensure_ascii=False).encode()


# ---------------------------------------------------------------- body size


def test_an_api_body_over_2_5_mb_is_413_json_and_writes_nothing(client, d):
    headers = bearer(d.users["resident:own"])
    before = written()
    response = client.post(
        "/api/services/requests", big_json(3 * MB), content_type="application/json", **headers
    )
    assert response.status_code == 413
    assert response.json() == {
        "detail": "请求内容过大（最多2.5 MB）。",
        "code": "request_too_large",
    }
    assert written() == before
    english = client.post(
        "/api/core/places", big_json(3 * MB), content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en", **headers,
    )  # fmt: skip
    assert english.status_code == 413
    assert english.json()["detail"] == "The request is too large (at most 2.5 MB)."


def test_the_api_answers_413_when_django_refuses_the_body_as_it_reads_it(client, d, settings):
    """Without the middleware (a body sent without its length is bounded when read), the API's
    own handler answers RequestDataTooBig with the same 413, not a 500."""
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "core.middleware.RequestSizeLimitMiddleware"
    ]
    headers = bearer(d.users["resident:own"])
    before = written()
    response = Client().post(
        "/api/services/requests", big_json(3 * MB), content_type="application/json", **headers
    )
    assert response.status_code == 413 and response.json()["code"] == "request_too_large"
    assert "请求内容过大" in response.json()["detail"]
    assert written() == before


@pytest.mark.parametrize(
    ("middleware", "encoding"),
    [(True, "urlencoded"), (True, "multipart"), (False, "urlencoded"), (False, "multipart")],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_open311_body_over_2_5_mb_is_413_in_its_format(d, settings, fmt, middleware, encoding):
    """Refused from its length by the middleware, or (a multipart form's fields, or without the
    middleware) by Django as the view reads it: either way the spec's error list, not a 500."""
    if not middleware:
        settings.MIDDLEWARE = [
            m for m in settings.MIDDLEWARE if m != "core.middleware.RequestSizeLimitMiddleware"
        ]
    _key, raw = request_services.open311_key_create(
        actor=d.root, district=d.district, name="大请求"
    )
    data = {
        "api_key": raw,
        "service_code": "CG-003",
        "address_string": "x",
        "description": "长" * MB,
    }
    before = written()
    url = f"/open311/v2/requests.{fmt}"
    if encoding == "urlencoded":
        body = urlencode(data)
        response = Client().post(url, body, content_type="application/x-www-form-urlencoded")
    else:
        response = Client().post(url, data)
    assert response.status_code == 413, response.content[:300]
    if fmt == "json":
        [error] = response.json()
        assert error == {"code": 413, "description": "请求内容过大（最多2.5 MB）。"}
    else:
        assert response["Content-Type"] == "text/xml; charset=utf-8"
        assert b"<code>413</code>" in response.content
    assert written() == before


def test_an_upload_over_the_limit_is_refused_with_a_page(client, d, settings):
    settings.MAX_REQUEST_BODY = 1 * MB
    client.force_login(d.users["resident:own"])
    photo = SimpleUploadedFile("scene.jpg", b"\xff\xd8\xff" + b"\x00" * (2 * MB), "image/jpeg")
    before = written()
    response = client.post(
        reverse("services:request_new"),
        {"place": d.grids[0].pk, "description": "路灯不亮", "photo": photo},
    )
    assert response.status_code == 413
    page = response.content.decode()
    assert "请求内容过大（最多1 MB）。" in page
    assert written() == before


def test_the_import_upload_has_its_own_larger_limit(client, d, settings):
    """The registry takes files up to 512 MB: 20 MB (here 1 MB) does not apply to its upload."""
    settings.MAX_REQUEST_BODY = 1 * MB

    def upload():
        return SimpleUploadedFile("people.csv", b"a" * (2 * MB), "text/csv")

    response = client.post(reverse("registry:imports"), {"file": upload()})
    assert response.status_code == 302  # reached the view (which asks to log in first)
    response = client.post(reverse("registry:home"), {"file": upload()})
    assert response.status_code == 413


def test_a_large_content_length_is_refused_before_the_body_is_read(settings):
    settings.MAX_REQUEST_BODY = 20 * MB

    class Unread(io.BytesIO):
        def read(self, *args):
            raise AssertionError("the body was read")

        readline = read

    def view(request):
        raise AssertionError("the view ran")

    request = RequestFactory().post("/services/requests/new/", b"", content_type="multipart/x")
    request.META["CONTENT_LENGTH"] = str(21 * MB)
    request.META["CONTENT_TYPE"] = "multipart/form-data; boundary=x"
    request._stream = Unread()
    response = RequestSizeLimitMiddleware(view)(request)
    assert response.status_code == 413
    assert "请求内容过大（最多20 MB）。" in response.content.decode()
    # Nor a JSON body's, above 2.5 MB.
    request = RequestFactory().post("/api/core/places", b"", content_type="application/json")
    request.META["CONTENT_LENGTH"] = str(3 * MB)
    request._stream = Unread()
    assert RequestSizeLimitMiddleware(view)(request).status_code == 413


def test_bodies_within_the_limits_pass(client, d):
    client.force_login(d.users["resident:own"])
    photo = SimpleUploadedFile("scene.jpg", b"\xff\xd8\xff" + b"\x00" * (3 * MB), "image/jpeg")
    response = client.post(
        reverse("services:request_new"),
        {"place": d.grids[0].pk, "description": "路灯不亮", "photo": photo},
    )
    assert response.status_code != 413  # a 3 MB file in a multipart body: the form answers
    response = client.post(
        "/api/core/places", big_json(2 * MB), content_type="application/json",
        **bearer(d.users["coordinator:own"]),
    )  # fmt: skip
    assert response.status_code != 413


# ---------------------------------------------------------------- caching


def login(client, d, key):
    assert client.login(username=d.logins[key], password=PASSWORD)


def test_pages_for_a_logged_in_user_are_not_stored(client, d):
    anonymous = client.get(reverse("admission:certificate_verify"))  # public, nothing personal
    assert anonymous.status_code == 200
    assert "no-store" not in anonymous.get("Cache-Control", "")
    login(client, d, "community_worker:own")
    for url in (reverse("workbench"), reverse("services:home"), "/api/core/me"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == NO_STORE, url


def test_excel_and_pdf_exports_are_not_stored(client, d):
    login(client, d, "community_worker:own")
    community = {"community": d.communities[0].pk}
    excel = client.get(reverse("workload:ledger_xlsx"), community)
    assert excel.status_code == 200 and excel["Content-Type"].startswith("application/vnd")
    assert excel["Cache-Control"] == NO_STORE
    pdf = client.get(reverse("workload:ledger_pdf"), community)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf["Cache-Control"] == NO_STORE
    login(client, d, "auditor:own")
    csv = client.get(reverse("audit_export"))
    assert csv.status_code == 200 and csv["Cache-Control"] == NO_STORE


def test_a_downloaded_file_is_not_stored_even_without_a_login():
    from django.http import HttpResponse

    request = RequestFactory().get("/x.pdf")

    def view(request):
        response = HttpResponse(b"%PDF-1.7", content_type="application/pdf")
        response["Content-Disposition"] = 'attachment; filename="x.pdf"'
        return response

    assert NoStoreMiddleware(view)(request)["Cache-Control"] == NO_STORE


@override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True)
def test_static_files_and_the_api_docs_assets_keep_their_caching(d):
    client = Client()  # its handler is built now, with WhiteNoise serving the source folder
    login(client, d, "community_worker:own")
    css = client.get("/static/css/linli.css")
    assert css.status_code == 200
    assert "no-store" not in css["Cache-Control"] and "max-age" in css["Cache-Control"]
    asset = client.get("/api/docs/assets/swagger-ui.css")
    assert asset.status_code == 200 and asset["Cache-Control"] == "public, max-age=86400"
