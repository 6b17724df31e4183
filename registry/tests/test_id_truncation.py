"""ID numbers cut by Excel (issue #19, item 1).

Excel keeps 15 significant digits: an 18-digit ID number in a cell formatted as a number comes
back with its last three digits zeroed ("320104196004218000"), or as "3.20104196004218E+17" in a
CSV. About 1 in 11 of the zeroed numbers still passes GB 11643's check digit, so the check digit
alone let such people in. Two guards: a column showing the signature of the cut is refused whole,
and a single valid number ending in 000 is held until a person has checked it.
"""

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from stdnum.cn import ric

from core.models import AuditEvent, Person
from core.tests.refused import refused
from registry import services
from registry.models import ImportBatch, ImportRow
from registry.tests.test_import import checked, commit, officer

pytestmark = pytest.mark.django_db

HEADER = "姓名,公民身份号码,所属社区\r\n"


def valid_numbers(count: int, *, ending_000: bool) -> list[str]:
    """Real-looking valid numbers of 1960s births, each ending in 000 or each not."""
    found = []
    for day in range(1, 29):
        for serial in range(0, 1000, 100 if ending_000 else 37):
            body = f"3201041965{1 + day % 12:02d}{day:02d}{serial:03d}"
            number = body + ric.calc_check_digit(body + "0")
            if number.endswith("000") == ending_000:
                found.append(number)
            if len(found) == count:
                return found
    raise AssertionError("not enough numbers")


def csv_of(numbers: list[str]) -> bytes:
    lines = [f"居民{i},{number},钞库街社区" for i, number in enumerate(numbers)]
    return (HEADER + "\r\n".join(lines) + "\r\n").encode("gbk")


def counts():
    return Person.objects.count(), ImportRow.objects.count()


def test_a_column_of_numbers_cut_to_000_is_refused_whole(world):
    good = valid_numbers(20, ending_000=False)
    cut = [n[:15] + "000" for n in good[:6]]  # what Excel leaves of them
    before = counts()
    batch = checked(world, officer(world), "mz", csv_of(cut + good[6:]), name="excel.csv")
    assert batch.status == ImportBatch.Status.REJECTED
    assert "公民身份号码" in batch.message and "文本" in batch.message and "第2行" in batch.message
    assert counts() == before
    with pytest.raises(ValidationError):
        services.import_commit(actor=officer(world), batch=batch)


def test_scientific_notation_is_refused_whole_and_explained_per_cell(world, tmp_path):
    good = valid_numbers(10, ending_000=False)
    scientific = ["3.20104196504E+17", "3.20104196505E+17", "3.2010419651E+17"]
    batch = checked(world, officer(world), "mz", csv_of(scientific + good), name="sci.csv")
    assert batch.status == ImportBatch.Status.REJECTED and "数字" in batch.message
    # One such cell among many good ones: that row alone, with what happened and what to do
    # (it used to say "身份证号应为18位，收到21位").
    batch = checked(world, officer(world), "mz", csv_of(scientific[:1] + good), name="one.csv")
    assert batch.status == ImportBatch.Status.CHECKED and batch.rows_bad == 1
    (error,) = batch.rows.get(status="bad").errors
    assert "存成了数字" in error and "文本" in error and "18位" not in error


def test_numeric_excel_cells_in_the_id_column_are_refused_whole(world, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "公民身份号码", "所属社区"])
    for i, number in enumerate(valid_numbers(4, ending_000=False)):
        ws.append([f"居民{i}", float(number[:15] + "000"), "钞库街社区"])  # a number cell
    path = tmp_path / "numbers.xlsx"
    wb.save(path)
    before = counts()
    batch = checked(world, officer(world), "mz", path)
    assert batch.status == ImportBatch.Status.REJECTED and "文本" in batch.message
    assert counts() == before


def test_one_valid_number_ending_in_000_waits_for_a_persons_check(world):
    actor = officer(world)
    (suspect,) = valid_numbers(1, ending_000=True)
    batch = checked(
        world, actor, "mz", csv_of([suspect, *valid_numbers(30, ending_000=False)]), name="one.csv"
    )
    assert batch.status == ImportBatch.Status.CHECKED  # one in 31 is not a cut column
    row = batch.rows.get(status="confirm")
    assert row.data["id_warning"] is True and batch.rows_to_confirm == 1
    with refused("to_confirm"):
        services.import_commit(actor=actor, batch=batch)
    with pytest.raises(PermissionDenied):
        services.import_id_numbers_checked(
            actor=world.users["community_worker:own"], batch=batch, row=row
        )
    row.refresh_from_db()
    assert row.status == "confirm" and "id_checked" not in row.data

    assert services.import_id_numbers_checked(actor=actor, batch=batch, row=row) == 1
    batch.refresh_from_db()
    assert batch.rows_to_confirm == 0 and batch.can_commit
    assert AuditEvent.objects.filter(action="registry.import_id_checked").count() == 1
    with refused("nothing_to_check"):
        services.import_id_numbers_checked(actor=actor, batch=batch, row=row)
    commit(batch, actor)
    assert batch.status == "committed" and batch.summary["created"] == 31


def test_all_numbers_ending_in_000_checked_at_once(world):
    actor = officer(world)
    suspects = valid_numbers(2, ending_000=True)
    batch = checked(
        world, actor, "mz", csv_of(suspects + valid_numbers(300, ending_000=False)), name="two.csv"
    )
    assert batch.rows_to_confirm == 2
    assert services.import_id_numbers_checked(actor=actor, batch=batch) == 2
    batch.refresh_from_db()
    assert batch.rows_to_confirm == 0 and batch.rows_ok == 302


def test_a_checked_number_still_needs_the_same_person_choice(world):
    """A row that may be someone registered without an ID number waits for that choice too."""
    from core import services as core_services

    actor = officer(world)
    community = world.communities[0]
    (suspect,) = valid_numbers(1, ending_000=True)
    birth = f"{suspect[6:10]}-{suspect[10:12]}-{suspect[12:14]}"
    existing = core_services.person_register(actor=world.root, place=community, name="居民0")
    existing.birth_date = birth
    existing.save()
    batch = checked(world, actor, "mz", csv_of([suspect]), name="both.csv")
    row = batch.rows.get()
    assert row.status == "confirm" and row.candidates == [existing.pk]
    with refused("id_unchecked"):
        services.import_confirm(actor=actor, row=row, person=existing)
    services.import_id_numbers_checked(actor=actor, batch=batch, row=row)
    row.refresh_from_db()
    assert row.status == "confirm"  # the person choice is still open
    services.import_confirm(actor=actor, row=row, person=existing)
    batch.refresh_from_db()
    assert batch.can_commit


def test_the_batch_page_warns_and_checks(world, client):
    actor = officer(world)
    suspects = valid_numbers(2, ending_000=True)
    batch = checked(
        world, actor, "mz", csv_of(suspects + valid_numbers(300, ending_000=False)), name="two.csv"
    )
    client.force_login(actor)
    page = client.get(f"/registry/imports/{batch.pk}/").content.decode()
    assert "以000结尾，可能被Excel截断过" in page and "2个号码均已核对无误" in page
    assert suspects[0] not in page  # shown masked
    response = client.post(
        f"/registry/imports/{batch.pk}/", {"action": "id_checked", "row": "all"}, follow=True
    )
    assert "已核对2个身份证号" in response.content.decode()
    batch.refresh_from_db()
    assert batch.rows_to_confirm == 0
    response = client.post(
        f"/registry/imports/{batch.pk}/", {"action": "id_checked", "row": "all"}, follow=True
    )
    assert "没有需要核对的身份证号" in response.content.decode()
