"""Imports of department files: read streaming, find the header, map, check, match, commit.

Files are read row by row (openpyxl read-only for .xlsx; csv with the encoding detected from
the first bytes, GBK included, any line ends), so a million-row file never sits in memory.
The dry run (`check`) writes one ImportRow per data row with its cleaned values, errors and
match; `commit` applies them all in one transaction, or nothing.
"""

import codecs
import csv
import dataclasses
import datetime
import hashlib
import io
import itertools
import re
import zipfile
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _
from pypinyin import lazy_pinyin

from core import audit, clock, personal_data
from core.identifiers import mask_id_number, mask_mobile, to_halfwidth
from core.models import Person, Place, PlaceLevel
from registry import bulk, defaults, progress, services, values
from registry.models import (
    Building,
    Fact,
    House,
    Household,
    ImportBatch,
    ImportRow,
    Residence,
    Unit,
)

CHUNK = 2000  # rows matched, staged and committed together (and the progress step)
ANALYZE_AFTER_ROWS = 10_000  # a commit writing this many people refreshes the statistics
HEADER_SCAN = 12
TOTAL_WORDS = ("合计", "总计", "小计")
GRID_RE = re.compile(r"^(?P<community>.+?社区)第0*(?P<seq>\d{1,2})网格$")


class FileRejected(Exception):
    """The file as a whole cannot be read; the message says why, in Chinese."""


# ---------------------------------------------------------------- reading


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

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError):
        raise FileRejected(_("文件已损坏，无法作为Excel文件读取。请重新导出后再上传。")) from None
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

                workbook = openpyxl.load_workbook(path, read_only=True)
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
    """utf-8 (with or without BOM) if the first 64 KiB decode as such, else GB18030 (⊇ GBK)."""
    with open(path, "rb") as f:
        sample = f.read(1 << 16)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
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
            yield from csv.reader(f, dialect)
    except UnicodeDecodeError:
        raise FileRejected(
            _("文件中有无法按%(enc)s解码的内容，请检查文件编码。") % {"enc": encoding}
        ) from None
    except csv.Error as exc:
        raise FileRejected(_("CSV格式有误：%(e)s") % {"e": exc}) from None


def _cell_text(value) -> str:
    """The cell without any whitespace, full-width forms made ASCII (str.split() splits on
    the same Unicode whitespace as the regex \\s, at a fraction of the cost per cell)."""
    if value is None:
        return ""
    return "".join(to_halfwidth(str(value)).split())


# ---------------------------------------------------------------- header and mapping


def known_names(district: Place) -> dict[str, str]:
    """Every column title the registry recognises → field or structural key."""
    names = {}
    for key, titles in defaults.STRUCTURAL.items():
        for title in titles:
            names[title] = key
    for field in services.ensure_fields(district).values():
        for n in field.names():
            names[re.sub(r"\s+", "", to_halfwidth(n))] = field.key
    return names


def find_header(
    rows: Iterator[list], district: Place, saved: dict | None = None
) -> tuple[list[str], int, Iterator]:
    """(column titles, line number of the first data row, remaining rows).

    Skips a merged title row and filler rows (填报单位…); joins a two-row header whose top row
    has merged group cells ("老人基本信息" over 姓名/性别/…).
    """
    names = {**known_names(district), **(saved or {})}
    buffer = list(itertools.islice(rows, HEADER_SCAN))
    for index, row in enumerate(buffer):
        cells = [_cell_text(c) for c in row]
        if sum(1 for c in cells if c in names) < 2:
            continue
        titles, used = cells, 1
        if index + 1 < len(buffer):
            below = [_cell_text(c) for c in buffer[index + 1]]
            filled = [i for i, c in enumerate(below) if c]
            if filled and all(
                below[i] in names and (i >= len(cells) or not cells[i] or cells[i] not in names)
                for i in filled
            ):
                top, titles = "", []
                for i in range(max(len(cells), len(below))):
                    upper = cells[i] if i < len(cells) else ""
                    top = upper or top
                    lower = below[i] if i < len(below) else ""
                    titles.append(lower or upper or (top if lower else ""))
                used = 2
        first_data = index + used
        return titles, first_data + 1, itertools.chain(buffer[first_data:], rows)
    raise FileRejected(
        _("在前%(n)d行中没有找到表头（至少应有“姓名”“公民身份号码”等两个可识别的列名）。")
        % {"n": HEADER_SCAN}
    )


