"""The import batch page is the one page that loads htmx (it polls the batch's progress); its
polled part does not load it again, and the other shared-data pages do not load it at all."""

import pytest
from django.urls import reverse

from registry import tasks
from registry.testing import fixed_roster
from registry.tests.test_import import officer, upload


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"


@pytest.mark.django_db
def test_the_batch_page_loads_htmx_and_polls_while_the_batch_runs(world, client, tmp_path):
    actor = officer(world)
    client.force_login(actor)
    batch = upload(world, actor, "mz", fixed_roster(tmp_path))
    url = reverse("registry:batch", args=[batch.pk])
    page = client.get(url).content.decode()
    assert page.count("vendor/htmx/htmx.min.js") == 1
    assert '"allowEval": false' in page and '"allowScriptTags": false' in page
    assert 'hx-get="' + url + '"' in page and 'hx-trigger="every 2s"' in page  # queued: polls
    part = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "htmx.min.js" not in part and "<html" not in part
    tasks.check_import.call(batch_id=batch.pk)
    page = client.get(url).content.decode()
    assert "hx-trigger" not in page and "data-reload-when-finished" in page
    assert "htmx.min.js" in page  # loaded on the batch page whatever its state
    assert "htmx.min.js" not in client.get(reverse("registry:imports")).content.decode()


@pytest.mark.django_db
def test_a_file_refused_in_the_background_reloads_the_page_to_say_why(world, client):
    """The polled part of a batch refused by the dry run asks for the reload that shows the
    reason (it used to stop polling and leave "无法读取" with no reason until a manual reload)."""
    actor = officer(world)
    client.force_login(actor)
    batch = upload(world, actor, "mz", b"just some text\r\nwithout a header\r\n", name="x.csv")
    url = reverse("registry:batch", args=[batch.pk])
    assert "data-was-running" in client.get(url).content.decode()
    tasks.check_import.call(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == "rejected"
    part = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "data-reload-when-finished" in part and "hx-trigger" not in part
    assert batch.message in client.get(url).content.decode()
