"""Shared builders for the registry's tests: a district with the sample files imported."""

from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings

from registry import services, tasks
from registry.testing import build_sample_district

DATA = Path(__file__).parent / "data"


def fixed_roster(folder: Path) -> Path:
    """The civil-affairs roster with its three bad rows corrected."""
    wb = openpyxl.load_workbook(DATA / "civil_affairs_allowance.xlsx")
    for row in wb.active.iter_rows(min_row=5):
        if row[5].value == "32010419350612001X":
            row[5].value = "320104193506120018"
        elif row[5].value == "3201041938021":
            row[5].value = "32010419380210002X"
        elif row[2].value == "不存在社区":
            row[2].value = "宏运社区"
            row[7].value = "13812345670"
    path = folder / "roster-fixed.xlsx"
    wb.save(path)
    return path


def import_file(d, actor, code, name, content, source_name):
    department = next(x for x in d.departments if x.short_code == code)
    source = services.import_source_create(actor=actor, department=department, name=source_name)
    batch = services.import_upload(
        actor=actor, source=source, upload=SimpleUploadedFile(name, content)
    )
    tasks.check_import.call(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.can_commit, (batch.status, batch.message, batch.rows_bad)
    services.import_commit(actor=actor, batch=batch)
    tasks.commit_import.call(batch_id=batch.pk, actor_id=actor.pk)
    batch.refresh_from_db()
    assert batch.status == "committed", batch.message
    return batch


def build_filled(folder: Path):
    """Sample district; the police population file (minus its bad last line) and the fixed
    civil-affairs roster imported."""
    d = build_sample_district()
    police = (DATA / "police_population_gbk.csv").read_bytes()
    police = police.rstrip(b"\r\n").rsplit(b"\r\n", 1)[0] + b"\r\n"
    import_file(d, d.users["ga_officer"], "ga", "population.csv", police, "实有人口")
    roster = fixed_roster(folder).read_bytes()
    import_file(d, d.users["department_officer:own"], "mz", "roster.xlsx", roster, "高龄津贴名册")
    return d


@pytest.fixture(scope="module")
def filled(django_db_setup, django_db_blocker, tmp_path_factory):
    folder = tmp_path_factory.mktemp("media")
    with override_settings(MEDIA_ROOT=folder), django_db_blocker.unblock(), transaction.atomic():
        yield build_filled(folder)
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
