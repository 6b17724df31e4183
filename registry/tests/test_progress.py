"""Progress of long imports: the dry run against an estimate made from the file, the commit
(one transaction) through registry.progress, shown on the batch page that htmx polls."""

import pytest
from django.urls import reverse

from registry import importer, progress, services, tasks
from registry.models import ImportBatch
from registry.testing import fixed_roster
from registry.tests.test_import import CSV, XLSX, checked, officer, upload


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"


def long_csv(n: int) -> bytes:
    from stdnum.cn import ric

    lines = ["姓名,公民身份号码,所属社区"]
    for i in range(n):
        base = f"3201041950{1 + i % 12:02d}{1 + i % 28:02d}{i % 1000:03d}"
        lines.append(f"居民{i},{base}{ric.calc_check_digit(base + '0')},钞库街社区")
    return ("\r\n".join(lines) + "\r\n").encode("gbk")


def test_estimate_rows_of_csv_and_xlsx_without_reading_them_whole(tmp_path):
    # The police CSV: one header line, every other line a person.
    lines = CSV.read_bytes().count(b"\n")
    assert importer.estimate_rows(str(CSV), CSV.name) == lines - 1
    # The roster: the sheet's dimension (title, filler and header rows included: an estimate).
    estimate = importer.estimate_rows(str(XLSX), XLSX.name)
    assert 56 <= estimate <= 62
    # Files that cannot be read estimate nothing (the dry run then says why).
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    assert importer.estimate_rows(str(broken), broken.name) == 0
    legacy = tmp_path / "old.xls"
    legacy.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    assert importer.estimate_rows(str(legacy), legacy.name) == 0
    assert importer.estimate_rows(str(tmp_path / "gone.csv"), "gone.csv") == 0


@pytest.mark.django_db
def test_dry_run_progress_is_stored_chunk_by_chunk(world, monkeypatch):
    monkeypatch.setattr(importer, "CHUNK", 40)
    seen = []
    flush = importer.stage_chunk

    def watched(batch, chunk, fields):
        flush(batch, chunk, fields)
        stored = ImportBatch.objects.get(pk=batch.pk)  # what the page reads
        seen.append((stored.status, stored.progress, stored.percent))

    monkeypatch.setattr(importer, "stage_chunk", watched)
    batch = checked(world, officer(world), "mz", long_csv(100), name="long.csv")
    assert batch.rows_expected == 100 and batch.rows_total == 100
    assert seen == [("checking", (40, 100), 40), ("checking", (80, 100), 80),
                    ("checking", (100, 100), 100)]  # fmt: skip
    assert batch.status == "checked" and batch.progress == (100, 100) and batch.percent == 100


@pytest.mark.django_db
@pytest.mark.parametrize("cache", ["locmem", "shared"])
def test_commit_progress_is_visible_outside_its_transaction(world, monkeypatch, settings, cache,
                                                             tmp_path):  # fmt: skip
    if cache == "shared":  # any cache every process reaches (Redis in production)
        settings.CACHES = {"default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache")}}  # fmt: skip
    batch = checked(world, officer(world), "mz", long_csv(100), name="long.csv")
    monkeypatch.setattr(importer, "CHUNK", 30)
    seen = []
    commit_chunk = importer.commit_chunk

    def watched(chunk, batch, *args):
        seen.append(ImportBatch.objects.get(pk=batch.pk).progress)  # before this chunk
        commit_chunk(chunk, batch, *args)

    monkeypatch.setattr(importer, "commit_chunk", watched)
    services.import_commit(actor=officer(world), batch=batch)
    assert ImportBatch.objects.get(pk=batch.pk).progress == (0, 100)
    tasks.commit_import.call(batch_id=batch.pk, actor_id=officer(world).pk)
    assert seen == [(0, 100), (30, 100), (60, 100), (90, 100)]
    batch.refresh_from_db()
    assert batch.status == "committed" and batch.progress == (100, 100)
    assert progress.get_done(batch.pk) == 0  # cleared once committed


@pytest.fixture
def checked_roster(world, client, tmp_path):
    """A 56-row roster checked by its department's officer, who is signed in: (actor, batch)."""
    actor = officer(world)
    client.force_login(actor)
    batch = upload(world, actor, "mz", fixed_roster(tmp_path))
    tasks.check_import.call(batch_id=batch.pk)
    return actor, batch


@pytest.mark.django_db
def test_batch_page_shows_progress_while_running(checked_roster, client):
    actor, batch = checked_roster
    services.import_commit(actor=actor, batch=batch)
    progress.set_done(batch.pk, 20)
    url = reverse("registry:batch", args=[batch.pk])
    part = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 2s"' in part  # htmx keeps polling while it runs
    assert "已写入20行，共56行" in part and 'value="35"' in part
    ImportBatch.objects.filter(pk=batch.pk).update(status="checking", rows_done=10)
    part = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "已检查10行，共约" in part
    ImportBatch.objects.filter(pk=batch.pk).update(status="committing")
    tasks.commit_import.call(batch_id=batch.pk, actor_id=actor.pk)
    part = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "every 2s" not in part and "56 / 56" in part


@pytest.mark.django_db
def test_batch_page_says_about_how_long_the_running_step_still_needs(checked_roster, client):
    import time

    actor, batch = checked_roster
    assert progress.get_started(batch.pk) == 0  # the dry run cleared its clock when done
    services.import_commit(actor=actor, batch=batch)
    url = reverse("registry:batch", args=[batch.pk])

    def page():
        return client.get(url, headers={"HX-Request": "true"}).content.decode()

    # 14 of 56 rows in 10 minutes: 42 rows left at that pace are 30 minutes.
    progress.step_started(batch.pk, at=time.time() - 600)
    progress.set_done(batch.pk, 14)
    assert ImportBatch.objects.get(pk=batch.pk).minutes_left == 30
    assert "约还需30分钟" in page()
    english = client.get(url, headers={"HX-Request": "true", "Accept-Language": "en"})
    assert "About 30 minutes left" in english.content.decode()
    # Nearly done: under a minute.
    progress.set_done(batch.pk, 55)
    assert "不到1分钟即可完成" in page()
    # Just started (no rows yet, or only seconds in): no guess.
    progress.set_done(batch.pk, 0)
    assert ImportBatch.objects.get(pk=batch.pk).minutes_left is None
    progress.step_started(batch.pk)
    progress.set_done(batch.pk, 14)
    assert ImportBatch.objects.get(pk=batch.pk).minutes_left is None
    assert "batch-time-left" not in page()
    # Finished: no guess either.
    tasks.commit_import.call(batch_id=batch.pk, actor_id=actor.pk)
    assert ImportBatch.objects.get(pk=batch.pk).minutes_left is None
    assert "batch-time-left" not in page() and progress.get_started(batch.pk) == 0
