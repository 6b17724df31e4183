"""The demo's sample files (registry/samples/) name the demo district's own places: a dry run of
each on the demo district (tiny scale, the fewest communities) fails no row for an unknown
community or grid; and the committed copies are what registry.demo_samples makes."""

import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from core.demo import build_demo
from core.demo.build import USERNAME_PREFIX
from core.models import Department
from registry import demo_samples, services, tasks
from registry.models import ImportRow, ImportSource

UNKNOWN_PLACE = ("在本区找不到",)  # 所属社区“…”/所属网格“…”在本区找不到


def _dry_run(district, code, path):
    department = Department.objects.get(district=district, short_code=code)
    actor = get_user_model().objects.get(username=f"{USERNAME_PREFIX}{code}")
    source = ImportSource.objects.filter(department=department).first()
    if source is None:
        source = services.import_source_create(actor=actor, department=department, name="样例")
    batch = services.import_upload(
        actor=actor, source=source, upload=SimpleUploadedFile(path.name, path.read_bytes())
    )
    tasks.check_import.call(batch_id=batch.pk)
    batch.refresh_from_db()
    return batch


@pytest.mark.django_db
def test_each_demo_sample_names_only_places_the_demo_has(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    build_demo("tiny", 2026, io.StringIO())
    district = Department.objects.get(short_code="ga", district__code="320104").district
    for code, name, rows, bad_at_most in [
        ("ga", demo_samples.POLICE, 194, 1),  # its last row: an 18-digit household number
        ("mz", demo_samples.ROSTER, 56, 3),  # a cut ID number, a short one, a short phone number
    ]:
        batch = _dry_run(district, code, demo_samples.SAMPLES / name)
        assert batch.status == "checked", (name, batch.message)
        assert batch.rows_total == rows
        errors = [e for r in ImportRow.objects.filter(batch=batch) for e in r.errors]
        assert not [e for e in errors if any(w in e for w in UNKNOWN_PLACE)], (name, errors)
        assert batch.rows_bad <= bad_at_most, (name, errors)
    # The tests' own file, which the demo's copy replaces, fails there for its places.
    batch = _dry_run(district, "ga", demo_samples.TEST_DATA / "police_population_gbk.csv")
    errors = [e for r in ImportRow.objects.filter(batch=batch) for e in r.errors]
    assert len([e for e in errors if any(w in e for w in UNKNOWN_PLACE)]) > 100


def test_committed_samples_are_what_the_generator_makes(tmp_path):
    police, roster = demo_samples.write(tmp_path)
    assert police.read_bytes() == (demo_samples.SAMPLES / demo_samples.POLICE).read_bytes()
    made = openpyxl.load_workbook(roster).active
    kept = openpyxl.load_workbook(demo_samples.SAMPLES / demo_samples.ROSTER).active
    assert list(made.iter_rows(values_only=True)) == list(kept.iter_rows(values_only=True))
    assert "龙门东社区" not in police.read_bytes().decode("gb18030")
    assert demo_samples.demo_grid("钞库街社区第09网格") == "钞库街社区第2网格"
