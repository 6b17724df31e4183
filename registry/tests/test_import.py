"""Imports of the real-shaped department files: dry run, error report, commit, re-import.

The sample files (registry/tests/data) are the shapes departments send: a civil-affairs xlsx
roster with a merged title, filler row, two-row header, 合计 row and three bad rows; a GBK CSV
from the police with CRLF, households, former 白下区 codes, and a full-width ID number.
"""

import io
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core import personal_data
from core.models import AuditEvent, Person, Place
from core.tests.refused import refused
from registry import importer, services, tasks
from registry.models import (
    Conflict,
    Fact,
    Household,
    ImportBatch,
    ImportRow,
    Residence,
)
from registry.testing import fixed_roster

DATA = Path(__file__).parent / "data"
XLSX = DATA / "civil_affairs_allowance.xlsx"
CSV = DATA / "police_population_gbk.csv"


def dept(d, code):
    return next(x for x in d.departments if x.short_code == code)


def upload(d, actor, code, path_or_bytes, name=None, source_name="名册"):
    source = services.import_source_create(actor=actor, department=dept(d, code), name=source_name)
    if isinstance(path_or_bytes, Path):
        content, name = path_or_bytes.read_bytes(), name or path_or_bytes.name
    else:
        content = path_or_bytes
    return services.import_upload(
        actor=actor, source=source, upload=SimpleUploadedFile(name, content)
    )


def checked(d, actor, code, path_or_bytes, name=None):
    batch = upload(d, actor, code, path_or_bytes, name)
    tasks.check_import.call(batch_id=batch.pk)
    batch.refresh_from_db()
    return batch


def commit(batch, actor):
    services.import_commit(actor=actor, batch=batch)
    result = tasks.commit_import.call(batch_id=batch.pk, actor_id=actor.pk)
    batch.refresh_from_db()
    return result


def officer(d):
    return d.users["department_officer:own"]  # 民政局 (mz)


@pytest.mark.django_db
def test_xlsx_dry_run_reports_each_bad_row_and_writes_nothing(world):
    people_before, facts_before = Person.objects.count(), Fact.objects.count()
    batch = checked(world, officer(world), "mz", XLSX)
    assert batch.status == ImportBatch.Status.CHECKED
    # 56 data rows: the title, filler, two header rows and the 合计 row are not data.
    assert batch.rows_total == 56
    assert batch.rows_bad == 3
    bad = {r.line: r.errors for r in batch.rows.filter(status="bad")}
    assert sorted(bad) == [58, 59, 60]
    assert "校验位" in bad[58][0]
    assert "18位" in bad[59][0]
    text60 = "；".join(bad[60])
    assert "不存在社区" in text60 and "联系电话" in text60
    # The header was found under the merged title, with the two-row header joined.
    keys = {h["title"]: h["key"] for h in batch.headers}
    assert keys["公民身份号码"] == "id_number" and keys["出生年月"] == "birth_date"
    assert keys["津贴标准(元/月)"] == "elderly_allowance" and keys["所属社区"] == "community"
    # Stray space in a name removed; birth month both ways; landline and dashed mobile kept.
    first = batch.rows.get(line=5)
    assert (
        first.data["shown"]["name"] == "杨磊强" and first.data["shown"]["birth_date"] == "1928-05"
    )
    assert batch.rows.get(line=7).data["shown"]["phone"] == "025-****8041"
    assert batch.rows.get(line=16).data["shown"]["phone"] == "137****4218"
    assert Person.objects.count() == people_before and Fact.objects.count() == facts_before
    # No sensitive value is kept in clear in the dry-run rows.
    assert "13912345678" not in str(list(batch.rows.values_list("data", flat=True)))
    # A commit is refused while bad rows remain: all or nothing.
    with refused("bad_rows"):
        services.import_commit(actor=officer(world), batch=batch)
    assert Person.objects.count() == people_before