def mapping_for(titles: list[str], saved: dict, district: Place) -> dict[int, str]:
    names = known_names(district)
    result = {}
    for i, title in enumerate(titles):
        if not title:
            continue
        key = saved.get(title, names.get(title, ""))
        if key and key != "ignore":
            result[i] = key
    return result


# ---------------------------------------------------------------- places by name


class Places:
    """Communities and grids of a district, by name, loaded once per import."""

    def __init__(self, district: Place):
        places = Place.objects.filter(district=district, is_active=True).exclude(level="district")
        self.by_id = {p.pk: p for p in places}
        self.communities: dict[str, Place] = {}
        self.grids: dict[tuple[int, int], Place] = {}
        self.streets: dict[str, Place] = {}
        for p in self.by_id.values():
            if p.level == PlaceLevel.COMMUNITY:
                self.communities.setdefault(p.name, p)
            elif p.level == PlaceLevel.STREET:
                self.streets[p.name] = p
            elif p.level == PlaceLevel.GRID:
                self.grids[(p.parent_id, int(p.code[-2:]))] = p

    def community(self, name: str) -> Place | None:
        name = _cell_text(name)
        return self.communities.get(name) or self.communities.get(name + "社区")

    def grid(self, text: str) -> tuple[Place | None, Place | None]:
        m = GRID_RE.match(_cell_text(text))
        if not m:
            return None, None
        community = self.community(m["community"])
        if community is None:
            return None, None
        return community, self.grids.get((community.pk, int(m["seq"])))


# ---------------------------------------------------------------- the dry run


def _pinyin(name: str) -> str:
    return "".join(lazy_pinyin(name))


def check(batch: ImportBatch) -> ImportBatch:
    """Read the file, clean and match every row, store the results. Writes no registry data."""
    batch = ImportBatch.objects.select_related("source", "district").get(pk=batch.pk)
    district = batch.district
    ImportRow.objects.filter(batch=batch).delete()
    batch.status = ImportBatch.Status.CHECKING
    batch.rows_total = batch.rows_done = batch.rows_ok = batch.rows_bad = 0
    batch.rows_unchanged = batch.rows_to_confirm = 0
    batch.rows_expected = estimate_rows(batch.file.path, batch.filename)
    batch.message = ""
    batch.save()
    progress.step_started(batch.pk)
    try:
        _check_rows(batch, district)
    except FileRejected as exc:
        progress.clear(batch.pk)
        ImportRow.objects.filter(batch=batch).delete()
        batch.status = ImportBatch.Status.REJECTED
        batch.message = str(exc)
        batch.rows_ok = batch.rows_bad = batch.rows_unchanged = batch.rows_to_confirm = 0
        batch.save()
        return batch
    batch.status = ImportBatch.Status.CHECKED
    batch.save()
    progress.clear(batch.pk)
    return batch


