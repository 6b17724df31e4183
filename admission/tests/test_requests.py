"""Admission requests: the checks at submission, review, appeal, withdrawal, bad input."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from admission import services
from admission.models import AdmissionRequest, AdmittedItem, AdmittedScope, ListKind
from admission.tests.conftest import application, decide
from core import calendar as workcal
from core.models import AuditEvent, Notification
from core.testing import PASSWORD
from core.tests.refused import refused

# Deadlines, periods and months hang on the day: the module runs on each kind of day.
pytestmark = [pytest.mark.django_db, pytest.mark.each_kind_of_day]


def counts():
    return (
        AdmissionRequest.objects.count(),
        AdmittedItem.objects.count(),
        AuditEvent.objects.count(),
        Notification.objects.count(),
    )


def test_complete_application_goes_to_review_with_a_working_day_deadline(d, officer, coordinator):
    before = timezone.now()
    request = services.request_submit(**application(d, officer))
    assert request.status == "under_review" and request.findings == []
    assert request.number.startswith(f"{d.district.code}-SQ")
    expected = workcal.add_working_days(request.submitted_at, 15)
    assert request.review_due_at == expected and request.review_due_at > before
    note = Notification.objects.get(user=coordinator)
    assert request.title in note.title and note.url.endswith(f"/requests/{request.pk}/")


def test_review_deadline_follows_the_district_setting(d, officer, coordinator):
    services.policy_set(actor=coordinator, district=d.district, review_working_days=5)
    request = services.request_submit(**application(d, officer))
    assert request.review_due_at == workcal.add_working_days(request.submitted_at, 5)
    with pytest.raises(ValidationError, match="1至60"):
        services.policy_set(actor=coordinator, district=d.district, review_working_days=0)
    with pytest.raises(PermissionDenied):
        services.policy_set(actor=officer, district=d.district, review_working_days=3)


def test_negative_list_refuses_at_once_citing_the_entry(d, officer):
    request = services.request_submit(
        **application(d, officer, title="社区协助完成年度招商引资任务", legal_basis="")
    )
    assert request.status == "refused_negative"
    assert request.matched_negative.key == "FM-01"
    assert "FM-01" in request.reasons and "厅字〔2022〕28号" in request.reasons
    assert request.decided_at is not None and request.review_due_at is None
    assert Notification.objects.filter(user=officer, title__contains="不予受理").exists()
    # Citing a negative entry directly is refused the same way.
    negative = services.entries_in_force(d.district, ListKind.NEGATIVE).get(key="FM-07")
    cited = services.request_submit(
        **application(d, officer, title="工作群每日汇报", cited_entry=negative, submit_token="t2")
    )
    assert cited.status == "refused_negative" and cited.matched_negative == negative


def test_app_with_download_targets_is_refused(d, officer):
    request = services.request_submit(
        **application(
            d, officer, kind="app", title="推广社区政务APP",
            description="要求每个社区居民下载率达到60%", submit_token="app",
        )
    )  # fmt: skip
    assert request.status == "refused_negative" and request.matched_negative.key == "FM-08"


@pytest.mark.parametrize(
    ("changes", "missing"),
    [
        ({"legal_basis": ""}, "法律政策依据"),
        ({"funding_fen": 0}, "费随事转"),
    ],
)
def test_missing_basis_or_funding_is_incomplete_then_amended(d, officer, changes, missing):
    request = services.request_submit(**application(d, officer, **changes))
    assert request.status == "incomplete" and request.review_due_at is None
    assert any(missing in f["message"] for f in request.findings)
    assert Notification.objects.filter(user=officer, title__contains="材料不全").exists()
    duty = services.entries_in_force(d.district, ListKind.ASSISTANCE).get(key="XZ-02")
    amended = services.request_amend(
        actor=officer, request=request, legal_basis="", cited_entry=duty, funding_fen=100
    )
    assert amended.status == "under_review" and amended.review_due_at is not None


def test_approval_enters_the_catalogue_and_notifies_the_communities(d, officer, coordinator):
    request = services.request_submit(**application(d, officer))
    decide(d, request, "approve_conditions", conditions="每季度报送一次，不得另设台账")
    request.refresh_from_db()
    assert request.status == "approved_conditions" and request.decided_by == coordinator
    item = request.admitted_item
    assert item.status == "active" and item.conditions == "每季度报送一次，不得另设台账"
    assert set(AdmittedScope.objects.filter(item=item).values_list("community_id", flat=True)) == {
        d.communities[0].pk,
        d.communities[1].pk,
    }
    worker = d.users["community_worker:own"]  # at communities[0]
    assert Notification.objects.filter(user=worker, title__contains="新准入事项").exists()
    assert Notification.objects.filter(user=officer, title__contains="已审核").exists()
    # Already admitted: the same work again is pointed to the admitted item, nothing written.
    before = counts()
    with pytest.raises(ValidationError, match=item.number):
        services.request_submit(**application(d, officer, submit_token="again"))
    assert counts() == before
    # Similar work reaching the same communities is flagged for the reviewer.
    similar = services.request_submit(
        **application(d, officer, title="高龄津贴申报材料收集登记", submit_token="similar")
    )
    assert similar.status == "under_review"
    assert [f["kind"] for f in similar.findings] == ["overlap"]
    assert item.number in similar.findings[0]["message"]


def test_refusal_needs_reasons_and_can_be_appealed_once(d, officer, coordinator):
    request = services.request_submit(**application(d, officer))
    with refused("required", match="理由不能为空"):
        decide(d, request, "refuse")
    with refused("required", match="附加条件不能为空"):
        decide(d, request, "approve_conditions")
    decide(d, request, "refuse", reasons="属于部门自身职责")
    meeting = request.__class__.objects.get(pk=request.pk).meeting
    with refused("not_prepared"):
        services.request_decide(
            actor=coordinator, request=request, meeting=meeting, decision="approve"
        )
    services.request_appeal(actor=officer, request=request, reasons="有法律明确规定")
    request.refresh_from_db()
    assert request.status == "under_review" and request.review_due_at is not None
    decide(d, request, "refuse", reasons="维持")
    with refused("bad_state", match="已申诉过"):
        services.request_appeal(actor=officer, request=request, reasons="再次申诉")


def test_withdrawal_of_request_and_of_admitted_item(d, officer, coordinator):
    request = services.request_submit(**application(d, officer))
    services.request_withdraw(actor=officer, request=request)
    request.refresh_from_db()
    assert request.status == "withdrawn"
    with pytest.raises(ValidationError):
        services.request_withdraw(actor=officer, request=request)
    approved = services.request_submit(**application(d, officer, submit_token="2"))
    decide(d, approved)
    item = AdmittedItem.objects.get(request=approved)
    with pytest.raises(PermissionDenied):
        services.item_withdraw(actor=officer, item=item, reasons="不再需要")
    services.item_withdraw(actor=coordinator, item=item, reasons="年度复核：已不需要")
    item.refresh_from_db()
    assert item.status == "withdrawn" and not services.item_is_usable(item)


# ---------------------------------------------------------------- bad input


def test_citing_an_entry_not_in_force_writes_nothing(d, officer, coordinator):
    old_entry = services.entries_in_force(d.district, ListKind.DUTY).get(key="LZ-05")
    draft = services.list_draft_start(actor=coordinator, district=d.district, kind="duty")
    services.list_publish(actor=coordinator, version=draft, effective_from=services.local_today())
    draft_entry = draft.entries.get(key="LZ-05")
    assert services.version_in_force(d.district, "duty") == draft
    before = counts()
    with refused("entry_not_in_force"):
        services.request_submit(**application(d, officer, cited_entry=old_entry))
    assert counts() == before
    request = services.request_submit(**application(d, officer, cited_entry=draft_entry))
    assert request.cited_entry == draft_entry


def test_double_submit_is_refused_and_writes_nothing(d, officer):
    first = services.request_submit(**application(d, officer))
    before = counts()
    with pytest.raises(ValidationError, match=first.number):
        services.request_submit(**application(d, officer))
    assert counts() == before


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "事项名称不能为空"),
        ({"minutes_per_community": 0}, "预计用时"),
        ({"minutes_per_community": "abc"}, "整数"),
        ({"funding_fen": -1}, "超出范围"),
        ({"communities": []}, "请选择涉及的社区"),
        ({"kind": "party"}, "事项类型"),
        ({"frequency": "hourly"}, "频次"),
        ({"submit_token": ""}, "提交标识"),
    ],
)
def test_bad_applications_write_nothing(d, officer, changes, message):
    before = counts()
    with pytest.raises(ValidationError, match=message):
        services.request_submit(**application(d, officer, **changes))
    assert counts() == before


def test_period_end_before_start_and_foreign_communities(d, officer):
    values = application(d, officer)
    values["period_end"] = values["period_start"].replace(year=values["period_start"].year - 1)
    with pytest.raises(ValidationError, match="截止日期"):
        services.request_submit(**values)
    with pytest.raises(ValidationError, match="不是本区现有的社区"):
        services.request_submit(**application(d, officer, communities=[d.streets[0]]))


def test_only_officers_apply_and_only_for_their_department(d, officer, coordinator):
    with pytest.raises(PermissionDenied):
        services.request_submit(**application(d, officer, actor=coordinator))
    with pytest.raises(PermissionDenied, match="本部门"):
        services.request_submit(**application(d, officer, department=d.departments[1]))


# ---------------------------------------------------------------- pages


def test_pages_apply_review_and_publish_decisions(client, d, officer, coordinator):
    assert client.login(username=d.logins["department_officer:own"], password=PASSWORD)
    form = client.get(reverse("admission:request_new"))
    assert form.status_code == 200
    token = form.context["form"].initial["submit_token"]
    data = {
        "submit_token": token, "kind": "form", "title": "残疾人服务需求季度调查表",
        "legal_basis": "《中华人民共和国残疾人保障法》", "communities": [d.communities[0].pk],
        "form_fields": "残疾类别\n服务需求",
        "frequency": "quarterly", "minutes_per_community": "90", "funding": "1,200.50",
        "period_start": services.local_today().isoformat(),
        "period_end": services.local_today().replace(month=12, day=31).isoformat(),
    }  # fmt: skip
    response = client.post(reverse("admission:request_new"), data)
    created = AdmissionRequest.objects.get(title="残疾人服务需求季度调查表")
    assert response["Location"] == reverse("admission:request_detail", args=[created.pk])
    assert created.funding_fen == 120050 and created.status == "under_review"
    # The same form posted again (a double click) gets a clear error, nothing new.
    again = client.post(reverse("admission:request_new"), data)
    assert "请勿重复提交" in again.content.decode()
    assert AdmissionRequest.objects.filter(title=created.title).count() == 1
    # The officer cannot prepare it for the joint meeting.
    page = client.get(reverse("admission:request_detail", args=[created.pk])).content.decode()
    assert 'value="prepare"' not in page
    refused = client.post(
        reverse("admission:request_detail", args=[created.pk]),
        {"action": "prepare", "opinion": "同意"},
    )
    assert refused.status_code == 200 and "只有区减负办" in refused.content.decode()
    client.logout()
    assert client.login(username=d.logins["coordinator:own"], password=PASSWORD)
    response = client.post(
        reverse("admission:request_detail", args=[created.pk]),
        {"action": "prepare", "opinion": "与民政局已有报表部分重复，提请审议"},
    )
    assert response.status_code == 302
    decide(d, created, "refuse", reasons="与已有报表重复")
    client.logout()
    # Every community sees the decision and its reasons; requests under review stay private.
    assert client.login(username=d.logins["community_worker:other"], password=PASSWORD)
    decisions = client.get(reverse("admission:decisions")).content.decode()
    assert "残疾人服务需求季度调查表" in decisions and "与已有报表重复" in decisions
    hidden = services.request_submit(**application(d, officer, submit_token="hidden"))
    assert client.get(reverse("admission:request_detail", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("admission:request_new")).status_code == 403