@pytest.mark.django_db
def test_error_report_is_an_excel_file_row_by_row(world):
    batch = checked(world, officer(world), "mz", XLSX)
    wb = openpyxl.load_workbook(importer.error_report(batch))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("原文件行号", "检查结果", "错误说明")
    assert len(rows) == 57
    by_line = {r[0]: r for r in rows[1:]}
    assert by_line[58][1] == "有错误" and "校验位" in by_line[58][2]
    assert by_line[5][1] == "可导入"


@pytest.mark.django_db
def test_fix_commit_then_reimport_changes_nothing(world, tmp_path):
    actor = officer(world)
    path = fixed_roster(tmp_path)
    batch = checked(world, actor, "mz", path)
    assert batch.rows_bad == 0, list(
        batch.rows.filter(status="bad").values_list("errors", flat=True)
    )
    assert batch.can_commit
    result = commit(batch, actor)
    assert batch.status == ImportBatch.Status.COMMITTED, batch.message
    assert result["created"] == 56
    person = personal_data.find_by_id_number("320104192805271137")
    assert person.name == "杨磊强"
    assert person.residence.community.name == "钞库街社区"
    allowance = Fact.objects.get(person=person, field__key="elderly_allowance", is_current=True)
    assert allowance.value == "200.00" and allowance.source.short_code == "mz"
    assert allowance.batch_id == batch.pk and allowance.author == actor
    assert Fact.objects.filter(field__key="living_alone", value="是", is_current=True).count() == 12
    assert AuditEvent.objects.filter(action="registry.import_commit").count() == 1
    counts = (Person.objects.count(), Fact.objects.count(), Residence.objects.count())
    # The same file again: recognised by its hash, nothing to do.
    again = upload(world, actor, "mz", path)
    assert again.status == ImportBatch.Status.DUPLICATE and "重新导入不会改变" in again.message
    with pytest.raises(ValidationError):
        services.import_commit(actor=actor, batch=again)
    # The same rows in a re-saved file (different bytes): every row unchanged.
    wb = openpyxl.load_workbook(path)
    wb.active["J3"] = "备注 "
    resaved = tmp_path / "resaved.xlsx"
    wb.save(resaved)
    third = checked(world, actor, "mz", resaved)
    assert third.rows_unchanged == 56 and third.rows_ok == 0
    with refused("nothing"):
        services.import_commit(actor=actor, batch=third)
    assert (Person.objects.count(), Fact.objects.count(), Residence.objects.count()) == counts


@pytest.mark.django_db
def test_gbk_csv_households_separation_and_collisions(world):
    actor = world.users["ga_officer"]
    batch = checked(world, actor, "ga", CSV)
    assert batch.status == ImportBatch.Status.CHECKED, batch.message
    assert batch.rows_total == 194
    bad = list(batch.rows.filter(status="bad"))
    assert [r.line for r in bad] == [195]
    assert "户号" in "；".join(bad[0].errors)
    # The full-width ID number was read as digits: it is one digit short.
    assert "收到17位" in "；".join(bad[0].errors)
    # Former 白下区 (320103) numbers of people born before 2013 are valid.
    assert batch.rows.get(line=2).status == "ok"
    # Drop the bad last line (as the police would re-export) and commit.
    content = CSV.read_bytes().rstrip(b"\r\n").rsplit(b"\r\n", 1)[0] + b"\r\n"
    batch = checked(world, actor, "ga", content, name="fixed.csv")
    assert batch.rows_bad == 0
    commit(batch, actor)
    assert batch.status == ImportBatch.Status.COMMITTED, batch.message
    household = Household.objects.get(number="3201040000003")
    assert household.members.count() == 5
    head = household.members.get(relation="户主")
    assert head.person.name == "王平" and head.grid.name == "钞库街社区第9网格"
    separated = Residence.objects.get(person=personal_data.find_by_id_number("320104194304018992"))
    assert separated.separated and "建邺区" in separated.actual_address
    assert separated.house is not None and separated.house.building.address.endswith("号")
    not_separated = Residence.objects.get(
        person=personal_data.find_by_id_number("320103193103107496")
    )
    assert not not_separated.separated and not_separated.house.number == "817室"


