"""One small district per test module, with the default lists loaded; each test rolls back."""

import datetime

import pytest

from admission import services
from admission.models import AdmissionRequest, JointMeeting
from core.testing import build_small_district
from core.tests.modules import rolled_back_after


@pytest.fixture(scope="module")
def d(django_db_setup, django_db_blocker, kind_of_day):
    with rolled_back_after(django_db_blocker):
        district = build_small_district()
        services.lists_seed(actor=district.root, district=district.district)
        yield district


@pytest.fixture
def officer(d):
    return d.users["department_officer:own"]


@pytest.fixture
def coordinator(d):
    return d.users["coordinator:own"]


def decide(d, request, decision="approve", *, reasons="", conditions="", coordinator=None):
    """The coordinator prepares the request and records a joint meeting's decision on it."""
    coordinator = coordinator or d.users["coordinator:own"]
    if AdmissionRequest.objects.get(pk=request.pk).status == "under_review":
        services.request_prepare(actor=coordinator, request=request, opinion="材料齐全，建议审议")
    token = f"meeting-{request.pk}"
    meeting = JointMeeting.objects.filter(
        district=request.district, submit_token=token
    ).first() or services.meeting_record(
        actor=coordinator, district=request.district, held_on=services.local_today(),
        attendees="张三、李四、王五", departments=d.departments, submit_token=token,
    )  # fmt: skip
    return services.request_decide(
        actor=coordinator, request=request, meeting=meeting, decision=decision, reasons=reasons,
        conditions=conditions,
    )  # fmt: skip


def application(d, officer, **overrides):
    """Keyword arguments of a complete, harmless application."""
    today = services.local_today()
    values = {
        "actor": officer,
        "department": d.departments[0],
        "kind": "work_item",
        "title": "高龄津贴申报材料收集",
        "description": "每季度收集辖区80岁以上老人的高龄津贴申报材料。",
        "legal_basis": "《中华人民共和国老年人权益保障法》",
        "cited_entry": None,
        "communities": d.communities[:2],
        "frequency": "quarterly",
        "minutes_per_community": 240,
        "funding_fen": 500_000,
        "period_start": today,
        "period_end": today + datetime.timedelta(days=365),
        "submit_token": "token-1",
    }
    values.update(overrides)
    return values
