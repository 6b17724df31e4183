"""The review in two steps: the coordinator prepares (初审), a joint meeting (联席会议) decides.
Its date, departments and attendees stay with the decision, which every community can read."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from admission import services, tasks
from admission.models import AdmissionRequest, AdmittedItem, JointMeeting
from admission.tests.conftest import application
from core.models import AuditEvent, Notification
from core.testing import PASSWORD
from core.tests.refused import refused

pytestmark = pytest.mark.django_db


def counts():
    return (
        AdmissionRequest.objects.exclude(status="under_review").count(),
        AdmittedItem.objects.count(),
        JointMeeting.objects.count(),
        AuditEvent.objects.count(),
        Notification.objects.count(),
    )


def meeting(d, actor, **overrides):
    values = dict(
        actor=actor, district=d.district, held_on=services.local_today(),
        attendees="区减负办 张主任\n民政局 李科长\n城管局 王科长", departments=d.departments,
        note="审议准入申请", submit_token="m-1",
    )  # fmt: skip
    values.update(overrides)
    return services.meeting_record(**values)


@pytest.fixture
def prepared(d, officer, coordinator):
    request = services.request_submit(**application(d, officer))
    return services.request_prepare(actor=coordinator, request=request, opinion="材料齐全")


def test_prepare_then_the_meeting_decides(d, officer, coordinator, prepared):
    assert prepared.status == "prepared" and prepared.preparation == "材料齐全"
    assert prepared.review_due_at is not None  # the deadline still runs
    assert Notification.objects.filter(user=officer, title__contains="联席会议").exists()
    held = meeting(d, coordinator)
    assert held.number.endswith("-0001") and "-LX" in held.number
    assert held.attendee_list() == ["区减负办 张主任", "民政局 李科长", "城管局 王科长"]
    assert set(held.departments.all()) == set(d.departments)
    decided = services.request_decide(
        actor=coordinator, request=prepared, meeting=held, decision="approve_conditions",
        conditions="数据共享，不另设台账",
    )  # fmt: skip
    assert decided.status == "approved_conditions" and decided.meeting == held
    assert AdmittedItem.objects.get(request=decided).conditions == "数据共享，不另设台账"
    event = AuditEvent.objects.filter(action="admission.request_decide").latest("pk")
    assert event.changes["meeting"] == held.number and event.changes["late"] is False
    note = Notification.objects.filter(user=officer, title__contains="已审核").latest("pk")
    assert held.number in note.body
    # Every community of the district reads the decision and the meeting behind it.
    worker = d.users["community_worker:other"]
    from admission import selectors

    assert selectors.decisions_visible_to(worker).filter(pk=decided.pk).exists()
    assert selectors.meetings_visible_to(worker).filter(pk=held.pk).exists()


def test_refusal_at_the_meeting_needs_reasons(d, coordinator, prepared):
    held = meeting(d, coordinator)
    before = counts()
    with refused("required", match="理由不能为空"):
        services.request_decide(
            actor=coordinator, request=prepared, meeting=held, decision="refuse"
        )
    assert counts() == before
    services.request_decide(
        actor=coordinator, request=prepared, meeting=held, decision="refuse", reasons="部门职责"
    )
    assert AdmissionRequest.objects.get(pk=prepared.pk).status == "refused"


def test_no_decision_without_preparation_and_no_double_decision(d, officer, coordinator):
    request = services.request_submit(**application(d, officer))
    held = meeting(d, coordinator)
    with refused("not_prepared"):
        services.request_decide(
            actor=coordinator, request=request, meeting=held, decision="approve"
        )
    services.request_prepare(actor=coordinator, request=request, opinion="同意")
    with refused("not_under_review"):
        services.request_prepare(actor=coordinator, request=request, opinion="再次")
    services.request_decide(actor=coordinator, request=request, meeting=held, decision="approve")
    before = counts()
    with refused("not_prepared"):  # a double submit
        services.request_decide(
            actor=coordinator, request=request, meeting=held, decision="approve"
        )
    assert counts() == before and AdmittedItem.objects.filter(request=request).count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"attendees": "张三、李四"}, "至少应有3名"),
        ({"departments": []}, "至少应有2个部门"),
        # Days counted from the test's own today, not from the day the tests were collected.
        ({"held_on": datetime.timedelta(days=1)}, "不能晚于今天"),
        ({"held_on": -datetime.timedelta(days=400)}, "过早"),
        ({"held_on": None}, "会议日期"),
        ({"submit_token": " "}, "提交标识"),
        ({"attendees": "甲、乙、" + "丙" * 51}, "过长"),
    ],
)
def test_bad_meetings_write_nothing(d, coordinator, changes, message):
    if changes.get("departments") == []:
        changes = {"departments": d.departments[:1]}
    if isinstance(changes.get("held_on"), datetime.timedelta):
        changes = {"held_on": services.local_today() + changes["held_on"]}
    before = counts()
    with pytest.raises(ValidationError, match=message):
        meeting(d, coordinator, **changes)
    assert counts() == before


def test_a_meeting_recorded_twice_is_refused(d, coordinator):
    meeting(d, coordinator)
    before = counts()
    with refused("duplicate_submit", match="已经记录过"):
        meeting(d, coordinator)
    assert counts() == before


def test_foreign_departments_and_meetings_are_refused(d, coordinator, prepared):
    from core.testing import build_small_district

    far = build_small_district(code="320105", name="建邺区")
    before = counts()
    with pytest.raises(ValidationError, match="须属于本区"):
        meeting(d, coordinator, departments=[d.departments[0], far.departments[0]])
    far_meeting = meeting(
        far, far.users["coordinator:own"], departments=far.departments, submit_token="far"
    )
    before = counts()
    with pytest.raises((ValidationError, PermissionDenied)):
        services.request_decide(
            actor=coordinator, request=prepared, meeting=far_meeting, decision="approve"
        )
    assert counts() == before


def test_a_meeting_held_before_the_preparation_cannot_decide(d, coordinator, prepared):
    AdmissionRequest.objects.filter(pk=prepared.pk).update(
        prepared_at=timezone.now() + datetime.timedelta(days=3)
    )
    held = meeting(d, coordinator)
    with pytest.raises(ValidationError, match="早于初审"):
        services.request_decide(
            actor=coordinator, request=prepared, meeting=held, decision="approve"
        )


@pytest.mark.parametrize(
    "key",
    ["admin:own", "department_officer:own", "street_officer:own", "community_worker:own",
     "auditor:own", "resident:own"],
)  # fmt: skip
def test_no_step_by_someone_without_the_role(d, officer, coordinator, key):
    request = services.request_submit(**application(d, officer, submit_token=f"r-{key}"))
    actor = d.users[key]
    before = counts()
    with pytest.raises(PermissionDenied):
        services.request_prepare(actor=actor, request=request, opinion="同意")
    with pytest.raises(PermissionDenied):
        meeting(d, actor)
    services.request_prepare(actor=coordinator, request=request, opinion="同意")
    held = meeting(d, coordinator)
    before = counts()
    with pytest.raises(PermissionDenied):
        services.request_decide(actor=actor, request=request, meeting=held, decision="approve")
    assert counts() == before
    assert AdmissionRequest.objects.get(pk=request.pk).status == "prepared"


def test_the_deadline_still_applies_while_waiting_for_the_meeting(d, coordinator, prepared):
    AdmissionRequest.objects.filter(pk=prepared.pk).update(
        review_due_at=timezone.now() - datetime.timedelta(hours=1)
    )
    Notification.objects.all().delete()
    assert tasks.review_deadlines(period="2026-11-27") == {"overdue": 1, "notified": 1}
    held = meeting(d, coordinator)
    services.request_decide(actor=coordinator, request=prepared, meeting=held, decision="approve")
    event = AuditEvent.objects.filter(action="admission.request_decide").latest("pk")
    assert event.changes["late"] is True


def test_pages_prepare_record_and_decide(client, d, officer, coordinator, prepared):
    other = services.request_submit(**application(d, officer, title="另一项", submit_token="o"))
    assert client.login(username=d.logins["coordinator:own"], password=PASSWORD)
    page = client.get(reverse("admission:request_detail", args=[other.pk])).content.decode()
    assert 'value="prepare"' in page
    assert client.post(
        reverse("admission:request_detail", args=[other.pk]),
        {"action": "prepare", "opinion": "提请审议"},
    ).status_code == 302  # fmt: skip
    listing = client.get(reverse("admission:meetings"))
    assert listing.status_code == 200
    text = listing.content.decode()
    assert f'data-waiting="{prepared.number}"' in text and f'data-waiting="{other.number}"' in text
    token = listing.context["form"].initial["submit_token"]
    data = {
        "submit_token": token, "held_on": services.local_today().isoformat(),
        "departments": [x.pk for x in d.departments], "attendees": "甲\n乙\n丙",
    }  # fmt: skip
    created = client.post(reverse("admission:meetings"), data)
    held = JointMeeting.objects.get()
    assert created["Location"] == reverse("admission:meeting_detail", args=[held.pk])
    again = client.post(reverse("admission:meetings"), data)
    assert "请勿重复提交" in again.content.decode() and JointMeeting.objects.count() == 1
    url = reverse("admission:meeting_detail", args=[held.pk])
    bad = client.post(url, {"request": prepared.pk, "decision": "refuse"})
    assert bad.status_code == 200 and "理由不能为空" in bad.content.decode()
    done = client.post(url, {"request": prepared.pk, "decision": "refuse", "reasons": "重复"})
    assert done.status_code == 302
    twice = client.post(url, {"request": prepared.pk, "decision": "approve"})
    assert twice.status_code == 200 and AdmittedItem.objects.count() == 0  # no longer listed
    client.logout()
    # A community worker reads the meeting and its decisions, and cannot record either.
    assert client.login(username=d.logins["community_worker:other"], password=PASSWORD)
    detail = client.get(url).content.decode()
    assert "重复" in detail and "甲、乙、丙" in detail and 'name="decision"' not in detail
    assert client.post(url, {"request": other.pk, "decision": "approve"}).status_code == 403
    assert client.post(reverse("admission:meetings"), data).status_code == 403
    assert AdmissionRequest.objects.get(pk=other.pk).status == "prepared"