@pytest.mark.django_db
def test_police_then_civil_affairs_conflicts_route_to_the_owner(world, tmp_path):
    ga = world.users["ga_officer"]
    content = b"\xd0\xd5\xc3\xfb,\xb9\xab\xc3\xf1\xc9\xed\xb7\xdd\xba\xc5\xc2\xeb,\xd0\xd4\xb1\xf0,\xcb\xf9\xca\xf4\xcd\xf8\xb8\xf1\r\n"
    content += "杨磊强,320104192805271137,男,钞库街社区第01网格\r\n".encode("gbk")
    batch = checked(world, ga, "ga", content, name="ga.csv")
    assert batch.rows_ok == 1, batch.rows.first().errors
    commit(batch, ga)
    # Civil affairs says the name is 杨磊 (no 强) and the gender 女: 公安 owns both.
    rows = "姓名,公民身份号码,性别,所属社区\r\n杨磊,320104192805271137,女,钞库街社区\r\n"
    mz_batch = checked(world, officer(world), "mz", rows.encode("utf-8"), name="mz.csv")
    assert mz_batch.rows_ok == 1
    commit(mz_batch, officer(world))
    person = personal_data.find_by_id_number("320104192805271137")
    person.refresh_from_db()
    assert person.name == "杨磊强"  # the owner's value stays shown
    conflicts = Conflict.objects.filter(person=person, status="open")
    assert {c.field.key for c in conflicts} == {"name", "gender"}
    assert all(c.owner.short_code == "ga" for c in conflicts)
    name_conflict = conflicts.get(field__key="name")
    # Only the owner settles.
    with pytest.raises(PermissionDenied):
        services.conflict_settle(actor=officer(world), conflict=name_conflict, keep="challenger")
    services.conflict_settle(actor=ga, conflict=name_conflict, keep="challenger", note="户籍核实")
    person.refresh_from_db()
    assert person.name == "杨磊"
    current = Fact.objects.get(person=person, field__key="name", is_current=True)
    assert current.source.short_code == "ga"


@pytest.mark.django_db
def test_duplicate_people_inside_one_file(world):
    rows = "姓名,公民身份号码,所属社区\r\n甲,320104192805271137,钞库街社区\r\n乙,320104192805271137,钞库街社区\r\n"
    batch = checked(world, officer(world), "mz", rows.encode(), name="dup.csv")
    bad = batch.rows.get(status="bad")
    assert bad.line == 3 and "与第2行是同一人" in bad.errors[0]


@pytest.mark.django_db
def test_formula_cells_are_refused_with_the_column(world, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "公民身份号码", "所属社区", "津贴标准"])
    ws.append(["张三", "320104192805271137", "钞库街社区", "=100*2"])
    path = tmp_path / "formula.xlsx"
    wb.save(path)
    batch = checked(world, officer(world), "mz", path)
    row = batch.rows.get()
    assert row.status == "bad" and "公式" in row.errors[0] and "津贴标准" in row.errors[0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"PK\x03\x04garbage-not-a-zip" * 10, "broken.xlsx", "损坏"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "secret.xlsx", "密码"),
        (b"just some text\r\nwithout a header\r\n", "plain.csv", "表头"),
        ("姓名,公民身份号码\r\n".encode("gbk"), "empty.csv", "没有数据行"),
    ],
    ids=["corrupted", "password", "no-header", "no-rows"],
)
def test_unreadable_files_get_a_clear_reason_and_write_nothing(world, content, name, message):
    before = (Person.objects.count(), ImportRow.objects.count())
    batch = checked(world, officer(world), "mz", content, name=name)
    assert batch.status == ImportBatch.Status.REJECTED
    assert message in batch.message
    assert (Person.objects.count(), ImportRow.objects.count()) == before
    with pytest.raises(ValidationError):
        services.import_commit(actor=officer(world), batch=batch)


