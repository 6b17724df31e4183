"""Every spreadsheet and CSV file the platform writes goes through here, so that nothing a
user typed can come back as a live formula (CSV / formula injection, OWASP).

A text that a spreadsheet would read as a formula — it starts with = + - @, a tab or a carriage
return, or with a form that Unicode normalisation (NFKC) turns into one of them, such as the
full-width ＝ ＋ － ＠ of Chinese input methods — is written with a leading apostrophe, so Excel,
WPS and LibreOffice show it as text. Real numbers, dates and empty cells are written as they
are; so is a text that is only a plain number ("-12.5"), which no spreadsheet runs as a formula.

- ``safe_cell(value)``: the neutralised value of one cell.
- ``SafeWorkbook``: an ``openpyxl.Workbook`` that neutralises every cell when it is saved (however
  the cell was written: ``append``, ``cell()``, ``sheet["A1"] = ...``) and every row appended to
  a write-only sheet; text cells are always written as text (data type ``s``), never as a formula
  or an error code. Exports write values only: a total is computed here, not as ``=SUM()``.
- ``csv_writer(file)``: ``csv.writer`` whose rows are neutralised.
- ``sheet_title(name)``: a sheet title Excel accepts from a name a user typed.

A test (core/tests/test_exports.py) fails if a module creates an ``openpyxl.Workbook`` or a
``csv.writer`` anywhere else.
"""

import csv
import datetime
import decimal
import functools
import re
import unicodedata
from collections.abc import Iterable

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

# What a spreadsheet reads as the start of a formula (OWASP), plus the line feed: some programs
# drop a leading line break and then read what follows.
FORMULA_TRIGGERS = frozenset("=+-@\t\r\n")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")
_KEPT_TYPES = (
    bool, int, float, decimal.Decimal, datetime.date, datetime.datetime, datetime.time,
    datetime.timedelta,
)  # fmt: skip


def _first_visible(text: str) -> str:
    stripped = text.lstrip()
    return stripped[:1] if stripped else text[:1]


@functools.lru_cache(maxsize=8192)
def _inert_start(char: str) -> bool:
    """True if no text starting with `char` can be read as a formula, whatever follows: it is
    neither a trigger nor whitespace, and NFKC turns it into neither (nor into nothing). What
    follows cannot change that: NFKC only composes a first character with the marks after it
    into a letter, never into = + - @. Most cells start so (a Chinese character, a letter, a
    digit), and are then written without normalising the whole text."""
    if char in FORMULA_TRIGGERS or char.isspace():
        return False
    normal = unicodedata.normalize("NFKC", char)
    return bool(normal) and normal[0] not in FORMULA_TRIGGERS and not normal[0].isspace()


def starts_like_formula(text: str) -> bool:
    """True if a spreadsheet could read `text` as a formula: its first character, or its first
    character once NFKC has made full-width forms ASCII (＝ → =), is a trigger, also after any
    leading whitespace (a full-width space included). A plain number ("-12.5") is not."""
    if not text or _inert_start(text[0]) or _PLAIN_NUMBER.fullmatch(text):
        return False
    if text[0] in FORMULA_TRIGGERS or _first_visible(text) in FORMULA_TRIGGERS:
        return True
    normal = unicodedata.normalize("NFKC", text)
    return normal[:1] in FORMULA_TRIGGERS or _first_visible(normal) in FORMULA_TRIGGERS


def safe_cell(value):
    """The value to write into a cell of an export: numbers, dates, booleans and None unchanged;
    anything else as text without control characters (an .xlsx cannot hold them: openpyxl
    refuses the whole file), with a leading apostrophe if it could be read as a formula."""
    if value is None or isinstance(value, _KEPT_TYPES):
        return value
    text = value if isinstance(value, str) else str(value)
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    return "'" + text if starts_like_formula(text) else text


def safe_row(values: Iterable) -> list:
    return [safe_cell(v) for v in values]


# ---------------------------------------------------------------- Excel

_ERROR_CODES = frozenset(ERROR_CODES)
_BAD_TITLE = re.compile(r"[\\*?:/\[\]]")


def sheet_title(name) -> str:
    """A sheet title Excel accepts, from any name a user typed (a report's name): no
    \\ * ? : / [ ], no apostrophe at either end, at most 31 characters, never empty."""
    title = _BAD_TITLE.sub("_", " ".join(str(name).split())).strip("'")[:31].strip("'")
    return title or "Sheet"


def _neutralise(cell: Cell) -> None:
    """Make one openpyxl cell safe in place: its text neutralised and typed as text (openpyxl
    would write a str starting with = as a formula, and "#N/A" as an error)."""
    value = cell.value
    if value is None or (isinstance(value, _KEPT_TYPES) and cell.data_type not in ("f", "e")):
        return
    safe = safe_cell(value if isinstance(value, str) else str(value))
    if safe != value:
        cell.value = safe
    cell.data_type = "s"


class _SafeWriteOnlyWorksheet(WriteOnlyWorksheet):
    """A write-only sheet (rows are streamed to the file as they are appended) whose appended
    rows are neutralised on the way in."""

    def append(self, row):
        values = []
        for value in row:
            if isinstance(value, Cell):
                _neutralise(value)
            elif value is not None and not isinstance(value, _KEPT_TYPES):
                value = safe_cell(value)
                if value in _ERROR_CODES:  # openpyxl would write "#N/A" as an error
                    cell = WriteOnlyCell(self, value=value)
                    cell.data_type = "s"
                    value = cell
            values.append(value)
        super().append(values)


class _SafeWorksheet(Worksheet):
    """A sheet whose values are made safe as they are written: openpyxl refuses a control
    character at once, before ``SafeWorkbook.save`` could clean it."""

    def append(self, iterable):
        if isinstance(iterable, dict):
            return super().append({k: _safe_value(v) for k, v in iterable.items()})
        return super().append([_safe_value(v) for v in iterable])

    def cell(self, row, column, value=None):
        return super().cell(row, column, _safe_value(value))

    def __setitem__(self, key, value):
        super().__setitem__(key, _safe_value(value))


def _safe_value(value):
    return value if isinstance(value, Cell) else safe_cell(value)


class SafeWorkbook(openpyxl.Workbook):
    """An openpyxl workbook whose cells cannot hold formulas: see the module's docstring."""

    def __init__(self, write_only=False, iso_dates=False):
        super().__init__(write_only=write_only, iso_dates=iso_dates)
        if not write_only:
            self._sheets = [_SafeWorksheet(self)]

    def create_sheet(self, title=None, index=None):
        sheet_class = _SafeWriteOnlyWorksheet if self.write_only else _SafeWorksheet
        sheet = sheet_class(parent=self, title=title)
        self._add_sheet(sheet=sheet, index=index)
        return sheet

    def save(self, filename):
        for sheet in self.worksheets:
            if isinstance(sheet, Worksheet):
                # the cells written so far (merged ranges hold MergedCell, never a value)
                for cell in list(sheet._cells.values()):
                    if isinstance(cell, Cell):
                        _neutralise(cell)
        super().save(filename)


# ---------------------------------------------------------------- CSV


class SafeCsvWriter:
    """``csv.writer`` that neutralises every cell of every row it writes."""

    def __init__(self, file, dialect="excel", **fmtparams):
        self._writer = csv.writer(file, dialect, **fmtparams)

    @property
    def dialect(self):
        return self._writer.dialect

    def writerow(self, row: Iterable):
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable]):
        return self._writer.writerows(safe_row(row) for row in rows)


def csv_writer(file, dialect="excel", **fmtparams) -> SafeCsvWriter:
    return SafeCsvWriter(file, dialect, **fmtparams)