def _check_rows(batch: ImportBatch, district: Place) -> None:
    fields = services.ensure_fields(district)
    places = Places(district)
    rows = read_rows(batch.file.path, batch.filename)
    titles, first_line, rest = find_header(rows, district, batch.source.mapping)
    mapping = mapping_for(titles, batch.source.mapping or {}, district)
    batch.headers = [{"title": t, "key": mapping.get(i, "")} for i, t in enumerate(titles) if t]
    if "name" not in mapping.values():
        raise FileRejected(_("没有找到“姓名”列，请在列映射中指定。"))
    if "id_number" not in mapping.values() and "birth_date" not in mapping.values():
        raise FileRejected(_("至少需要“公民身份号码”或“出生日期”列，才能核对人员。"))
    batch.save(update_fields=["headers"])
    state = {"ids": {}, "households": {}, "household_len": None}
    chunk: list[ImportRow] = []
    for line, raw in enumerate(rest, start=first_line):
        cells = raw
        texts = [_cell_text(c) for c in cells]
        if not any(texts):
            continue
        if texts[0].startswith(TOTAL_WORDS) or (
            len(texts) > 1 and texts[1].startswith(TOTAL_WORDS) and not texts[0]
        ):
            continue
        chunk.append(_check_row(line, cells, texts, titles, mapping, fields, places, state, batch))
        if len(chunk) >= CHUNK:
            _flush(batch, chunk, fields)
            chunk = []
    if chunk:
        _flush(batch, chunk, fields)
    if batch.rows_total == 0:
        raise FileRejected(_("表头下面没有数据行。"))


def _check_row(line, cells, texts, titles, mapping, fields, places, state, batch) -> ImportRow:
    errors: list[str] = []
    stored: dict[str, str] = {}
    shown: dict[str, str] = {}
    extra: dict = {"tags": []}
    for i, key in mapping.items():
        raw = cells[i] if i < len(cells) else None
        title = titles[i]
        # A formula, checked on the normalised text (texts[i]: NFKC, no whitespace), so that a
        # full-width ＝ or a formula after a tab or line break is caught like a plain "=".
        if isinstance(raw, str) and texts[i].startswith("="):
            errors.append(
                _("“%(t)s”列是公式（%(f)s），请在Excel中复制后“选择性粘贴→数值”再导入")
                % {"t": title, "f": raw.strip()[:30]}
            )
            continue
        text = texts[i] if i < len(texts) else ""
        if key in ("street", "community", "remark"):
            extra[key] = text
            continue
        if text == "":
            continue
        field = fields[key]
        try:
            if key == "grid":
                extra["grid_text"] = text
            clean = values.clean(field.kind, key, raw)
        except ValidationError as exc:
            errors.append(f"{title}：{'；'.join(exc.messages)}")
            continue
        stored[key] = personal_data.encrypt(clean.value) if field.sensitive else clean.value
        shown[key] = clean.shown
        if key == "id_number":
            extra["id_hash"] = personal_data.keyed_hash("id:" + clean.value)
            extra["id_birth"] = f"{clean.value[6:10]}-{clean.value[10:12]}-{clean.value[12:14]}"
            # What the commit (and re-import's unchanged check) needs of the number, so
            # neither has to decrypt it again: its fact hash and the gender it encodes.
            extra["id_fact_hash"] = values.value_hash("id_number", clean.value)
            extra["id_gender"] = "M" if int(clean.value[16]) % 2 else "F"
    if "name" not in stored and not any("姓名" in e for e in errors):
        errors.append(_("姓名不能为空"))
    birth = stored.get("birth_date")
    if birth and extra.get("id_birth") and not extra["id_birth"].startswith(birth):
        errors.append(
            _("出生日期%(b)s与身份证号中的%(i)s不一致") % {"b": birth, "i": extra["id_birth"]}
        )
    if not birth and extra.get("id_birth"):
        stored["birth_date"] = shown["birth_date"] = extra["id_birth"]
    for remark_word, tag in defaults.REMARK_TAGS.items():
        if remark_word in extra.get("remark", ""):
            extra["tags"].append(tag)
    # Where the person belongs: the grid column, else the community column.
    community = grid = None
    if extra.get("grid_text"):
        community, grid = places.grid(extra["grid_text"])
        if community is None or grid is None:
            errors.append(_("所属网格“%(g)s”在本区找不到") % {"g": extra["grid_text"]})
    elif extra.get("community"):
        community = places.community(extra["community"])
        if community is None:
            errors.append(_("所属社区“%(c)s”在本区找不到") % {"c": extra["community"]})
        elif extra.get("street") and places.by_id.get(community.parent_id) is not None:
            street = places.by_id[community.parent_id]
            if street.name != extra["street"]:
                errors.append(
                    _("社区“%(c)s”不属于“%(s)s”，而属于“%(t)s”")
                    % {"c": community.name, "s": extra["street"], "t": street.name}
                )
    # Duplicates inside the file and household numbers that collide.
    id_hash = extra.get("id_hash")
    if id_hash:
        short = id_hash[:20]  # 80 bits: enough to tell a million people apart, half the memory
        seen = state["ids"].get(short)
        if seen:
            errors.append(_("与第%(n)d行是同一人（身份证号重复）") % {"n": seen})
        else:
            state["ids"][short] = line
    household = stored.get("household_no")
    if household:
        if not re.fullmatch(r"\d{6,20}", household):
            errors.append(_("户号“%(h)s”应为6–20位数字") % {"h": household})
        expected = state["household_len"]
        if expected is None:
            state["household_len"] = len(household)
        elif len(household) != expected:
            errors.append(
                _("户号“%(h)s”为%(n)d位，本文件其他户号为%(e)d位，请核对是否多输或少输了数字")
                % {"h": household, "n": len(household), "e": expected}
            )
        address = stored.get("registered_address", "")
        first = state["households"].get(household)
        if first is None:  # the first member's address kept compared-ready
            state["households"][household] = (line, services._address_key(address))
        elif address and first[1] and services._address_key(address) != first[1]:
            errors.append(
                _("户号%(h)s与第%(n)d行相同，但户籍地址不同") % {"h": household, "n": first[0]}
            )
    key_source = (
        "|".join(f"{k}={v}" for k, v in sorted(shown.items())) + "|" + extra.get("remark", "")
    )
    data = {
        "values": stored,
        "shown": shown,
        "community": community.pk if community else None,
        "grid": grid.pk if grid else None,
        "tags": extra["tags"],
        "id_hash": id_hash or "",
    }
    if id_hash:
        data["id"] = {"birth": extra["id_birth"], "gender": extra["id_gender"],
                      "fact_hash": extra["id_fact_hash"]}  # fmt: skip
    return bulk.unsaved(
        ImportRow, batch_id=batch.pk, line=line, key=hashlib.sha256(key_source.encode()).hexdigest(),
        status=ImportRow.Status.BAD if errors else ImportRow.Status.OK, errors=errors, data=data,
        candidates=[], create_new=False,
    )  # fmt: skip


