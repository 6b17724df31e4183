"""A form or report applied for is compared with the forms the district already keeps
(registry ReportForms, read through registry.selectors.report_forms_in)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from admission import services
from admission.models import AdmissionRequest
from admission.testing import admitted_form_item
from admission.tests.conftest import application
from core.models import AuditEvent
from core.testing import PASSWORD
from registry import services as registry

pytestmark = pytest.mark.django_db


def dept(d, code):
    return next(x for x in d.departments if x.short_code == code)


@pytest.fixture
def forms(d, officer, coordinator):
    """Two registered forms: 民政局's visits form and 城管局's shop form; one stopped form."""
    visits = registry.report_register(
        actor=officer, department=dept(d, "mz"), item=admitted_form_item(dept(d, "mz")),
        name="高龄老人走访表",
        field_keys=["name", "id_number", "phone", "elderly_allowance"], new_columns=["走访日期"],
    )  # fmt: skip
    shops = registry.report_register(
        actor=coordinator, department=dept(d, "cg"), item=admitted_form_item(dept(d, "cg")),
        name="沿街商户登记表",
        field_keys=["phone"], new_columns=["商户名称", "经营地址"],
    )  # fmt: skip
    stopped = registry.report_register(
        actor=coordinator, department=dept(d, "cg"), item=admitted_form_item(dept(d, "cg")),
        name="旧版门店统计表",
        field_keys=[], new_columns=["门店面积"],
    )  # fmt: skip
    registry.report_set_status(actor=coordinator, report=stopped, status="stopped", note="已停用")
    return visits, shops


def form_application(d, officer, fields, **overrides):
    return application(
        d, officer, kind="form", title="困难群众季度摸排表", form_fields=fields, **overrides
    )


def test_fields_held_by_kept_forms_are_flagged_with_form_and_department(d, officer, forms):
    visits, shops = forms
    request = services.request_submit(
        **form_application(
            # aliases and full-width spaces still match; "门店面积" is only on a stopped form
            d,
            officer,
            "老人姓名\n身份证号码、手机号，经营地址\n 困难类型 \n门店面积",
        )
    )
    assert request.status == "under_review"
    assert request.form_fields == [
        "老人姓名",
        "身份证号码",
        "手机号",
        "经营地址",
        "困难类型",
        "门店面积",
    ]
    overlaps = [f for f in request.findings if f["kind"] == "form_overlap"]
    assert [(f["ref"], f["form"], f["department"], f["fields"]) for f in overlaps] == [
        (visits.pk, "高龄老人走访表", "民政局", ["老人姓名", "身份证号码", "手机号"]),
        (shops.pk, "沿街商户登记表", "城管局", ["手机号", "经营地址"]),
    ]
    assert "城管局" in overlaps[1]["message"] and "经营地址" in overlaps[1]["message"]
    event = AuditEvent.objects.filter(action="admission.request_submit").latest("pk")
    assert any("高龄老人走访表" in m for m in event.changes["findings"])


def test_new_fields_only_are_not_flagged(d, officer, forms):
    request = services.request_submit(**form_application(d, officer, ["困难类型", "帮扶措施"]))
    assert request.status == "under_review" and request.findings == []


def test_a_form_without_fields_is_incomplete_until_amended(d, officer, forms):
    request = services.request_submit(**form_application(d, officer, ""))
    assert request.status == "incomplete"
    assert any("报表字段" in f["message"] for f in request.findings)
    amended = services.request_amend(
        actor=officer, request=request, legal_basis=request.legal_basis, cited_entry=None,
        funding_fen=request.funding_fen, form_fields="姓名、帮扶措施",
    )  # fmt: skip
    assert amended.status == "under_review" and amended.form_fields == ["姓名", "帮扶措施"]
    [overlap] = amended.findings
    assert overlap["kind"] == "form_overlap" and overlap["fields"] == ["姓名"]


def test_work_items_need_no_fields(d, officer, forms):
    request = services.request_submit(**application(d, officer))
    assert request.status == "under_review" and request.form_fields == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ("字" * 41, "过长"),
        ([f"栏目{i}" for i in range(201)], "最多200个"),
    ],
)
def test_bad_field_lists_write_nothing(d, officer, forms, fields, message):
    before = (AdmissionRequest.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError, match=message):
        services.request_submit(**form_application(d, officer, fields))
    assert (AdmissionRequest.objects.count(), AuditEvent.objects.count()) == before


def test_the_reviewer_sees_the_overlap_on_the_page(client, d, officer, coordinator, forms):
    request = services.request_submit(**form_application(d, officer, "姓名、走访日期、困难类型"))
    assert client.login(username=d.logins["coordinator:own"], password=PASSWORD)
    page = client.get(reverse("admission:request_detail", args=[request.pk])).content.decode()
    assert 'data-finding="form_overlap"' in page and "高龄老人走访表" in page
    assert "姓名、走访日期" in page and "困难类型" in page
