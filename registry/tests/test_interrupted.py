"""A worker killed in the middle of an import (issue #19, item 2): the batch no longer stays on
"导入中" for good. The running step keeps a heartbeat (core.heartbeat); once it stops, the page
says so at once, a watcher job marks the batch within a minute, and the user starts again:
a dead commit wrote nothing (one transaction) and can be committed anew, a dead dry run can be
checked again."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.urls import reverse

from core import heartbeat
from core.models import AuditEvent, Person
from registry import progress, services, tasks
from registry.models import ImportBatch
from registry.testing import fixed_roster
from registry.tests.test_import import checked, commit, officer, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    # With Redis the beats live in the cache, which outlives a test and a run: a beat left there
    # by an earlier run for a batch of the same id (ids start again in a new test database) was
    # read as this batch's. So each test keys the cache afresh.
    cache = settings.CACHES["default"]
    if "locmem" not in cache["BACKEND"].lower():
        settings.CACHES = {"default": {**cache, "KEY_PREFIX": f"t-{uuid.uuid4().hex}"}}


def stop_beating(name: str) -> None:
    """What a killed worker leaves: its last beat, older than the lease."""
    heartbeat.shared_put(f"heartbeat:{name}", time.time() - heartbeat.LEASE_SECONDS - 5)


def test_a_killed_process_stops_its_heartbeat(settings, tmp_path, monkeypatch):
    """A real process beating for a name, killed with SIGKILL: its beat stops and goes stale."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    env = {**os.environ, "LINLI_VAR_DIR": str(settings.VAR_DIR), "PYTHONPATH": os.getcwd()}
    env.pop("REDIS_URL", None)  # the file store, shared by both processes through VAR_DIR
    code = (
        "import django, time; django.setup();"
        "from core import heartbeat;"
        "ctx = heartbeat.kept_alive('killed', every=0.2); ctx.__enter__(); time.sleep(60)"
    )
    worker = subprocess.Popen(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code],
        env={**env, "DJANGO_SETTINGS_MODULE": "linli.settings"},
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        deadline = time.time() + 60
        while heartbeat.last_beat("killed") is None and time.time() < deadline:
            time.sleep(0.1)
        assert heartbeat.last_beat("killed") is not None, "the worker never beat"
        assert not heartbeat.is_dead("killed")
    finally:
        worker.kill()
        worker.wait()
    last = heartbeat.last_beat("killed")
    time.sleep(0.6)
    assert heartbeat.last_beat("killed") == last  # nobody beats any more
    monkeypatch.setattr(heartbeat, "LEASE_SECONDS", 0.5)
    assert heartbeat.is_dead("killed")


def test_kept_alive_beats_while_the_block_runs_and_clears_after():
    with heartbeat.kept_alive("block", every=0.05):
        first = heartbeat.last_beat("block")
        # Beats every 0.05 s; waited for up to 10 s, since a busy machine may run the beating
        # thread late (a fixed 0.2 s sleep flaked there).
        deadline = time.monotonic() + 10
        while heartbeat.last_beat("block") <= first and time.monotonic() < deadline:
            time.sleep(0.05)
        assert heartbeat.last_beat("block") > first
    assert heartbeat.last_beat("block") is None and not heartbeat.is_dead("block")


def test_a_dead_commit_is_marked_and_committed_anew(world, client, tmp_path):
    actor = officer(world)
    batch = checked(world, actor, "mz", fixed_roster(tmp_path))
    people = Person.objects.count()
    services.import_commit(actor=actor, batch=batch)  # queued: no beat yet, not dead
    assert services.imports_mark_interrupted() == []
    heartbeat.beat(progress.lease(batch.pk, "commit"))  # the worker took it …
    assert services.imports_mark_interrupted() == []
    stop_beating(progress.lease(batch.pk, "commit"))  # … and was killed
    client.force_login(actor)
    url = reverse("registry:batch", args=[batch.pk])
    part = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "后台处理进程已无响应" in part

    assert tasks.imports_interrupted(period="p") == {"interrupted": [batch.pk]}
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CHECKED and "没有写入任何数据" in batch.message
    assert batch.can_commit and Person.objects.count() == people
    assert AuditEvent.objects.filter(action="registry.import_interrupted").count() == 1
    assert heartbeat.last_beat(progress.lease(batch.pk, "commit")) is None
    assert services.imports_mark_interrupted() == []  # once
    commit(batch, actor)
    assert batch.status == ImportBatch.Status.COMMITTED
    assert Person.objects.count() > people


def test_a_dead_dry_run_is_marked_and_checked_again(world, client, tmp_path):
    actor = officer(world)
    batch = upload(world, actor, "mz", fixed_roster(tmp_path))
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.CHECKING)
    stop_beating(progress.lease(batch.pk, "check"))
    assert services.imports_mark_interrupted() == [batch.pk]
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.INTERRUPTED and "重新检查" in batch.message
    client.force_login(actor)
    url = reverse("registry:batch", args=[batch.pk])
    page = client.get(url).content.decode()
    assert 'value="recheck"' in page and batch.message in page
    client.post(url, {"action": "recheck"})
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.QUEUED
    tasks.check_import.call(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CHECKED and batch.can_commit


def test_a_step_that_finished_meanwhile_is_left_alone(world, tmp_path):
    actor = officer(world)
    batch = checked(world, actor, "mz", fixed_roster(tmp_path))
    stop_beating(progress.lease(batch.pk, "check"))  # a stale beat of a step that ended
    assert services.imports_mark_interrupted() == []
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CHECKED