STAGED_COLUMNS = [
    "batch_id", "line", "key", "status", "errors", "data", "person_id", "candidates", "create_new"
]  # fmt: skip


def _flush(batch: ImportBatch, chunk: list[ImportRow], fields) -> None:
    """Match a chunk of rows against existing people (one lookup of ID numbers and one of
    fuzzy candidates for the whole chunk), then stage the chunk in one write."""
    hashes = [r.data["id_hash"] for r in chunk if r.data["id_hash"]]
    people = {p.id_number_hash: p for p in Person.objects.filter(id_number_hash__in=hashes)}
    source = batch.source.department_id
    known = set(
        Fact.objects.filter(person__in=people.values(), source_id=source).values_list(
            "person_id", "field__key", "value_hash"
        )
    )
    unmatched = []
    for row in chunk:
        if row.status == ImportRow.Status.BAD:
            continue
        person = people.get(row.data["id_hash"])
        if person is not None:
            row.person = person
            facts = [
                (person.pk, k, _fact_hash(fields[k], row.data, v))
                for k, v in row.data["values"].items()
            ]
            facts += [(person.pk, t, values.value_hash(t, "是")) for t in row.data["tags"]]
            if facts and all(f in known for f in facts):
                row.status = ImportRow.Status.UNCHANGED
            continue
        unmatched.append(row)
    pool = Candidates(batch.district_id, [r.data for r in unmatched])
    for row in unmatched:
        candidates = pool.of(row.data)
        if candidates:
            row.candidates = candidates
            row.status = ImportRow.Status.CONFIRM
    bulk.insert_rows(
        ImportRow, STAGED_COLUMNS,
        [(r.batch_id, r.line, r.key, r.status, r.errors, r.data, r.person_id, r.candidates,
          r.create_new) for r in chunk],
    )  # fmt: skip
    counts = {s: sum(1 for r in chunk if r.status == s) for s in ImportRow.Status.values}
    batch.rows_total += len(chunk)
    batch.rows_done += len(chunk)
    batch.rows_ok += counts["ok"]
    batch.rows_bad += counts["bad"]
    batch.rows_unchanged += counts["unchanged"]
    batch.rows_to_confirm += counts["confirm"]
    batch.save(
        update_fields=[
            "rows_total", "rows_done", "rows_ok", "rows_bad", "rows_unchanged", "rows_to_confirm",
        ]
    )  # fmt: skip