@pytest.mark.django_db
def test_excel_unicode_text_and_an_xlsx_named_csv_are_read(world, tmp_path):
    """Excel's "Unicode 文本" export (UTF-16 with a byte-order mark, tab-separated) is read, not
    refused; a real .xlsx saved under a .csv name is recognised by its content."""
    text = "姓名\t公民身份号码\t所属社区\r\n张三\t320104192805271137\t钞库街社区\r\n"
    batch = checked(world, officer(world), "mz", text.encode("utf-16"), name="unicode.txt")
    assert batch.status == ImportBatch.Status.CHECKED, batch.message
    assert batch.rows_ok == 1 and batch.rows.get().data["shown"]["name"] == "张三"
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "公民身份号码", "所属社区"])
    wb.active.append(["李四", "320104192805271137", "钞库街社区"])
    content = io.BytesIO()
    wb.save(content)
    batch = checked(world, officer(world), "mz", content.getvalue(), name="roster.csv")
    assert batch.status == ImportBatch.Status.CHECKED, batch.message
    assert batch.rows_total == 1 and batch.rows_ok == 1


@pytest.mark.django_db
def test_upload_refuses_other_types_and_other_departments(world):
    with refused("file_type"):
        upload(world, officer(world), "mz", b"x", name="photo.jpg")
    with pytest.raises(PermissionDenied):
        upload(world, officer(world), "ga", CSV)  # a 民政局 officer cannot import for 公安
    with pytest.raises(PermissionDenied):
        upload(world, world.users["community_worker:own"], "mz", CSV)


@pytest.mark.django_db
def test_fuzzy_candidates_need_a_person_to_confirm(world):
    community = next(p for p in world.communities)
    from core import services as core_services

    existing = core_services.person_register(actor=world.root, place=community, name="李鹃")
    existing.birth_date = "1942-12-23"
    existing.save()
    rows = "姓名,出生日期,所属社区\r\n李娟,1942-12-23,钞库街社区\r\n"
    batch = checked(world, officer(world), "mz", rows.encode(), name="nameonly.csv")
    row = batch.rows.get()
    assert row.status == "confirm" and row.candidates == [existing.pk]
    assert not batch.can_commit
    with pytest.raises(ValidationError, match="待确认"):
        services.import_commit(actor=officer(world), batch=batch)
    services.import_confirm(actor=officer(world), row=row, person=existing)
    batch.refresh_from_db()
    assert batch.can_commit
    commit(batch, officer(world))
    assert batch.status == "committed"
    existing.refresh_from_db()
    assert existing.residence.community.name == "钞库街社区"


@pytest.mark.django_db
def test_saved_mapping_is_used_for_the_next_file(world):
    actor = officer(world)
    rows = "老人,证件,社区名\r\n张三,320104192805271137,钞库街社区\r\n"
    batch = checked(world, actor, "mz", rows.encode(), name="odd.csv")
    assert batch.status == "rejected"  # no recognisable header
    source = batch.source
    services.import_source_set_mapping(
        actor=actor,
        source=source,
        mapping={"老人": "name", "证件": "id_number", "社区名": "community"},
    )
    with pytest.raises(ValidationError):
        services.import_source_set_mapping(
            actor=actor, source=source, mapping={"老人": "name", "证件": "name"}
        )
    batch = checked(world, actor, "mz", rows.encode(), name="odd2.csv")
    assert batch.status == "checked" and batch.rows_ok == 1


def test_xlsx_is_read_streaming_in_read_only_mode(tmp_path):
    """read_rows never loads the workbook whole: openpyxl's read-only reader is used."""
    rows = importer.read_rows(str(XLSX), XLSX.name)
    first = next(rows)
    assert first[0] == "秦淮区2026年11月高龄津贴发放名册"
    with zipfile.ZipFile(XLSX) as z:
        assert "xl/worksheets/sheet1.xml" in z.namelist()
    copy = tmp_path / "copy.csv"
    shutil.copy(CSV, copy)
    assert importer.detect_encoding(str(copy)) == "gb18030"
    assert next(importer.read_rows(str(copy), "copy.csv"))[0] == "户号"
    assert io  # noqa: B018


