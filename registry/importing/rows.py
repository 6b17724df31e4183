"""The dry run's check of one data row: each cell cleaned by its field, then the row's own checks
one by one (name, birth date against the ID number, remark tags, where the person belongs, the
same person twice in the file, household numbers that collide). Writes nothing: the row comes
back as an unsaved ImportRow with its cleaned values, shown values and errors."""

import dataclasses
import hashlib
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import personal_data
from core.models import Place
from registry import bulk, defaults, services, values
from registry.importing.header import Places
from registry.importing.reading import FileRejected
from registry.models import Field, ImportBatch, ImportRow

TOTAL_WORDS = ("合计", "总计", "小计")
PLACE_COLUMNS = ("street", "community", "remark")  # kept as text, not as facts


@dataclasses.dataclass
class FileCheck:
    """What checking a file's rows needs, and what it remembers from row to row."""

    batch: ImportBatch
    titles: list[str]
    mapping: dict[int, str]
    fields: dict[str, Field]
    places: Places
    # The first line of each ID number (the first 20 characters of its hash: 80 bits tell a
    # million people apart in half the memory), and of each household number with its
    # registered address kept compare-ready; the length of the file's household numbers.
    ids: dict[str, int] = dataclasses.field(default_factory=dict)
    households: dict[str, tuple[int, str]] = dataclasses.field(default_factory=dict)
    household_len: int | None = None
    id_column: "IdColumn" = dataclasses.field(default_factory=lambda: IdColumn())


@dataclasses.dataclass
class IdColumn:
    """Signs that Excel stored the ID column as numbers and cut the numbers to 15 significant
    digits: numeric cells, scientific notation, and numbers ending in 000 (a real number does
    about once in 1,100, its last character being a check digit; a cut one always does, and
    about 1 in 11 of those still passes the check)."""

    cells: int = 0
    as_number: int = 0
    ending_000: int = 0
    first_line: int = 0

    # Refused whole at this many damaged cells, when they are also at least this share of the
    # column (real numbers ending in 000 stay near 0.1 %).
    REFUSE_AT = 3
    REFUSE_SHARE = 0.01

    def note(self, line: int, as_number: bool, text: str) -> None:
        """One ID cell: `as_number` when the cell was stored as a number (values.
        id_stored_as_number), `text` its text."""
        self.cells += 1
        damaged = as_number
        self.as_number += damaged
        if not damaged and text.endswith("000"):
            self.ending_000 += 1
            damaged = True
        if damaged and not self.first_line:
            self.first_line = line

    def refuse_if_cut(self, title: str) -> None:
        damaged = self.as_number + self.ending_000
        if damaged >= self.REFUSE_AT and damaged >= self.REFUSE_SHARE * self.cells:
            raise FileRejected(
                _("“%(t)s”列像是被Excel存成过数字：%(n)d个号码是数字格式或以000结尾（第一个在第"
                  "%(line)d行），后三位很可能已被改成0。整个文件未导入。请把这一列设为“文本”格式，"
                  "从原系统重新导出后再上传。")
                % {"t": title, "n": damaged, "line": self.first_line}
            )  # fmt: skip


@dataclasses.dataclass
class RowCheck:
    """One row as it is checked: stored (encrypted where sensitive) and shown values, errors."""

    line: int
    errors: list[str] = dataclasses.field(default_factory=list)
    stored: dict[str, str] = dataclasses.field(default_factory=dict)
    shown: dict[str, str] = dataclasses.field(default_factory=dict)
    extra: dict = dataclasses.field(default_factory=lambda: {"tags": []})
    community: Place | None = None
    grid: Place | None = None
    id_cell: tuple[bool, str] | None = None  # (stored as a number, its text), for IdColumn
    # As staged (the row's own checks made them final): the data and the row's key.
    data: dict | None = None
    key: str = ""


def is_total(texts: list[str]) -> bool:
    """A total line (合计/总计/小计) in the first column, or in the second under an empty first."""
    return texts[0].startswith(TOTAL_WORDS) or (
        len(texts) > 1 and texts[1].startswith(TOTAL_WORDS) and not texts[0]
    )


