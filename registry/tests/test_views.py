"""The registry's pages, as each role sees them, on good and bad input (never a 500)."""

import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from admission.testing import admitted_form_item
from core import personal_data
from core.models import AuditEvent, Place
from registry import services, tasks
from registry.models import Fact, ImportBatch, ReportForm, SharingGrant
from registry.testing import DATA


def dept(d, code):
    return next(x for x in d.departments if x.short_code == code)


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


PAGES = ["home", "residents", "imports", "conflicts", "fields", "reports", "ledger", "sharing",
         "organisations", "my_data"]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who", ["department_officer:own", "ga_officer", "chaoku_worker", "coordinator:own",
            "admin:own", "grid_worker:own", "auditor:own", "resident:own"],
)  # fmt: skip
def test_every_page_answers_every_role(filled, as_user, who):
    client = as_user(filled.users[who])
    for name in PAGES:
        response = client.get(reverse(f"registry:{name}"))
        assert response.status_code == 200, (who, name, response.status_code)


@pytest.mark.django_db
def test_residents_page_is_scoped_and_masked(filled, as_user):
    client = as_user(filled.users["chaoku_worker"])
    page = client.get(reverse("registry:residents")).content.decode()
    assert "周芳平" in page  # a 钞库街社区 resident from the police file
    assert "320103193103107496" not in page and "320103********7496" in page
    assert "罗静洋" not in page  # 宏运社区: another community
    other = as_user(filled.users["community_worker:own"]).get(reverse("registry:residents"))
    assert "周芳平" not in other.content.decode()
    person = personal_data.find_by_id_number("320103193103107496")
    client = as_user(filled.users["chaoku_worker"])
    assert client.get(reverse("registry:person", args=[person.pk])).status_code == 200
    outsider = as_user(filled.users["community_worker:own"])
    assert outsider.get(reverse("registry:person", args=[person.pk])).status_code == 404