@pytest.mark.django_db
def test_many_rows_with_one_bad_row_writes_nothing(world):
    """A long file streams through the dry run; one bad row blocks the whole commit."""
    from stdnum.cn import ric

    lines = ["姓名,公民身份号码,所属社区,联系电话"]
    for i in range(2000):
        base = f"3201041940{1 + i % 12:02d}{1 + i % 28:02d}{i % 1000:03d}"
        lines.append(f"居民{i},{base}{ric.calc_check_digit(base + '0')},钞库街社区,1390000{i:04d}")
    lines[1500] = lines[1500].replace("1390000", "139-0000-")  # still fine: dashes removed
    lines[1700] = "坏人,320104194001019999,钞库街社区,13900001700"
    content = ("\r\n".join(lines) + "\r\n").encode("gbk")
    before = (Person.objects.count(), Fact.objects.count())
    batch = checked(world, officer(world), "mz", content, name="long.csv")
    assert batch.rows_total == 2000 and batch.rows_bad == 1
    assert batch.rows.get(status="bad").line == 1701
    with pytest.raises(ValidationError):
        services.import_commit(actor=officer(world), batch=batch)
    assert (Person.objects.count(), Fact.objects.count()) == before


@pytest.mark.django_db
def test_candidates_by_birth_month_sound_and_address_first(world):
    from core import services as core_services

    chaoku = Place.objects.get(name="钞库街社区", district=world.district)
    far_one = core_services.person_register(actor=world.root, place=chaoku, name="李鹃")
    near_one = core_services.person_register(actor=world.root, place=chaoku, name="李涓")
    for person in (far_one, near_one):
        person.birth_date = "1942-12-23"
        person.save()
    services.place_person(
        person=near_one, community=chaoku, actual_address="南京市秦淮区中华路8号1幢101室"
    )
    rows = "姓名,出生年月,现住地址,所属社区\r\n李娟,1942.12,南京市秦淮区中华路8号1幢101室,钞库街社区\r\n"
    batch = checked(world, officer(world), "mz", rows.encode(), name="month.csv")
    row = batch.rows.get()
    assert row.status == "confirm" and row.candidates == [near_one.pk, far_one.pk]


@pytest.mark.django_db
@pytest.mark.parametrize("staged_before_id_parts", [False, True])
def test_new_people_take_their_values_as_shown_facts_with_provenance(world, staged_before_id_parts):
    """A person the import creates has every value as a current fact (source, author, batch,
    time), and their own columns as those values say: the gender column over the ID digit, the
    mobile number as theirs. Rows staged before the dry run kept the ID number's parts (gender,
    birth, fact hash) are committed the same way, by decrypting the number."""
    actor = officer(world)
    rows = (
        "姓名,公民身份号码,性别,所属社区,联系电话,备注,人员类别\r\n"
        "杨磊强,320104192805271137,女,钞库街社区,139-1234-5678,独居,户籍\\流动\r\n"
        "王平,320104193001010016,男,钞库街社区,025-52738041,,\r\n"
    )
    batch = checked(world, actor, "mz", rows.encode("gbk"), name="new.csv")
    assert batch.rows_ok == 2, list(batch.rows.values_list("errors", flat=True))
    if staged_before_id_parts:
        for row in batch.rows.all():
            assert row.data.pop("id")["gender"] == "M"  # both numbers say so
            row.save(update_fields=["data"])
    result = commit(batch, actor)
    assert batch.status == ImportBatch.Status.COMMITTED, batch.message
    assert result["created"] == 2 and result["current"] == 12 and result["conflict"] == 0

    _assert_the_woman_has_her_columns_and_shown_facts(actor, batch)
    man = personal_data.find_by_id_number("320104193001010016")
    assert man.gender == "M" and man.mobile_hash == ""  # a landline is a fact, not a mobile
    landline = Fact.objects.get(person=man, field__key="phone")
    assert landline.value == "025-****8041" and landline.is_current
    # Committed people are matched by the next identical file: every row unchanged.
    again = checked(world, actor, "mz", rows.encode("utf-8"), name="again.csv")
    assert again.rows_unchanged == 2 and again.rows_ok == 0