def check_row(file: FileCheck, line: int, cells: list, texts: list[str]) -> ImportRow:
    """One data row checked and cleaned, ready to stage (unsaved)."""
    return finish_row(file, check_cells(file, line, cells, texts))


def check_cells(file: FileCheck, line: int, cells: list, texts: list[str]) -> RowCheck:
    """The checks of a row on its own: each cell cleaned (and encrypted, and hashed), then the
    checks that need no other row. Reads and changes nothing of the file's state, so rows can
    go through it in worker processes (registry.importing.parallel)."""
    row = RowCheck(line)
    for i, key in file.mapping.items():
        raw = cells[i] if i < len(cells) else None
        text = texts[i] if i < len(texts) else ""
        _read_cell(file, row, key, raw, text, file.titles[i])
    for step in ROW_CHECKS:
        step(file, row)
    row.data, row.key = _staged_data(row)
    return row


def finish_row(file: FileCheck, row: RowCheck) -> ImportRow:
    """The checks against the rows before (in file order), then the row as staged (unsaved)."""
    if row.id_cell is not None:
        file.id_column.note(row.line, *row.id_cell)
    for step in FILE_CHECKS:
        step(file, row)
    return _staged(file.batch, row)


def _read_cell(file: FileCheck, row: RowCheck, key: str, raw, text: str, title: str) -> None:
    # A formula, checked on the normalised text (NFKC, no whitespace), so that a full-width ＝
    # or a formula after a tab or line break is caught like a plain "=".
    if isinstance(raw, str) and text.startswith("="):
        row.errors.append(
            _("“%(t)s”列是公式（%(f)s），请在Excel中复制后“选择性粘贴→数值”再导入")
            % {"t": title, "f": raw.strip()[:30]}
        )
        return
    if key in PLACE_COLUMNS:
        row.extra[key] = text
        return
    if text == "":
        return
    if key == "id_number":
        row.id_cell = (values.id_stored_as_number(raw), text)
    field = file.fields[key]
    if key == "grid":
        row.extra["grid_text"] = text
    try:
        clean = values.clean(field.kind, key, raw)
    except ValidationError as exc:
        row.errors.append(f"{title}：{'；'.join(exc.messages)}")
        return
    row.stored[key] = personal_data.encrypt(clean.value) if field.sensitive else clean.value
    row.shown[key] = clean.shown
    if key == "id_number":
        _note_id_number(row, clean.value)


def _note_id_number(row: RowCheck, number: str) -> None:
    """What the commit (and re-import's unchanged check) needs of the number, so neither has to
    decrypt it again: its keyed hash, the birth date and gender it encodes, its fact hash."""
    row.extra["id_hash"] = personal_data.keyed_hash("id:" + number)
    row.extra["id_birth"] = f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
    row.extra["id_fact_hash"] = values.value_hash("id_number", number)
    row.extra["id_gender"] = "M" if int(number[16]) % 2 else "F"
    if number.endswith("000"):
        # Valid, but the mark of a number cut by Excel: a person checks it before the commit
        # (the page says why, in the reader's language).
        row.extra["id_warning"] = True


def _name_given(file: FileCheck, row: RowCheck) -> None:
    if "name" not in row.stored and not any("姓名" in e for e in row.errors):
        row.errors.append(_("姓名不能为空"))


def _birth_agrees(file: FileCheck, row: RowCheck) -> None:
    """The birth date agrees with the ID number's; without a birth date, the ID number's."""
    birth, id_birth = row.stored.get("birth_date"), row.extra.get("id_birth")
    if birth and id_birth and not id_birth.startswith(birth):
        row.errors.append(_("出生日期%(b)s与身份证号中的%(i)s不一致") % {"b": birth, "i": id_birth})
    if not birth and id_birth:
        row.stored["birth_date"] = row.shown["birth_date"] = id_birth


def _remark_tags(file: FileCheck, row: RowCheck) -> None:
    for remark_word, tag in defaults.REMARK_TAGS.items():
        if remark_word in row.extra.get("remark", ""):
            row.extra["tags"].append(tag)


