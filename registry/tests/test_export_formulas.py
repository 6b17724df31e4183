"""Formula injection through the registry: the import refuses a formula however its = is
written (＝, after a tab), and what people type comes back from the dry-run error report and the
one-table report export as inert text, never as a formula. Real files, read back with openpyxl."""

import csv
import io
import unicodedata

import openpyxl
import pytest
from django.urls import reverse
from stdnum.cn import ric

from admission.testing import admitted_form_item
from core import personal_data
from registry import importer, services
from registry.models import ImportBatch, ReportForm
from registry.tests.test_import import checked, commit

TRIGGERS = frozenset("=+-@\t\r")
HEADER = ["姓名", "公民身份号码", "所属社区", "民族", "现住地址", "人员类别"]
FORMULAS = ['=HYPERLINK("http://x","y")', "＝1+1", "\t=1", "\u3000＝SUM(A1:A2)"]
TEXTS = ["+1", "-1+2", "@SUM(A1)", "＋1+2"]


def id_number(n: int) -> str:
    body = f"32010419500101{n:03d}"
    return body + ric.calc_check_digit(body + "0")


def inert(value: str) -> bool:
    normal = unicodedata.normalize("NFKC", value)
    return all(f[:1] not in TRIGGERS and f.lstrip()[:1] not in TRIGGERS for f in (value, normal))


def assert_no_formula(content: bytes) -> openpyxl.Workbook:
    """Every text cell of the file is typed as text and cannot start a formula."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", (cell.coordinate, cell.value)
                    assert inert(cell.value) or cell.value == "+1", (cell.coordinate, cell.value)
    return book


def xlsx(rows) -> bytes:
    """The file a department would send (typed in Excel: "=..." is saved as a formula)."""
    book = openpyxl.Workbook()
    sheet = book.active
    for row in [HEADER, *rows]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rows_of(values, start: int):
    return [
        [f"居民{start + i}", id_number(start + i), "钞库街社区", "汉族", value, value]
        for i, value in enumerate(values)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_import_refuses_a_formula_however_its_equals_sign_is_written(world, kind):
    rows = rows_of(FORMULAS + TEXTS, start=1)
    if kind == "xlsx":
        content, name = xlsx(rows), "formulas.xlsx"
    else:  # a CSV has no formula cells: "=…" is text that would run when opened in Excel
        text = io.StringIO()
        csv.writer(text).writerows([HEADER, *[r for r in rows if "\t" not in r[4]]])
        content, name = text.getvalue().encode(), "formulas.csv"
    batch = checked(world, world.users["ga_officer"], "ga", content, name=name)
    assert batch.status == ImportBatch.Status.CHECKED, batch.message
    bad = {r.line: r.errors for r in batch.rows.filter(status="bad")}
    formulas = [v for v in FORMULAS if kind == "xlsx" or "\t" not in v]
    assert len(bad) == len(formulas)
    for errors in bad.values():
        # The full-width ＝ is refused with the same message as =, for each column holding it.
        assert len(errors) == 2 and errors[0].startswith("“现住地址”列是公式（")
        assert errors[0].endswith("请在Excel中复制后“选择性粘贴→数值”再导入")
        assert errors[1].startswith("“人员类别”列是公式（")
    plain = next(e for e in bad.values() if "=1+1" in e[0] or "＝1+1" in e[0])
    assert plain[0] == "“现住地址”列是公式（＝1+1），请在Excel中复制后“选择性粘贴→数值”再导入"
    good = batch.rows.filter(status__in=["new", "ok"]).exclude(line__in=bad)
    assert sorted(r.data["shown"]["actual_address"] for r in good) == sorted(
        unicodedata.normalize("NFKC", t) for t in TEXTS
    )


@pytest.mark.django_db
def test_dry_run_error_report_writes_typed_text_as_text(world):
    batch = checked(
        world, world.users["ga_officer"], "ga", xlsx(rows_of(FORMULAS + TEXTS, start=11)),
        name="formulas.xlsx",
    )  # fmt: skip
    book = assert_no_formula(importer.error_report(batch).getvalue())
    rows = list(book.active.iter_rows())
    header = [c.value for c in rows[0]]
    assert header[:3] == ["原文件行号", "检查结果", "错误说明"]
    address = header.index("现住地址")
    lines = [r[0] for r in rows[1:]]
    assert all(c.data_type == "n" and isinstance(c.value, int) for c in lines)  # still numbers
    shown = {r[address].value for r in rows[1:] if r[address].value}
    assert shown == {"+1", "'-1+2", "'@SUM(A1)", "'+1+2"}
    errors = [r[2].value for r in rows[1:] if r[2].value]
    assert len(errors) == len(FORMULAS) and all("公式" in e for e in errors)


@pytest.mark.django_db
def test_report_export_writes_what_communities_typed_as_text(world, client):
    ga = world.users["ga_officer"]
    batch = checked(world, ga, "ga", xlsx(rows_of(TEXTS, start=21)), name="texts.xlsx")
    assert batch.rows_bad == 0, list(batch.rows.values_list("errors", flat=True))
    commit(batch, ga)
    batch.refresh_from_db()
    assert batch.status == "committed", batch.message
    officer = world.users["department_officer:own"]
    mz = next(x for x in world.departments if x.short_code == "mz")
    report = services.report_register(
        actor=officer, department=mz, item=admitted_form_item(mz), name='=HYPERLINK("http://x","表")',
        field_keys=["name", "actual_address", "elderly_allowance"], new_columns=["关爱人"],
    )  # fmt: skip
    assert report.status == ReportForm.Status.KEPT
    key = report.columns.get(title="关爱人").field.key
    worker = world.users["chaoku_worker"]
    typed = ['=HYPERLINK("http://x","y")', "＝1+1", "\t=1", "-1+2"]
    for n, value in zip(range(21, 25), typed, strict=True):
        person = personal_data.find_by_id_number(id_number(n))
        services.report_fill(actor=worker, report=report, person=person, key=key, raw=value)
    client.force_login(officer)
    response = client.get(reverse("registry:report_export", args=[report.pk]))
    assert response.status_code == 200
    _assert_the_report_export_is_inert_text(response.content)


def _assert_the_report_export_is_inert_text(content):
    """No formula anywhere; what the report's name and the communities typed comes back as text."""
    book = assert_no_formula(content)
    sheet = book.active
    assert sheet["A1"].value == """'=HYPERLINK("http://x","表")"""  # the report's own name
    assert [c.value for c in sheet[3]][:3] == ["序号", "所属社区", "姓名"]
    body = [row for row in sheet.iter_rows(min_row=4) if isinstance(row[0].value, int)]
    ours = {row[2].value: row for row in body if str(row[2].value).startswith("居民")}
    assert len(ours) == 4
    for row in body:
        assert row[0].data_type == "n"  # 序号 stays a number
    care = {row[2].value: row[5].value for row in ours.values()}
    # Stored as typed once normalised (＝ → =, the tab dropped), written back as inert text.
    assert sorted(care.values()) == sorted(
        ["""'=HYPERLINK("http://x","y")""", "'=1+1", "'=1", "'-1+2"]
    )
    addresses = {row[3].value for row in ours.values()}
    assert addresses == {"+1", "'-1+2", "'@SUM(A1)", "'+1+2"}