def _plain(field, stored: str) -> str:
    return personal_data.decrypt(stored) if field.sensitive else stored


def _fact_hash(field, data: dict, stored: str) -> str:
    """The keyed hash a fact of this value carries; the ID number's was taken in the dry run
    (rows staged before it was kept there are decrypted)."""
    if field.key == "id_number" and "id" in data:
        return data["id"]["fact_hash"]
    return values.value_hash(field.key, _plain(field, stored))


class Candidates:
    """People who may be a row's person, for a person to confirm: the same birth date (or month,
    when the file gives only a month) and a name that sounds the same (pypinyin), recorded
    without an ID number when the row has one (with one, the ID number would have matched).
    Those living at the row's address come first.

    Loaded for a whole chunk of rows at once: one query for the rows with an ID number (only
    people without one can be theirs), one for those without; month-only rows (rare) one each.
    """

    def __init__(self, district_id: int, rows: list[dict]):
        self.district_id = district_id
        self.by_day: dict[tuple[bool, str], list[Person]] = {}
        wanted = {True: set(), False: set()}
        for data in rows:
            birth = data["values"].get("birth_date", "")
            if data["values"].get("name") and len(birth) == 10:
                wanted[bool(data["id_hash"])].add(birth)
        for with_id, days in wanted.items():
            if not days:
                continue
            query = Person.objects.filter(district_id=district_id, birth_date__in=days)
            if with_id:
                query = query.filter(id_number_hash="")
            for person in query.select_related("residence"):
                day = person.birth_date.isoformat()
                self.by_day.setdefault((with_id, day), []).append(person)

    def _pool(self, data: dict) -> list[Person]:
        birth = data["values"]["birth_date"]
        if len(birth) == 10:
            found = self.by_day.get((bool(data["id_hash"]), birth), [])
            return found[:50]
        query = Person.objects.filter(
            district_id=self.district_id,
            birth_date__year=int(birth[:4]),
            birth_date__month=int(birth[5:7]),
        )
        if data["id_hash"]:
            query = query.filter(id_number_hash="")
        return list(query.select_related("residence")[:50])

    def of(self, data: dict) -> list[int]:
        name = data["values"].get("name", "")
        birth = data["values"].get("birth_date", "")
        if not name or len(birth) not in (7, 10):
            return []
        pool = self._pool(data)
        if not pool:
            return []
        sound = _pinyin(name)
        found = [p for p in pool if p.name == name or _pinyin(p.name) == sound]
        address = services._address_key(
            data["values"].get("actual_address") or data["values"].get("registered_address") or ""
        )

        def lives_here(person) -> bool:
            residence = getattr(person, "residence", None)
            return bool(address and residence and services._address_key(
                residence.actual_address or residence.registered_address) == address)  # fmt: skip

        found.sort(key=lambda p: (not lives_here(p), p.name != name, p.pk))
        return [p.pk for p in found[:5]]


