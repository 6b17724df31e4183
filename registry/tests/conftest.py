"""Shared builders for the registry's tests: a district with the sample files imported."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings

from registry import services, tasks
from registry.testing import DATA, build_sample_district, fixed_roster


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


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The sample district with its field registry, nothing imported (one per test module)."""
    with django_db_blocker.unblock(), transaction.atomic():
        d = build_sample_district()
        services.ensure_fields(d.district)
        yield d
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
