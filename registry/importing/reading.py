"""Reading a department's file: the rows of an .xlsx (openpyxl, read-only) or a CSV (its encoding
detected from the first bytes, GBK included, any line ends), streaming, so a million-row file
never sits in memory; a file that cannot be read is refused as a whole (`FileRejected`)."""

import codecs
import csv
import hashlib
import zipfile
from collections.abc import Iterator

from django.utils.translation import gettext as _

from core.identifiers import to_halfwidth


class FileRejected(Exception):
    """The file as a whole cannot be read; the message says why, in Chinese."""


def file_digest(fileobj) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: fileobj.read(1 << 20), b""):
        digest.update(chunk)
    fileobj.seek(0)
    return digest.hexdigest()


def read_rows(path: str, filename: str) -> Iterator[list]:
    """The rows of the first sheet (or the CSV) as lists of cell values, streaming."""
    with open(path, "rb") as probe:
        head = probe.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRejected(
            _(
                "文件设置了打开密码或是旧版.xls格式，无法读取。请去除密码并另存为.xlsx（或CSV）后再上传。"
            )
        )
    if head.startswith(b"PK"):
        yield from _xlsx_rows(path)
        return
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise FileRejected(_("文件已损坏，无法作为Excel文件读取。请重新导出后再上传。"))
    yield from _csv_rows(path)


def _xlsx_rows(path: str) -> Iterator[list]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    # Opened as a file, not by name: openpyxl goes by a name's extension, and a real .xlsx
    # saved as "名册.csv" is still an .xlsx (recognised by its content).
    with open(path, "rb") as handle:
        try:
            workbook = openpyxl.load_workbook(handle, read_only=True, data_only=False)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError,
                TypeError):  # fmt: skip
            raise FileRejected(
                _("文件已损坏，无法作为Excel文件读取。请重新导出后再上传。")
            ) from None
        try:
            sheet = workbook.worksheets[0]
            try:
                for row in sheet.iter_rows(values_only=True):
                    yield list(row)
            except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError):
                raise FileRejected(_("文件已损坏，读取到一半出错。请重新导出后再上传。")) from None
        finally:
            workbook.close()


def estimate_rows(path: str, filename: str) -> int:
    """About how many data rows the file holds, for the progress bar, without reading it all
    into memory: its line count for a CSV, the sheet's stated dimension for an .xlsx."""
    try:
        with open(path, "rb") as f:
            head = f.read(8)
            if head.startswith(b"PK"):
                import openpyxl

                workbook = openpyxl.load_workbook(f, read_only=True)
                try:
                    return max((workbook.worksheets[0].max_row or 1) - 1, 0)
                finally:
                    workbook.close()
            if head.startswith(b"\xd0\xcf\x11\xe0"):
                return 0
            f.seek(0)
            lines = sum(block.count(b"\n") for block in iter(lambda: f.read(1 << 20), b""))
            return max(lines - 1, 0)
    except Exception:  # noqa: BLE001 - an estimate only; reading the file reports real errors
        return 0


def detect_encoding(path: str) -> str:
    """utf-8 (with or without BOM) if the first 64 KiB decode as such, else GB18030 (⊇ GBK);
    UTF-16 by its byte-order mark (Excel's "Unicode 文本" export: UTF-16 with tabs)."""
    with open(path, "rb") as f:
        sample = f.read(1 << 16)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(sample, final=False)
        return "gb18030"
    except UnicodeDecodeError:
        raise FileRejected(_("无法识别文件编码（既不是UTF-8也不是GBK）。")) from None


def _csv_rows(path: str) -> Iterator[list]:
    encoding = detect_encoding(path)
    try:
        with open(path, encoding=encoding, newline="") as f:
            sample = f.read(4096)
            f.seek(0)
            try:
                dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
            except csv.Error:
                dialect = csv.excel
            reader = csv.reader(f, dialect)
            for row in reader:
                if "\x00" in "".join(row):
                    raise FileRejected(_nul_message(reader.line_num))
                yield row
    except UnicodeDecodeError:
        raise FileRejected(
            _("文件中有无法按%(enc)s解码的内容，请检查文件编码。") % {"enc": encoding}
        ) from None
    except csv.Error as exc:
        raise FileRejected(_("CSV格式有误：%(e)s") % {"e": exc}) from None


def _nul_message(line: int) -> str:
    """A NUL in a CSV (a binary file, or UTF-16 without its byte-order mark): refused as a whole,
    since PostgreSQL can store no NUL in text (the dry run failed there, found by the corpus in
    registry/tests/test_import_corpus.py)."""
    return _(
        "文件第%(line)s行含有空字符（NUL），可能不是文本文件或编码不对。"
        "请另存为UTF-8或GBK编码的CSV（或.xlsx）后再上传。"
    ) % {"line": line}


def cell_text(value) -> str:
    """The cell without any whitespace, full-width forms made ASCII (str.split() splits on
    the same Unicode whitespace as the regex \\s, at a fraction of the cost per cell)."""
    if value is None:
        return ""
    return "".join(to_halfwidth(str(value)).split())