# ---------------------------------------------------------------- the commit


def commit(batch: ImportBatch, actor) -> dict:
    """Apply every row in one transaction; any failure leaves nothing written."""
    with clock.moment(), transaction.atomic():
        batch = (
            ImportBatch.objects.select_for_update()
            .select_related("source__department")
            .get(pk=batch.pk)
        )
        if batch.status == ImportBatch.Status.COMMITTED:
            return batch.summary
        if batch.status != ImportBatch.Status.COMMITTING or batch.rows_bad or batch.rows_to_confirm:
            raise ValidationError(_("这批数据还有错误或待确认的行，不能导入。"))
        district = batch.district
        fields = services.ensure_fields(district)
        places = Places(district)
        if connection.vendor == "postgresql":
            # Check foreign keys as each chunk is written rather than all at the end: a
            # million-row commit would otherwise queue tens of millions of checks in memory.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        outcomes = {"created": 0, "updated": 0, "current": 0, "agrees": 0, "conflict": 0,
                    "unchanged": 0}  # fmt: skip
        rows = (
            ImportRow.objects.filter(batch=batch)
            .exclude(status="unchanged")
            .order_by("line")
            .values_list("person_id", "data")
        )
        chunk: list[Staged] = []
        done = 0
        progress.set_done(batch.pk, 0)
        progress.step_started(batch.pk)
        for person_id, data in rows.iterator(chunk_size=CHUNK):
            chunk.append(Staged(person_id, data))
            if len(chunk) >= CHUNK:
                _commit_chunk(chunk, batch, actor, fields, places, outcomes)
                done += len(chunk)
                progress.set_done(batch.pk, done)
                chunk = []
        if chunk:
            _commit_chunk(chunk, batch, actor, fields, places, outcomes)
        outcomes["unchanged"] += batch.rows_unchanged
        batch.status = ImportBatch.Status.COMMITTED
        batch.committed_at = clock.now()
        batch.rows_done = batch.rows_total
        batch.summary = outcomes
        batch.save()
        audit.record(
            actor=actor, action="registry.import_commit", obj=batch, place=district,
            changes={"file": batch.filename, "rows": batch.rows_total, **outcomes},
        )  # fmt: skip
    progress.clear(batch.pk)
    if connection.vendor == "postgresql" and (
        outcomes["created"] + outcomes["updated"] >= ANALYZE_AFTER_ROWS
    ):
        refresh_statistics()
    return outcomes


def refresh_statistics() -> None:
    """ANALYZE the tables an import fills. After a large import the planner's statistics still
    describe the tables as they were (a new district's million residents counted as none)
    until autovacuum comes round, and its plans for the lists and reports go wrong meanwhile:
    a 10,000-resident report took 400 ms instead of 70 ms."""
    tables = [m._meta.db_table for m in (Person, Residence, Household, House, Building, Unit,
                                         Fact)]  # fmt: skip
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(qn(t) for t in tables))


@dataclasses.dataclass(slots=True)
class Staged:
    """A staged row as the commit needs it (no ImportRow instances: a million of them, each
    through Model.__init__, were a seventh of the commit)."""

    person_id: int | None
    data: dict
    person: Person | None = None
    community: Place | None = None


