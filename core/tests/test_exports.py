"""Formula injection: every cell an export writes goes through core.exports (one place).

Real files: written with SafeWorkbook / csv_writer, read back with openpyxl / csv. The last
tests read the source of every module and fail if one writes a spreadsheet or CSV itself.
"""

import csv
import datetime
import decimal
import io
import os
import re
import unicodedata
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from core import audit, services
from core.exports import SafeWorkbook, csv_writer, safe_cell, sheet_title, starts_like_formula
from core.testing import PASSWORD, build_small_district

# What users type (and Chinese input methods produce) to start a formula.
PAYLOADS = [
    '=HYPERLINK("http://x","y")',
    "＝1+1",
    "+1+2",
    "-1+2",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    " =1+1",
    "\u3000＝1+1",
    "＋1+2",
    "－1+2",
    "＠SUM(A1)",
    "﹦1+1",
    "-2+3+cmd|' /C calc'!A0",
]
# As read back from an .xlsx: XML reads a carriage return as a line feed.
XLSX_PAYLOADS = ["'" + p.replace("\r", "\n") for p in PAYLOADS]
TRIGGERS = frozenset("=+-@\t\r")
PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")
NUMBERS = [0, 7, -12, -12.5, 3.25, decimal.Decimal("-0.50"), True]


def inert(text) -> bool:
    """Neither the text nor its NFKC form starts with a trigger, even after leading spaces."""
    for form in (text, unicodedata.normalize("NFKC", text)):
        if form[:1] in TRIGGERS or form.lstrip()[:1] in TRIGGERS:
            return False
    return True


def test_safe_cell_prefixes_formula_text_and_keeps_the_rest():
    for payload in PAYLOADS:
        assert safe_cell(payload) == "'" + payload, payload
    for text in ["张三", "钞库街社区", "", "'=quoted already", "a=b", "1+1", "—", "#N/A"]:
        assert safe_cell(text) == text
    for value in [*NUMBERS, None, datetime.date(2026, 1, 2), datetime.datetime(2026, 1, 2, 3, 4)]:
        assert safe_cell(value) is value
    # A text that is only a number is no formula in any spreadsheet: kept as written.
    for text in ["-12.5", "+1", "-1", "42"]:
        assert safe_cell(text) == text
    # Not text, not a number: written as its text, neutralised like any other.
    assert safe_cell({"name": "x"}) == "{'name': 'x'}"
    assert safe_cell(["=1"]) == "['=1']"


FORMULA_STARTS = st.sampled_from([
    "=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠", "﹦", "﹢", "﹣", "﹫", "⁼", "₌",
    "⁺", "⁻", " =", "\u3000=", "\u00a0+", "=\u0338", "⩵", "\u00a8=", "\u0301", "\u2028@",
])  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(st.one_of(st.text(), st.builds(str.__add__, FORMULA_STARTS, st.text())))
def test_no_safe_cell_output_starts_a_formula(text):
    out = safe_cell(text)
    text = ILLEGAL_CHARACTERS_RE.sub("", text)  # control characters cannot be in a workbook
    assert out in (text, "'" + text)  # nothing else lost: at most an apostrophe in front
    assert safe_cell(out) == out  # neutralising twice changes nothing
    if out == text and PLAIN_NUMBER.fullmatch(text):
        return  # a plain number such as -12.5
    assert inert(out), repr(out)
    assert not starts_like_formula(out)


def test_every_first_character_is_judged_as_the_normalised_text_would_be():
    """starts_like_formula decides most texts from their first character alone: for every code
    point, followed by a formula, it answers as the full check on the normalised text does."""
    wrong = [
        hex(code)
        for code in range(0x110000)
        if not 0xD800 <= code <= 0xDFFF
        and starts_like_formula(chr(code) + "=1") == inert(chr(code) + "=1")
    ]
    assert not wrong


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.integers(),
        st.floats(allow_nan=False),
        st.decimals(allow_nan=False, allow_infinity=False),
        st.dates(),
        st.datetimes(),
        st.none(),
    )
)
def test_numbers_dates_and_empty_cells_are_untouched(value):
    assert safe_cell(value) is value


def _sheet_xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "".join(
            archive.read(n).decode()
            for n in archive.namelist()
            if n.startswith("xl/worksheets/sheet")
        )


