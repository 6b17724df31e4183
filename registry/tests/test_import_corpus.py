"""A corpus of malformed import files (registry/tests/data/malformed, plus a few generated here),
each uploaded through the real page and checked by the real task: never a 500, never a check
that crashes (a batch left "checking" forever), and never a row written to the registry. The
outcome is a refusal with a reason: the form refuses the upload, or the batch is refused
("无法读取" with a message), or its bad rows are listed and it cannot be committed. Files that a
lenient reader takes in full (UTF-16 with a byte-order mark) are checked like any other, and
still write nothing until someone commits them."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import AuditEvent, Person
from registry import services, tasks
from registry.models import Fact, Household, ImportBatch, Residence

pytestmark = pytest.mark.django_db
MALFORMED = Path(__file__).parent / "data" / "malformed"

# What each file comes to: "form" (the upload form refuses it), "rejected" (the batch cannot be
# read, with this fragment in its reason), "bad" (read, with rows refused), "read" (read in full).
EXPECTED = {
    "binary.csv": ("rejected", ""),
    # A 60 MB cell from 66 KB on a row of its own, no ID: read (streaming) and left out.
    "bomb-cell.xlsx": ("read", ""),
    "empty-sheet.xlsx": ("rejected", ""),
    "empty.csv": ("form", ""),
    "empty.xlsx": ("form", ""),
    "formula-fullwidth.csv": ("bad", ""),
    "formula.csv": ("bad", ""),
    "formula.xlsx": ("bad", ""),
    "html-as.xlsx": ("rejected", ""),
    "huge-header.csv": ("rejected", ""),
    "nested-zip.xlsx": ("rejected", ""),
    "nul-bytes.csv": ("rejected", "第2行含有空字符"),  # a 500 on PostgreSQL before
    "only-newlines.csv": ("rejected", ""),
    "pdf-as.csv": ("rejected", ""),
    "truncated.xlsx": ("rejected", "损坏"),
    # The open quote runs to the end of the file: one field, read as a name (left to review).
    "unbalanced-quotes.csv": ("read", ""),
    "utf16-no-bom.csv": ("rejected", "编码"),
    "utf16.csv": ("read", ""),
    "wide-header.xlsx": ("rejected", ""),
    "xls-renamed.xlsx": ("rejected", ""),
    "zip-not-xlsx.xlsx": ("rejected", ""),
    "long-header-cell.csv": ("rejected", ""),
    "many-sheets.xlsx": ("read", ""),
    "deep-nesting.xlsx": ("rejected", ""),
}


def generated() -> dict[str, bytes]:
    """Files too big to keep in the repository, or built from the good ones."""
    header_cell = ("姓名" * 50000 + ",公民身份号码\r\n张三,320104192805271137\r\n").encode()
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["姓名", "公民身份号码", "所属社区"])
    book.active.append(["张三", "320104192805271137", "钞库街社区"])
    for i in range(60):
        book.create_sheet(f"表{i}").append(["x"])
    many = io.BytesIO()
    book.save(many)
    nested = io.BytesIO()  # a zip inside a zip inside a zip, named .xlsx
    inner = b"PK\x05\x06" + b"\x00" * 18
    for depth in range(5):
        layer = io.BytesIO()
        with zipfile.ZipFile(layer, "w") as z:
            z.writestr(f"layer{depth}.xlsx", inner)
        inner = layer.getvalue()
    nested.write(inner)
    return {
        "long-header-cell.csv": header_cell,
        "many-sheets.xlsx": many.getvalue(),
        "deep-nesting.xlsx": nested.getvalue(),
    }


def corpus() -> dict[str, bytes]:
    files = {path.name: path.read_bytes() for path in sorted(MALFORMED.iterdir())}
    return files | generated()


CORPUS = corpus()


def registry_rows() -> tuple[int, ...]:
    return (
        Person.objects.count(),
        Fact.objects.count(),
        Residence.objects.count(),
        Household.objects.count(),
    )


def test_every_file_of_the_corpus_has_an_expected_outcome():
    assert set(CORPUS) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_malformed_import_file_is_refused_with_a_reason_and_writes_nothing(
    client, world, settings, name
):
    officer = world.users["department_officer:own"]
    department = next(x for x in world.departments if x.short_code == "mz")
    client.force_login(officer)
    before, batches = registry_rows(), ImportBatch.objects.count()
    response = client.post(
        reverse("registry:imports"),
        {"department": department.pk, "source_name": "来历不明的文件",
         "file": SimpleUploadedFile(name, CORPUS[name])},
    )  # fmt: skip
    assert response.status_code in (200, 302), (name, response.status_code)
    outcome, fragment = EXPECTED[name]
    if outcome == "form":
        assert response.status_code == 200
        assert ImportBatch.objects.count() == batches
        assert "errorlist" in response.content.decode() or "错误" in response.content.decode()
        assert registry_rows() == before
        return
    assert response.status_code == 302, response.content.decode()[:2000]
    batch = ImportBatch.objects.latest("pk")
    tasks.check_import.call(batch_id=batch.pk)
    batch.refresh_from_db()
    page = client.get(reverse("registry:batch", args=[batch.pk]))
    assert page.status_code == 200
    assert registry_rows() == before
    if outcome == "rejected":
        assert batch.status == ImportBatch.Status.REJECTED, (name, batch.status, batch.rows_bad)
        assert batch.message and fragment in batch.message, batch.message
        assert batch.message in page.content.decode()
    elif outcome == "bad":
        assert batch.status == ImportBatch.Status.CHECKED, (name, batch.status, batch.message)
        assert batch.rows_bad >= 1 and not batch.can_commit
    else:
        assert batch.status == ImportBatch.Status.CHECKED, (name, batch.status, batch.message)
    if not batch.can_commit:
        events = AuditEvent.objects.count()
        with pytest.raises(ValidationError):
            services.import_commit(actor=officer, batch=batch)
        assert AuditEvent.objects.count() == events