def _assert_the_woman_has_her_columns_and_shown_facts(actor, batch):
    """The gender column over the ID digit, her mobile number as hers, and every value a
    current fact with its provenance."""
    woman = personal_data.find_by_id_number("320104192805271137")
    assert woman.gender == "F"  # the ID digit says M; the file's gender column is shown
    assert str(woman.birth_date) == "1928-05-27" and woman.id_number_masked == "320104********1137"
    assert woman.mobile_masked == "139****5678"
    assert woman.mobile_hash == personal_data.mobile_hash("13912345678")
    assert personal_data.decrypt(woman.mobile_enc) == "13912345678"
    _assert_facts_with_provenance(woman, actor, batch)


def _assert_facts_with_provenance(woman, actor, batch):
    from registry import values

    facts = {f.field.key: f for f in Fact.objects.filter(person=woman).select_related("field")}
    assert set(facts) == {
        "name", "id_number", "gender", "phone", "birth_date", "living_alone", "person_category"
    }  # fmt: skip
    assert facts["person_category"].value == "户籍\\流动"  # a backslash survives COPY's text
    for key, fact in facts.items():
        assert fact.is_current and fact.source.short_code == "mz", key
        assert fact.author == actor and fact.batch_id == batch.pk and fact.recorded_at, key
        assert fact.source_label.startswith("民政") and fact.community.name == "钞库街社区"
    assert facts["id_number"].value == "320104********1137"
    assert personal_data.decrypt(facts["id_number"].value_enc) == "320104192805271137"
    assert facts["id_number"].value_hash == values.value_hash("id_number", "320104192805271137")
    assert facts["phone"].value_hash == values.value_hash("phone", "13912345678")
    assert facts["living_alone"].value == "是" and facts["gender"].value == "女"


def test_keyed_hash_is_the_hmac_every_stored_hash_was_made_with():
    """Import matching compares keyed hashes with those stored before keyed_hash reused its
    HMAC state: they must be the same HMAC-SHA256 of the same key."""
    import hashlib
    import hmac

    from django.conf import settings

    for value in ["id:320104192805271137", "fact:name:杨磊强", "", "mobile:13912345678"]:
        expected = hmac.new(settings.DATA_HASH_KEY.encode(), value.encode(), hashlib.sha256)
        assert personal_data.keyed_hash(value) == expected.hexdigest()


@pytest.mark.django_db
@pytest.mark.parametrize(("threshold", "analyzed"), [(56, True), (57, False)])
def test_a_large_commit_refreshes_the_planners_statistics(world, tmp_path, monkeypatch,
                                                          threshold, analyzed):  # fmt: skip
    from django.db import connection

    calls = []
    monkeypatch.setattr(importer, "ANALYZE_AFTER_ROWS", threshold)
    monkeypatch.setattr(importer, "refresh_statistics", lambda: calls.append(1))
    actor = officer(world)
    commit(checked(world, actor, "mz", fixed_roster(tmp_path)), actor)  # 56 people created
    assert calls == ([1] if analyzed and connection.vendor == "postgresql" else [])


@pytest.mark.django_db
def test_refresh_statistics_analyzes_the_registry_tables(world):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("ANALYZE statistics are PostgreSQL's")

    def analyzed() -> dict:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT relname, analyze_count FROM pg_stat_user_tables "
                "WHERE relname IN ('core_person', 'registry_residence', 'registry_fact')"
            )
            return dict(cursor.fetchall())

    before = analyzed()
    importer.refresh_statistics()
    after = analyzed()
    assert set(after) == {"core_person", "registry_residence", "registry_fact"}
    assert all(after[t] == before.get(t, 0) + 1 for t in after), (before, after)