def _check_book(content: bytes, numbers_at: list[str]):
    assert "<f>" not in _sheet_xml(content) and "<f " not in _sheet_xml(content)
    book = openpyxl.load_workbook(io.BytesIO(content))
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", (cell.coordinate, cell.value)
                    assert inert(cell.value) or PLAIN_NUMBER.fullmatch(cell.value)
                    texts.append(cell.value)
    sheet = book.worksheets[0]
    for coordinate in numbers_at:
        assert sheet[coordinate].data_type == "n", coordinate
    return book, texts


def test_safe_workbook_neutralises_every_way_a_cell_is_written():
    book = SafeWorkbook()
    sheet = book.active
    sheet.append(["标题", *PAYLOADS])
    sheet.append(NUMBERS)
    sheet.cell(row=3, column=1, value='=HYPERLINK("http://x","y")')
    sheet["B3"] = "＝1+1"
    sheet["C3"] = "#N/A"  # openpyxl alone writes this as an error value
    sheet.merge_cells("D3:E3")
    other = book.create_sheet("第二页")
    other.append(["@SUM(A1)", -12.5])
    out = io.BytesIO()
    book.save(out)
    book.save(io.BytesIO())  # saving twice does not prefix twice
    _book, texts = _check_book(out.getvalue(), numbers_at=["A2", "B2", "D2", "E2", "F2"])
    read = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    first = read.worksheets[0]
    assert [c.value for c in first[1]][1:] == XLSX_PAYLOADS
    assert first["A3"].value == """'=HYPERLINK("http://x","y")""" and first["B3"].value == "'＝1+1"
    assert first["C3"].value == "#N/A" and first["C3"].data_type == "s"
    assert [c.value for c in first[2]][:4] == [0, 7, -12, -12.5]
    assert read["第二页"]["A1"].value == "'@SUM(A1)" and read["第二页"]["B1"].value == -12.5
    assert "张三" not in texts


@pytest.mark.parametrize("write_only", [False, True])
def test_control_characters_typed_by_users_do_not_break_a_workbook(write_only):
    # openpyxl refuses a cell holding \x00-\x08, \x0b, \x0c or \x0e-\x1f, and the whole export
    # with it (a 500): they are dropped, the rest of the text kept.
    book = SafeWorkbook(write_only=write_only)
    sheet = book.create_sheet("备注") if write_only else book.active
    sheet.append(["张\x00三\x07", "\x01=1+1", 3])
    if not write_only:
        sheet.cell(row=2, column=1, value="李\x1b四")
        sheet["B2"] = "\x0b王五"
    out = io.BytesIO()
    book.save(out)
    read = openpyxl.load_workbook(io.BytesIO(out.getvalue())).worksheets[0]
    assert [c.value for c in read[1]] == ["张三", "'=1+1", 3]
    if not write_only:
        assert [c.value for c in read[2]][:2] == ["李四", "王五"]
    assert safe_cell("a\x00b") == "ab"


def test_write_only_safe_workbook_neutralises_appended_rows():
    book = SafeWorkbook(write_only=True)
    sheet = book.create_sheet("检查结果")
    sheet.append(["行号", *PAYLOADS])
    sheet.append([12, -12.5, None, "#DIV/0!", "正常"])
    styled = WriteOnlyCell(sheet, value="=1+1")
    sheet.append([styled, "-1+2"])
    sheet.append(value for value in ["@SUM(A1)", 5])  # a generator, as openpyxl allows
    out = io.BytesIO()
    book.save(out)
    _check_book(out.getvalue(), numbers_at=["A2", "B2"])
    read = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
    assert [c.value for c in read[1]][1:] == XLSX_PAYLOADS
    assert read["D2"].value == "#DIV/0!" and read["D2"].data_type == "s"
    assert read["A3"].value == "'=1+1" and read["B3"].value == "'-1+2"
    assert read["A4"].value == "'@SUM(A1)" and read["B4"].value == 5


def test_sheet_titles_from_typed_names_are_accepted():
    book = SafeWorkbook()
    for name in ['=HYPERLINK("http://x","y")', "'高龄/独居[2026]?'", "  ", "表" * 40, "a:b\\c*"]:
        title = sheet_title(name)
        book.active.title = title  # openpyxl raises on a title Excel would refuse
        assert 0 < len(title) <= 31 and not title.startswith("'") and not title.endswith("'")
    assert sheet_title("独居老人关爱表") == "独居老人关爱表"


def test_csv_writer_neutralises_every_cell():
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(["列", *PAYLOADS])
    writer.writerows([NUMBERS, ["张三", None, "-12.5"]])
    rows = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert rows[0][1:] == ["'" + p for p in PAYLOADS]
    assert rows[1] == ["0", "7", "-12", "-12.5", "3.25", "-0.50", "True"]
    assert rows[2] == ["张三", "", "-12.5"]
    for row in rows:
        for value in row:
            assert inert(value) or PLAIN_NUMBER.fullmatch(value), value


