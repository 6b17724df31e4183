"""Every form through admission (issue #13 item 2): a report form communities must fill stands
on an admitted item of kind form; forms registered before the gate are admitted or stopped by
the district's coordinator in the forms ledger."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from admission import services as admission
from admission.models import AdmittedForm
from admission.testing import admitted_form_item
from admission.tests.conftest import application, decide
from core.models import AuditEvent
from core.tests.refused import refused
from registry import services as registry
from registry.models import LedgerEntry, ReportForm

pytestmark = pytest.mark.django_db


def counts():
    return (
        ReportForm.objects.count(),
        AdmittedForm.objects.count(),
        LedgerEntry.objects.count(),
        AuditEvent.objects.count(),
    )


def register(d, **overrides):
    values = {
        "actor": d.users["department_officer:own"], "department": d.departments[0],
        "name": "高龄老人走访表", "field_keys": ["name"], "new_columns": ["走访日期"],
    }  # fmt: skip
    values.update(overrides)
    return registry.report_register(**values)


def work_item(d):
    request = admission.request_submit(**application(d, d.users["department_officer:own"]))
    decide(d, request)
    request.refresh_from_db()
    return request.admitted_item


def test_a_form_stands_on_an_admitted_form_item(d):
    item = admitted_form_item(d.departments[0])
    report = register(d, item=item)
    link = AdmittedForm.objects.get(report=report)
    assert link.item == item and not link.after_the_fact
    event = AuditEvent.objects.filter(action="registry.report_register").latest("id")
    assert event.changes["item"] == item.number


def test_a_form_without_a_proper_item_is_refused_and_nothing_written(d):
    before = counts()
    with refused("form_not_admitted", match="须先经准入"):
        register(d)
    with refused("item_not_form", match="不是报表/台账类事项"):
        register(d, item=work_item(d))
    before = counts()
    theirs = admitted_form_item(d.departments[1])
    before = counts()
    with refused("item_other_department", match="属于城管局"):
        register(d, item=theirs)
    withdrawn = admitted_form_item(d.departments[0], title="已退出的报表")
    admission.item_withdraw(actor=d.users["coordinator:own"], item=withdrawn, reasons="合并")
    ours = admitted_form_item(d.departments[0])
    before = counts()
    with refused("item_not_usable"):
        register(d, item=withdrawn)
    with pytest.raises(PermissionDenied):
        register(d, actor=d.users["street_officer:own"], item=ours)
    assert counts() == before


def test_the_one_table_report_still_refuses_fields_the_registry_holds(d):
    item = admitted_form_item(d.departments[0])
    before = counts()
    with refused("field_held", match="身份证号"):
        register(d, item=item, new_columns=["身份证号"])
    assert counts() == before


def legacy_form(d, name="旧版走访表"):
    """A form registered before the gate, as the data migration of an existing district leaves
    it: a kept report with no admission (made the old way: the row and its ledger line)."""
    report = ReportForm.objects.create(
        district=d.district, department=d.departments[0], name=name,
        created_by=d.users["department_officer:own"],
    )  # fmt: skip
    LedgerEntry.objects.create(
        report=report, action="registered", actor=d.users["department_officer:own"]
    )
    return report


def test_the_coordinator_admits_or_stops_each_form_registered_before_the_gate(client, d):
    coordinator = d.users["coordinator:own"]
    old, older = legacy_form(d), legacy_form(d, "旧版花名册")
    client.force_login(coordinator)
    page = client.get(reverse("registry:ledger")).content.decode()
    assert "未经准入" in page and "<dd data-unadmitted>2</dd>" in page
    before = counts()
    # Keeping it needs an admitted form item of its department.
    with refused("form_not_admitted"):
        registry.report_set_status(actor=coordinator, report=old, status="kept")
    assert counts() == before
    theirs, item = admitted_form_item(d.departments[1]), admitted_form_item(d.departments[0])
    before = counts()
    with refused("item_other_department"):
        registry.report_set_status(actor=coordinator, report=old, status="kept", item=theirs)
    with pytest.raises(PermissionDenied):
        registry.report_set_status(
            actor=d.users["department_officer:own"], report=old, status="kept", item=item
        )
    assert counts() == before
    response = client.post(
        reverse("registry:ledger"),
        {"report": old.pk, "status": "kept", "item": item.pk, "note": ""},
    )
    assert response.status_code == 302
    link = AdmittedForm.objects.get(report=old)
    assert link.item == item and link.after_the_fact
    assert old.ledger.latest("id").note == f"经准入事项{item.number}保留"
    # The other is stopped, with a reason, and needs no item.
    registry.report_set_status(actor=coordinator, report=older, status="stopped", note="重复")
    older.refresh_from_db()
    assert older.status == "stopped" and not AdmittedForm.objects.filter(report=older).exists()
    page = client.get(reverse("registry:ledger")).content.decode()
    assert item.number in page and "（补办准入）" in page
    # Keeping an admitted form again asks for nothing more.
    registry.report_set_status(actor=coordinator, report=old, status="kept")
    assert AdmittedForm.objects.filter(report=old).count() == 1
