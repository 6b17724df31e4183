"""The shared registry in a browser: a department imports its roster with some bad rows, reads
the row-by-row error report, fixes the file and commits it whole; then registers a one-table
report that fills itself, and a community worker fills the only missing cells on a phone.

The background worker's part (checking and committing a batch) is played by calling the same
task functions the worker runs, while the page polls for progress as it would in production.
"""

import time

import openpyxl
import pytest

from admission.testing import admitted_form_item
from core import personal_data
from core.testing import PASSWORD
from registry import progress, tasks
from registry.models import Fact, ImportBatch, ReportForm
from registry.testing import DATA, build_sample_district, fixed_roster
from tests.browser.conftest import PHONE, log_in, screenshots, submit

shot = screenshots()


@pytest.fixture
def district(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_sample_district()


def upload(page, d, path):
    page.goto("/registry/imports/")
    page.select_option("#id_department", str(d.departments[0].pk))
    page.fill("#id_source_name", "高龄津贴发放名册")
    page.set_input_files("#id_file", str(path))
    page.click("button.primary")
    page.wait_for_url("**/registry/imports/*/")
    batch = ImportBatch.objects.latest("pk")
    assert page.locator("#batch-state").inner_text() in ("排队中", "检查中", "已检查")
    tasks.check_import.call(batch_id=batch.pk)  # the worker
    # The page polls every 2 s and reloads itself when the check is done.
    page.wait_for_function("() => document.querySelector('#batch-state').innerText === '已检查'")
    return batch


def test_import_fix_commit_then_report_fills_itself(district, new_page, tmp_path):
    d = district
    page = new_page()
    log_in(page, d.logins["department_officer:own"], PASSWORD)
    batch = upload(page, d, DATA / "civil_affairs_allowance.xlsx")
    page.wait_for_selector("#bad-rows")
    assert page.locator("#rows-bad").inner_text() == "3"
    table = page.locator("#bad-rows").inner_text()
    assert "第58行" in table and "校验位" in table and "不存在社区" in table
    assert "整批导入" in page.content()
    shot(page, "registry-import-errors")
    with page.expect_download() as download:
        page.click("text=下载逐行检查结果（Excel）")
    report_path = tmp_path / "errors.xlsx"
    download.value.save_as(report_path)
    rows = list(openpyxl.load_workbook(report_path).active.iter_rows(values_only=True))
    assert sum(1 for r in rows[1:] if r[1] == "有错误") == 3
    assert not Fact.objects.exists()  # the dry run wrote nothing

    # The department fixes its file and uploads it again.
    batch = upload(page, d, fixed_roster(tmp_path))
    assert page.locator("#rows-bad").inner_text() == "0"
    submit(page, "text=确认导入")
    # The worker has written 14 of the 56 rows in two minutes: the polling page says how long
    # the rest will take at that pace.
    progress.step_started(batch.pk, at=time.time() - 120)
    progress.set_done(batch.pk, 14)
    page.wait_for_selector("text=约还需6分钟")
    assert "已写入14行，共56行" in page.locator("#batch-progress").inner_text()
    shot(page, "registry-import-committing")
    tasks.commit_import.call(batch_id=batch.pk, actor_id=d.users["department_officer:own"].pk)
    # The polling page sees the commit finish and reloads itself with the result.
    page.wait_for_selector("text=新增人员")
    shot(page, "registry-import-committed")
    assert personal_data.find_by_id_number("320104192805271137").name == "杨磊强"

    # A report is registered; a column the registry holds is refused, saying who holds it.
    # Every form through admission: it is registered under the department's admitted form item.
    item = admitted_form_item(district.departments[0], title="高龄老人走访表")
    page.goto("/registry/reports/")
    page.select_option("#id_item", str(item.pk))
    page.fill("#id_name", "高龄老人走访表")
    for label in (
        "姓名（公安分局）",
        "公民身份号码（公安分局）",
        "高龄津贴标准（民政局）",
        "独居（社区采集）",
    ):
        page.get_by_label(label, exact=True).check()
    page.fill("#id_new_columns", "身份证号\n走访日期")
    page.get_by_label("老年人（60岁以上）", exact=True).check()
    page.fill("#id_min_age", "90")
    submit(page, "button.primary")
    assert "已由公安分局掌握" in page.locator(".form-errors").inner_text()
    page.fill("#id_new_columns", "走访日期")
    page.click("button.primary")
    page.wait_for_url("**/registry/reports/*/")
    report = ReportForm.objects.get(name="高龄老人走访表")
    table = page.locator("#report-table").inner_text()
    assert "杨磊强" in table and "200.00" in table and "320104********1137" in table
    shot(page, "registry-report-filled")

    # A community worker, on a phone, fills only the missing cells of their community.
    worker = new_page(viewport=PHONE)
    log_in(worker, d.logins["chaoku_worker"], PASSWORD)
    worker.goto(f"/registry/reports/{report.pk}/?missing=1")
    person = personal_data.find_by_id_number("320104192805271137")
    key = report.columns.last().field.key
    worker.fill(f"input[name='cell-{person.pk}-{key}']", "2026-11-26")
    shot(worker, "registry-report-fill-phone")
    worker.click("text=保存补填内容")
    worker.wait_for_selector(".msg-success")
    assert Fact.objects.get(person=person, field__key=key, is_current=True).value == "2026-11-26"
    page.reload()
    assert "2026-11-26" in page.locator("#report-table").inner_text()