@pytest.mark.django_db
def test_upload_check_and_commit_through_the_pages(filled, as_user):
    officer = filled.users["department_officer:own"]
    client = as_user(officer)
    rows = "姓名,公民身份号码,所属社区,备注\r\n新老人,320104193001010016,钞库街社区,独居\r\n坏行,12345,钞库街社区,\r\n"
    response = client.post(
        reverse("registry:imports"),
        {"department": dept(filled, "mz").pk, "source_name": "走访名单",
         "file": SimpleUploadedFile("list.csv", rows.encode("gbk"))},
    )  # fmt: skip
    assert response.status_code == 302
    batch = ImportBatch.objects.latest("pk")
    tasks.check_import.call(batch_id=batch.pk)
    page = client.get(reverse("registry:batch", args=[batch.pk])).content.decode()
    assert "第3行" in page and "身份证号应为18位" in page and "有1行错误" in page
    partial = client.get(reverse("registry:batch", args=[batch.pk]), HTTP_HX_REQUEST="true")
    assert b"batch-status" in partial.content and b"<html" not in partial.content
    report = client.get(reverse("registry:batch_report", args=[batch.pk]))
    assert report["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(report.content)).active
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == [2, 3]
    response = client.post(reverse("registry:batch", args=[batch.pk]), {"action": "commit"})
    assert response.status_code == 200 and "有1行错误" in response.content.decode()
    assert not Fact.objects.filter(batch=batch).exists()
    # A wrong file type is refused on the form.
    response = client.post(
        reverse("registry:imports"),
        {"department": dept(filled, "mz").pk, "source_name": "走访名单",
         "file": SimpleUploadedFile("photo.png", b"\x89PNG")},
    )  # fmt: skip
    assert response.status_code == 200 and "只支持" in response.content.decode()
    # A community worker cannot see the department's batch.
    worker = as_user(filled.users["chaoku_worker"])
    assert worker.get(reverse("registry:batch", args=[batch.pk])).status_code == 404


@pytest.mark.django_db
def test_mapping_form_saves_and_rechecks(filled, as_user):
    client = as_user(filled.users["department_officer:own"])
    rows = "姓名,证件号,所属社区\r\n某某,320104193001010016,钞库街社区\r\n"
    client.post(
        reverse("registry:imports"),
        {"department": dept(filled, "mz").pk, "source_name": "奇怪的表",
         "file": SimpleUploadedFile("odd.csv", rows.encode())},
    )  # fmt: skip
    batch = ImportBatch.objects.latest("pk")
    tasks.check_import.call(batch_id=batch.pk)
    batch.refresh_from_db()
    titles = [h["title"] for h in batch.headers]
    data = {"action": "mapping"}
    for i, title in enumerate(titles):
        data[f"map-{i}"] = {"姓名": "name", "证件号": "id_number", "所属社区": "community"}[title]
    response = client.post(reverse("registry:batch", args=[batch.pk]), data)
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == "queued" and batch.source.mapping["证件号"] == "id_number"
    tasks.check_import.call(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.rows_ok == 1


@pytest.mark.django_db
def test_register_report_fill_and_export_through_the_pages(filled, as_user):
    officer = as_user(filled.users["department_officer:own"])
    form = {
        "department": dept(filled, "mz").pk, "name": "独居老人关爱表",
        "fields": ["name", "id_number", "elderly_allowance"], "tags": ["living_alone"],
    }  # fmt: skip
    # Every form through admission: without an admitted form item it is refused, in words.
    response = officer.post(reverse("registry:reports"), {**form, "new_columns": "关爱人"})
    assert response.status_code == 200 and "须先经准入" in response.content.decode()
    item = admitted_form_item(dept(filled, "mz"))
    form["item"] = item.pk
    page = officer.get(reverse("registry:reports")).content.decode()
    assert item.number in page
    response = officer.post(reverse("registry:reports"), {**form, "new_columns": "身份证号"})
    assert response.status_code == 200 and "已由公安分局掌握" in response.content.decode()
    response = officer.post(reverse("registry:reports"), {**form, "new_columns": "关爱人\n"})
    assert response.status_code == 302
    report = ReportForm.objects.get(name="独居老人关爱表")
    page = officer.get(reverse("registry:report", args=[report.pk])).content.decode()
    assert "张娜平" in page and "200.00" in page
    chaoku = Place.objects.get(name="钞库街社区", district=filled.district)
    worker = as_user(filled.users["chaoku_worker"])
    page = worker.get(reverse("registry:report", args=[report.pk]) + f"?community={chaoku.pk}")
    text = page.content.decode()
    assert "张娜平" in text and "何艳涛" not in text  # 何艳涛 lives in 龙门东社区
    alone = personal_data.find_by_id_number("320102193611037600")
    key = report.columns.last().field.key
    response = worker.post(
        reverse("registry:report", args=[report.pk]) + f"?community={chaoku.pk}",
        {f"cell-{alone.pk}-{key}": "王社工"},
    )
    assert response.status_code == 302
    assert Fact.objects.get(person=alone, field__key=key, is_current=True).value == "王社工"
    said = worker.get(response["Location"]).content.decode()  # what was done and what remains
    assert "已补填1项，报表已更新；其余待补项仍在下方。" in said
    export = officer.get(reverse("registry:report_export", args=[report.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    assert sheet["A1"].value == "独居老人关爱表"
    assert sheet.cell(row=3, column=3).value == "姓名"
    names = [r[2] for r in sheet.iter_rows(min_row=4, values_only=True)]
    assert "张娜平" in names and names[-1] is None  # the 合计 row closes the table
    assert "320102********7600" in [c for r in sheet.iter_rows(values_only=True) for c in r]


@pytest.mark.django_db
def test_ledger_and_sharing_pages(filled, as_user):
    report = services.report_register(
        actor=filled.users["department_officer:own"], department=dept(filled, "mz"),
        item=admitted_form_item(dept(filled, "mz")), name="旧表", field_keys=["name"],
    )  # fmt: skip
    coordinator = as_user(filled.users["coordinator:own"])
    response = coordinator.post(
        reverse("registry:ledger"), {"report": report.pk, "status": "stopped"}
    )
    assert "理由" in response.content.decode()
    coordinator.post(
        reverse("registry:ledger"), {"report": report.pk, "status": "stopped", "note": "数据已共享"}
    )
    report.refresh_from_db()
    assert report.status == "stopped"
    response = coordinator.post(
        reverse("registry:sharing"),
        {"action": "grant", "department": dept(filled, "mz").pk, "purpose": "高龄津贴核对",
         "fields": ["name", "elderly_allowance"]},
    )  # fmt: skip
    assert response.status_code == 302
    grant = SharingGrant.objects.latest("pk")
    officer = as_user(filled.users["department_officer:own"])
    page = officer.get(
        reverse("registry:shared_view", args=[grant.pk]) + "?q=张娜平"
    ).content.decode()
    assert "张娜平" in page and "200.00" in page and "320102" not in page
    assert AuditEvent.objects.filter(action="registry.shared_read", purpose="高龄津贴核对").exists()
    ga = as_user(filled.users["ga_officer"])
    assert ga.get(reverse("registry:shared_view", args=[grant.pk])).status_code == 403
    # The resident sees the read on their own page.
    alone = personal_data.find_by_id_number("320102193611037600")
    account = get_user_model().objects.create_user(
        username="zhangnaping", password="Linli-test-2026"
    )
    alone.account = account
    alone.save(update_fields=["account"])
    mine = as_user(account).get(reverse("registry:my_data")).content.decode()
    assert "高龄津贴核对" in mine and "民政局" in mine and "独居" in mine


@pytest.mark.django_db
def test_conflict_page_settles(filled, as_user):
    alone = personal_data.find_by_id_number("320102193611037600")
    _outcome, _fact, conflict = services.fact_record(
        actor=filled.users["ga_officer"], person=alone, key="living_alone", raw="否",
        source=dept(filled, "ga"),
    )  # fmt: skip
    worker = as_user(filled.users["chaoku_worker"])
    page = worker.get(reverse("registry:conflicts")).content.decode()
    assert "张娜平" in page
    services.report_register(
        actor=filled.users["department_officer:own"], department=dept(filled, "mz"),
        item=admitted_form_item(dept(filled, "mz")), name="走访表", field_keys=["name"],
        new_columns=["走访人"],
    )  # fmt: skip
    bench = worker.get(reverse("workbench")).content.decode()
    assert "数据冲突待核定" in bench and "一表通：补填缺项" in bench and "走访表" in bench
    response = worker.post(reverse("registry:conflicts"), {"conflict": conflict.pk})
    assert "请选择" in response.content.decode()
    response = worker.post(
        reverse("registry:conflicts"), {"conflict": conflict.pk, "keep": "shown"}
    )
    assert response.status_code == 302
    conflict.refresh_from_db()
    assert conflict.status == "settled"
    officer = as_user(filled.users["department_officer:own"])
    assert (
        officer.post(
            reverse("registry:conflicts"), {"conflict": conflict.pk, "keep": "shown"}
        ).status_code
        == 404
    )


@pytest.mark.django_db
def test_fields_page_owner_change_only_for_leads(filled, as_user):
    from registry.models import Field

    field = Field.objects.get(district=filled.district, key="phone")
    officer = as_user(filled.users["department_officer:own"])
    page = officer.get(reverse("registry:fields")).content.decode()
    assert '<select name="owner"' not in page
    officer.post(reverse("registry:fields"), {"field": field.pk, "owner": dept(filled, "mz").pk})
    field.refresh_from_db()
    assert field.owner is None
    coordinator = as_user(filled.users["coordinator:own"])
    coordinator.post(
        reverse("registry:fields"), {"field": field.pk, "owner": dept(filled, "mz").pk}
    )
    field.refresh_from_db()
    assert field.owner == dept(filled, "mz")


@pytest.mark.django_db
def test_organisation_page(filled, as_user):
    chaoku = Place.objects.get(name="钞库街社区", district=filled.district)
    worker = as_user(filled.users["chaoku_worker"])
    response = worker.post(
        reverse("registry:organisations"),
        {"community": chaoku.pk, "name": "社区食堂", "uscc_code": "123"},
    )
    assert "统一社会信用代码" in response.content.decode()
    response = worker.post(
        reverse("registry:organisations"),
        {"community": chaoku.pk, "name": "社区食堂", "uscc_code": "91320104MA1N2B3C4R"},
    )
    assert response.status_code == 302


def test_sample_files_are_in_the_project():
    assert (DATA / "civil_affairs_allowance.xlsx").exists() and (
        DATA / "police_population_gbk.csv"
    ).exists()