def _commit_chunk(chunk, batch, actor, fields, places, outcomes) -> None:
    """People first (found or created in bulk), then where they live, then their facts.

    A person this chunk creates has no facts yet, so each of their values is simply the one
    shown: nothing to compare, no conflict possible. Those facts are written straight from
    the staged values (and the person's own columns set as the shown values would mirror
    them); only people who already existed go through the FactWriter's comparisons.
    """
    source = batch.source.department
    existing = Person.objects.select_related("place").in_bulk(
        [r.person_id for r in chunk if r.person_id]
    )
    new_people = []
    fresh = []  # rows whose person is new here and whose facts need no comparison
    for row in chunk:
        if row.person_id:
            row.person = existing[row.person_id]
            outcomes["updated"] += 1
            continue
        stored = row.data["values"]
        community, grid = _places_of(row, places)
        person = bulk.unsaved(
            Person, name=stored["name"], district_id=batch.district_id, place=grid or community
        )
        if "id_number" in stored:
            # Checked in the dry run: keep its ciphertext and keyed hash, derive the rest.
            person.id_number_enc = stored["id_number"]
            person.id_number_hash = row.data["id_hash"]
            person.id_number_masked = row.data["shown"]["id_number"]
            if "id" in row.data:
                person.gender = row.data["id"]["gender"]
                person.birth_date = datetime.date.fromisoformat(row.data["id"]["birth"])
            else:  # staged before the dry run kept what the number says
                number = _plain(fields["id_number"], stored["id_number"])
                person.id_number_masked = mask_id_number(number)
                person.gender = "M" if int(number[16]) % 2 else "F"
                person.birth_date = datetime.date(int(number[6:10]), int(number[10:12]),
                                                  int(number[12:14]))  # fmt: skip
        if len(stored.get("birth_date", "")) == 10:
            person.birth_date = datetime.date.fromisoformat(stored["birth_date"])
        row.person = person
        new_people.append(person)
        if not set(row.data["tags"]) & stored.keys():
            _mirror_new(person, stored, fields)
            fresh.append(row)
    hashes = [p.id_number_hash for p in new_people if p.id_number_hash]
    if hashes and Person.objects.filter(id_number_hash__in=hashes).exists():
        raise ValidationError(_("有人员在检查之后已被登记，请重新检查这批数据。"))
    bulk.insert(Person, new_people)
    outcomes["created"] += len(new_people)
    placer = services.Placer(batch.district)
    placer.preload(
        person_ids=[p.pk for p in existing.values()],  # the new people live nowhere yet
        household_nos=[r.data["values"].get("household_no") for r in chunk
                       if r.data["values"].get("household_no")],
        addresses=[a for r in chunk for a in (r.data["values"].get("registered_address"),
                                              r.data["values"].get("actual_address")) if a],
    )  # fmt: skip
    for row in chunk:
        community, grid = _places_of(row, places)
        if community is None and row.person.place_id:
            place = row.person.place
            community = place.parent if place.level == PlaceLevel.GRID else place
        row.community = community
        if community is not None:
            stored = row.data["values"]
            placer.place(
                person=row.person, community=community, grid=grid,
                household_no=stored.get("household_no", ""),
                registered_address=stored.get("registered_address", ""),
                actual_address=stored.get("actual_address", ""),
                relation=stored.get("relation", ""),
            )  # fmt: skip
    placer.flush()
    label = f"{source.name}·{batch.source.name}"
    outcomes["current"] += _write_fresh_facts(fresh, batch, actor, fields, source, label)
    fresh_ids = {id(r) for r in fresh}
    compared = [r for r in chunk if id(r) not in fresh_ids]
    if not compared:
        return
    writer = services.FactWriter(author=actor, batch=batch)
    used = {k for r in compared for k in r.data["values"]} | {
        t for r in compared for t in r.data["tags"]
    }
    writer.load(list(existing), [fields[k] for k in used])  # the new people have no facts yet
    yes = values.Clean("是", "是")
    for row in compared:
        shown = row.data["shown"]
        for key, value in row.data["values"].items():
            field = fields[key]
            # Cleaned in the dry run: the stored form, what it shows, and its ciphertext.
            if field.sensitive:
                clean = values.Clean(_plain(field, value), shown.get(key, ""), enc=value)
            else:
                clean = values.Clean(value, shown.get(key, value))
            outcome, _fact = writer.add(
                person=row.person, field=field, clean=clean, source=source, label=label,
                community=row.community,
            )  # fmt: skip
            outcomes[outcome] += 1
        for tag in row.data["tags"]:
            outcome, _fact = writer.add(
                person=row.person, field=fields[tag], clean=yes, source=source, label=label,
                community=row.community,
            )  # fmt: skip
            outcomes[outcome] += 1
    writer.flush()