# ---------------------------------------------------------------- one place


ROOT = Path(__file__).resolve().parents[2]
HELPER = ROOT / "core" / "exports.py"
SKIPPED_PARTS = {"venv", "node_modules", "static", "tests", "bench", "migrations", "__pycache__"}
# Writing a spreadsheet or CSV without core.exports (the workbook may be SafeWorkbook only).
FORBIDDEN = re.compile(
    r"(?<![\w])Workbook\s*\("
    r"|\bopenpyxl\s*\.\s*Workbook\b"
    r"|\bfrom\s+openpyxl[\w.]*\s+import\b[^\n]*\b(?:Workbook|WriteOnlyWorksheet)\b"
    r"|\bWriteOnlyWorksheet\s*\("
    r"|\bcsv\s*\.\s*(?:writer|DictWriter)\b"
    r"|\bfrom\s+csv\s+import\b[^\n]*\b(?:writer|DictWriter)\b"
    r"|\bxlsxwriter\b|\.to_excel\s*\(|\.to_csv\s*\("
)


def _app_modules() -> list[Path]:
    """Every Python module of the project outside tests, benchmarks and migrations."""
    found = []
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIPPED_PARTS and not d.startswith(".")]
        found += [
            Path(folder, name)
            for name in files
            if name.endswith(".py") and name != "conftest.py" and Path(folder, name) != HELPER
        ]
    return found


def test_the_one_place_rule_would_catch_an_export_that_forgets():
    for line in [
        "workbook = openpyxl.Workbook(write_only=True)",
        "from openpyxl import Workbook",
        "from openpyxl.workbook import Workbook",
        "book = Workbook()",
        "writer = csv.writer(_Echo())",
        "writer = csv.DictWriter(f, fieldnames)",
        "from csv import writer",
    ]:
        assert FORBIDDEN.search(line), line
    for line in [
        "book = SafeWorkbook()",
        "from core.exports import SafeWorkbook, csv_writer",
        "writer = csv_writer(_Echo())",
        "workbook = openpyxl.load_workbook(path, read_only=True)",
        "yield from csv.reader(f, dialect)",
    ]:
        assert not FORBIDDEN.search(line), line


def test_no_module_writes_a_spreadsheet_or_csv_except_through_core_exports():
    modules = _app_modules()
    names = {p.relative_to(ROOT).as_posix() for p in modules}
    # The scan sees each app's exporters (a moved tree would otherwise pass with nothing read).
    exporting = {
        name.split("/")[0] for name in names
        if "core.exports" in (ROOT / name).read_text(encoding="utf-8")
    }  # fmt: skip
    assert {"core", "registry", "workload", "services"} <= exporting, exporting
    offenders = []
    for path in modules:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if FORBIDDEN.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, (
        "Write spreadsheets with core.exports.SafeWorkbook and CSV with core.exports.csv_writer, "
        "so no cell a user typed comes back as a formula:\n" + "\n".join(offenders)
    )


# ---------------------------------------------------------------- the audit log's CSV


@pytest.mark.django_db
def test_audit_csv_writes_typed_names_and_purposes_as_inert_text(client):
    d = build_small_district()
    coordinator, department = d.users["coordinator:own"], d.departments[1]
    typed = ['=HYPERLINK("http://x","y")', "＝1+1", "+1+2", "-1+2", "@SUM(A1)", "\t=1"]
    for name in typed:
        services.department_update(
            actor=coordinator, department=department, name=name, is_active=True
        )
    with transaction.atomic():  # a purpose as a reader types it when viewing an ID number
        audit.record(
            actor=coordinator, action="person.reveal", obj=department, place=d.district,
            purpose='=HYPERLINK("http://x","y")', changes={"note": "-12.5"},
        )  # fmt: skip
    assert client.login(username=d.logins["admin:own"], password=PASSWORD)
    response = client.get(reverse("audit_export"))
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:3] == ["时间", "操作人", "操作"]
    for row in rows:
        for value in row:
            assert inert(value), (row, value)
    renamed = {row[3] for row in rows if row[2] == "department.update"}
    # core.validation.clean_name folds the tab into nothing: "\t=1" is stored as "=1".
    assert {"'" + " ".join(n.split()) for n in typed} <= renamed
    reveal = next(row for row in rows if row[2] == "person.reveal")
    assert reveal[6] == """'=HYPERLINK("http://x","y")"""
