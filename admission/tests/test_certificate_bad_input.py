"""A NUL character in any parameter of the certificate pages (found by probing from outside: the
verification code reached PostgreSQL, which refuses NUL in text, as a 500). Every parameter is
refused with 400 and a page saying which one, and nothing is written — except the search box,
whose NUL is dropped like every search box's (core.validation.search_query). Run on SQLite and
PostgreSQL."""

import pytest
from django.urls import reverse

from admission import services
from admission.models import CertificateAnswer, ListKind
from core.models import AuditEvent
from core.testing import PASSWORD

pytestmark = pytest.mark.django_db


def written():
    return CertificateAnswer.objects.count(), AuditEvent.objects.count()


def with_nul(value) -> str:
    value = str(value)
    return value[:1] + "\x00" + value[1:]


@pytest.fixture
def worker(client, d):
    assert client.login(username=d.logins["community_worker:own"], password=PASSWORD)
    return client


def valid_post(d) -> dict:
    entry = services.entries_in_force(d.district, ListKind.CERTIFICATE).get(key="ZM-10")
    return {
        "community": str(d.communities[0].pk), "entry": str(entry.pk), "subject_name": "张三",
        "purpose": "入学", "district": str(d.district.pk),
    }  # fmt: skip


def assert_refused(response, name):
    assert response.status_code == 400, (name, response.status_code)
    assert f"参数“{name}”含有空字符（NUL）" in response.content.decode()


def test_the_valid_post_is_answered(worker, d):
    before = written()
    response = worker.post(reverse("admission:certificates"), valid_post(d))
    assert response.status_code == 302
    assert written() == (before[0] + 1, before[1] + 1)


@pytest.mark.parametrize("name", ["community", "entry", "subject_name", "purpose", "district"])
def test_nul_in_any_form_field_is_refused(worker, d, name):
    data = valid_post(d)
    data[name] = with_nul(data[name])
    before = written()
    assert_refused(worker.post(reverse("admission:certificates"), data), name)
    assert written() == before


@pytest.mark.parametrize(
    ("name", "value"), [("entry", "1"), ("district", "1"), ("page", "2"), ("other", "x")]
)
def test_nul_in_any_query_parameter_is_refused(worker, d, name, value):
    before = written()
    assert_refused(worker.get(reverse("admission:certificates"), {name: with_nul(value)}), name)
    # In the query string of a POST too.
    url = reverse("admission:certificates") + f"?{name}={with_nul(value)}".replace("\x00", "%00")
    assert_refused(worker.post(url, valid_post(d)), name)
    assert written() == before


def test_nul_in_a_parameter_name_is_refused(worker, d):
    before = written()
    assert_refused(worker.post(reverse("admission:certificates"), {**valid_post(d), "a\x00": "1"}),
                   "a\\0")  # fmt: skip
    assert written() == before


def test_nul_in_the_search_box_is_dropped(worker, d):
    page = worker.get(reverse("admission:certificates"), {"q": "健\x00在"})
    assert page.status_code == 200
    assert [e.title for e in page.context["entries"]] == ["健在证明"]


@pytest.mark.parametrize("logged_in", [False, True])
def test_nul_in_the_verification_code_is_refused(client, d, logged_in):
    if logged_in:
        assert client.login(username=d.logins["resident:own"], password=PASSWORD)
    response = client.get(reverse("admission:certificate_verify"), {"code": "AB\x00CD"})
    assert_refused(response, "code")
    assert client.get(reverse("admission:certificate_verify"), {"code": "ABCD"}).status_code == 200


def test_the_refusal_reads_in_english(worker, d):
    response = worker.get(
        reverse("admission:certificate_verify"), {"code": "\x00"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert 'The parameter "code" contains a NUL character' in response.content.decode().replace(
        "&quot;", '"'
    )
