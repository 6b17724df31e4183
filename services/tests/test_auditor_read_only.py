"""The auditor, listed as read-only, could file requests (found by probing from outside: the
"anyone with a role in the district" rule counted the auditor's role too). Through the service,
the API and the page it is refused with a message in Chinese and nothing is written; it still
reads what its place shows. Run on SQLite and PostgreSQL."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core import services as core_services
from core.models import AuditEvent, Role
from services import selectors
from services import services as request_services
from services.models import Category, ServiceRequest

pytestmark = pytest.mark.django_db


def written():
    return ServiceRequest.objects.count(), AuditEvent.objects.count()


@pytest.fixture
def auditor(world):
    return world.user(f"{Role.AUDITOR}:own")


def test_the_service_refuses_the_auditor(world, auditor):
    before = written()
    with pytest.raises(PermissionDenied, match="您不能在该地点提交诉求"):
        request_services.request_submit(
            actor=auditor, place=world.d.grids[0], description="井盖松动", category=Category.HELP
        )
    assert written() == before
    assert not selectors.submit_places(auditor).exists()


def test_the_api_refuses_the_auditor(client, world, auditor):
    _token, secret = core_services.api_token_create(actor=auditor, name="只读", scope="write")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    before = written()
    response = client.post(
        "/api/services/requests",
        {"place": world.d.grids[0].pk, "description": "井盖松动", "item": "CG-003"},
        content_type="application/json", HTTP_IDEMPOTENCY_KEY="a1", **headers,
    )  # fmt: skip
    # No place is one it may file at: as for any place outside a user's scope, 404.
    assert response.status_code == 404, response.content
    assert response.json()["detail"] == "未找到，或不在您的权限范围内。"
    assert written() == before
    # It still reads: the catalogue and the requests its street shows.
    assert client.get("/api/services/items", **headers).status_code == 200
    assert client.get("/api/services/requests", **headers).status_code == 200


def test_the_page_refuses_the_auditor(client, world, auditor):
    client.force_login(auditor)
    before = written()
    page = client.get(reverse("services:request_new"))
    assert page.status_code == 403 and "不能在线提交诉求" in page.content.decode()
    response = client.post(
        reverse("services:request_new"),
        {"place": world.d.grids[0].pk, "description": "井盖松动", "category": Category.HELP},
    )
    assert response.status_code == 403 and "不能在线提交诉求" in response.content.decode()
    assert written() == before


def test_an_auditor_who_is_also_a_resident_files_as_the_resident(world, auditor):
    """Read-only is the role, not the person: a resident's own role still files."""
    core_services.role_assign(
        actor=world.d.root, user=auditor, role=Role.RESIDENT, place=world.d.grids[0]
    )
    auditor.__dict__.pop("_linli_assignments", None)
    made = request_services.request_submit(
        actor=auditor, place=world.d.grids[0], description="井盖松动", category=Category.HELP
    )
    assert made.pk and made.submitted_by == auditor