def _placed(file: FileCheck, row: RowCheck) -> None:
    """Where the person belongs: the grid column, else the community column (in its street)."""
    places, extra = file.places, row.extra
    if extra.get("grid_text"):
        row.community, row.grid = places.grid(extra["grid_text"])
        if row.community is None or row.grid is None:
            row.errors.append(_("所属网格“%(g)s”在本区找不到") % {"g": extra["grid_text"]})
    elif extra.get("community"):
        row.community = places.community(extra["community"])
        if row.community is None:
            row.errors.append(_("所属社区“%(c)s”在本区找不到") % {"c": extra["community"]})
        else:
            _in_street(file, row)


def _in_street(file: FileCheck, row: RowCheck) -> None:
    street = file.places.by_id.get(row.community.parent_id)
    named = row.extra.get("street")
    if named and street is not None and street.name != named:
        row.errors.append(
            _("社区“%(c)s”不属于“%(s)s”，而属于“%(t)s”")
            % {"c": row.community.name, "s": named, "t": street.name}
        )


def _first_with_id(file: FileCheck, row: RowCheck) -> None:
    """The same ID number twice in the file: the later row is refused."""
    id_hash = row.extra.get("id_hash")
    if not id_hash:
        return
    short = id_hash[:20]
    seen = file.ids.get(short)
    if seen:
        row.errors.append(_("与第%(n)d行是同一人（身份证号重复）") % {"n": seen})
    else:
        file.ids[short] = row.line


def _household_agrees(file: FileCheck, row: RowCheck) -> None:
    """A household number of 6–20 digits, as long as the file's others, and the same registered
    address as the household's first member."""
    household = row.stored.get("household_no")
    if not household:
        return
    if not re.fullmatch(r"\d{6,20}", household):
        row.errors.append(_("户号“%(h)s”应为6–20位数字") % {"h": household})
    if file.household_len is None:
        file.household_len = len(household)
    elif len(household) != file.household_len:
        row.errors.append(
            _("户号“%(h)s”为%(n)d位，本文件其他户号为%(e)d位，请核对是否多输或少输了数字")
            % {"h": household, "n": len(household), "e": file.household_len}
        )
    address = row.stored.get("registered_address", "")
    first = file.households.get(household)
    if first is None:
        file.households[household] = (row.line, services.address_key(address))
    elif address and first[1] and services.address_key(address) != first[1]:
        row.errors.append(
            _("户号%(h)s与第%(n)d行相同，但户籍地址不同") % {"h": household, "n": first[0]}
        )


# The row's own checks, in the order their errors are listed: first those of the row alone, then
# those against the rows before it.
ROW_CHECKS = (_name_given, _birth_agrees, _remark_tags, _placed)
FILE_CHECKS = (_first_with_id, _household_agrees)


def _staged_data(row: RowCheck) -> tuple[dict, str]:
    """The row's data as staged and its key: the row's alone (the checks against other rows
    only add errors), so worker processes make them (registry.importing.parallel)."""
    extra = row.extra
    id_hash = extra.get("id_hash")
    key_source = (
        "|".join(f"{k}={v}" for k, v in sorted(row.shown.items())) + "|" + extra.get("remark", "")
    )
    data = {
        "values": row.stored,
        "shown": row.shown,
        "community": row.community.pk if row.community else None,
        "grid": row.grid.pk if row.grid else None,
        "tags": extra["tags"],
        "id_hash": id_hash or "",
    }
    if extra.get("id_warning"):
        data["id_warning"] = True
    if id_hash:
        data["id"] = {"birth": extra["id_birth"], "gender": extra["id_gender"],
                      "fact_hash": extra["id_fact_hash"]}  # fmt: skip
    return data, hashlib.sha256(key_source.encode()).hexdigest()


def _staged(batch: ImportBatch, row: RowCheck) -> ImportRow:
    return bulk.unsaved(
        ImportRow, batch_id=batch.pk, line=row.line, key=row.key,
        status=ImportRow.Status.BAD if row.errors else ImportRow.Status.OK, errors=row.errors,
        data=row.data, candidates=[], create_new=False,
    )  # fmt: skip