def _mirror_new(person: Person, stored: dict, fields) -> None:
    """Set a new person's own columns as their values, all shown, would (services._mirror):
    the name and birth date are set already; the gender column wins over the ID number's
    digit; a mobile number becomes the person's, keeping the dry run's ciphertext."""
    gender = stored.get("gender")
    if gender:
        person.gender = {"男": "M", "女": "F"}.get(gender, "")
    if "phone" in stored:
        number = _plain(fields["phone"], stored["phone"])
        if re.fullmatch(r"1\d{10}", number):
            sensitive = fields["phone"].sensitive
            person.mobile_enc = stored["phone"] if sensitive else personal_data.encrypt(number)
            person.mobile_hash = personal_data.keyed_hash("mobile:" + number)
            person.mobile_masked = mask_mobile(number)


FRESH_FACT_COLUMNS = [
    "district_id", "community_id", "person_id", "field_id", "value", "value_hash", "value_enc",
    "source_id", "source_label", "author_id", "batch_id", "recorded_at", "is_current",
]  # fmt: skip


def _write_fresh_facts(rows, batch, actor, fields, source, label) -> int:
    """Every value of people created in this chunk, written as current facts in one COPY."""
    author_id = actor.pk if getattr(actor, "pk", None) else None
    source_id = source.pk if source else None
    now = clock.now()
    tag_fields = {}
    made = []
    for row in rows:
        data = row.data
        person = row.person
        community_id = row.community.pk if row.community else None
        shown = data["shown"]
        for key, stored in data["values"].items():
            field = fields[key]
            if field.sensitive:
                digest, enc, text = _fact_hash(field, data, stored), stored, shown.get(key, "")
            else:
                digest, enc, text = values.value_hash(key, stored), "", shown.get(key, stored)
            made.append((
                person.district_id, community_id, person.pk, field.pk, text[:200], digest, enc,
                source_id, label, author_id, batch.pk, now, True,
            ))  # fmt: skip
        for tag in data["tags"]:
            field = fields[tag]
            if tag not in tag_fields:
                tag_fields[tag] = values.value_hash(tag, "是")
            made.append((
                person.district_id, community_id, person.pk, field.pk, "是", tag_fields[tag], "",
                source_id, label, author_id, batch.pk, now, True,
            ))  # fmt: skip
    bulk.insert_rows(Fact, FRESH_FACT_COLUMNS, made)
    return len(made)


def _places_of(row, places) -> tuple[Place | None, Place | None]:
    data = row.data
    community = places.by_id.get(data["community"]) if data["community"] else None
    grid = places.by_id.get(data["grid"]) if data["grid"] else None
    return community, grid


# ---------------------------------------------------------------- the error report


def error_report(batch: ImportBatch) -> io.BytesIO:
    """Every row with its status and errors, as an Excel file (written streaming)."""
    from core.exports import SafeWorkbook

    workbook = SafeWorkbook(write_only=True)
    sheet = workbook.create_sheet(_("检查结果"))
    keys = [
        h["key"]
        for h in batch.headers
        if h["key"] and h["key"] not in ("street", "community", "remark")
    ]
    titles = [h["title"] for h in batch.headers if h["key"] in keys]
    sheet.append([_("原文件行号"), _("检查结果"), _("错误说明"), *titles])
    status_labels = dict(ImportRow.Status.choices)
    for row in ImportRow.objects.filter(batch=batch).order_by("line").iterator(chunk_size=2000):
        shown = row.data.get("shown", {})
        sheet.append(
            [row.line, str(status_labels.get(row.status, row.status)), "；".join(row.errors),
             *[shown.get(k, "") for k in keys]]
        )  # fmt: skip
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out
