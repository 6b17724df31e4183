"""What a registry list shows, its links open (issue #21, item 2): a grid worker's building page
linked residents whose page answered 404, and 共享数据 counted 0 residents for a grid worker whom
人员 showed 4. Lists, counts and the person page read one rule, ``residents_visible_to``."""

import re

import pytest

from core import services as core_services
from core.models import Place, Role
from core.testing import PASSWORD
from registry import selectors, services
from registry.models import Building, Fact, Residence

ZHONGHUA = "江苏省南京市秦淮区中华路249号6幢"  # in 钞库街社区第07网格 (sample files)
PERSON_LINK = re.compile(r'href="(/registry/residents/\d+/)"')


@pytest.fixture
def grid_worker(filled):
    building = Building.objects.get(address=ZHONGHUA)
    person = core_services.person_register(
        actor=filled.root, place=building.grid, name="钞库街网格员", mobile="13900009993",
        username="chaoku-grid", password=PASSWORD, password_is_temporary=False,
        role=Role.GRID_WORKER,
    )  # fmt: skip
    return person.account, building


def links_open(client, page: str) -> list[str]:
    links = PERSON_LINK.findall(page)
    assert all(client.get(link).status_code == 200 for link in links), links
    return links


@pytest.mark.django_db
def test_grid_worker_sees_the_residents_of_the_grid_everywhere(filled, grid_worker, client):
    worker, building = grid_worker
    visible = selectors.residents_visible_to(worker)
    assert visible.exists() and not visible.exclude(grid=building.grid).exists()
    client.force_login(worker)
    home = client.get("/registry/").content.decode()
    assert re.search(rf"\b{visible.count()}\b", home)
    listed = links_open(client, client.get("/registry/residents/").content.decode())
    assert len(listed) == min(visible.count(), 30)


@pytest.mark.django_db
def test_building_page_links_only_residents_whose_page_opens(filled, grid_worker, client):
    worker, building = grid_worker
    living = Residence.objects.filter(house__building=building).select_related("person")
    assert living.count() >= 2
    # One of them registered in another grid: shown as living here, not linked for this worker.
    elsewhere = living.first()
    other_grid = Place.objects.filter(parent=building.community, level="grid").exclude(
        pk=building.grid_id
    )[0]
    Residence.objects.filter(pk=elsewhere.pk).update(grid=other_grid)
    client.force_login(worker)
    page = client.get(f"/registry/buildings/{building.pk}/").content.decode()
    links = links_open(client, page)
    assert len(links) == living.count() - 1
    assert f"/registry/residents/{elsewhere.person_id}/" not in links
    assert elsewhere.person.name in page


@pytest.mark.django_db
def test_conflicts_link_only_people_the_settler_may_open(filled, client):
    """A department settles conflicts on its fields without seeing residents' pages."""
    mz = next(x for x in filled.departments if x.short_code == "mz")
    ga = next(x for x in filled.departments if x.short_code == "ga")
    fact = Fact.objects.filter(field__key="elderly_allowance", is_current=True).first()
    outcome, _fact, conflict = services.fact_record(
        actor=filled.users["ga_officer"], person=fact.person, key="elderly_allowance", raw="1",
        source=ga,
    )  # fmt: skip
    assert outcome == "conflict" and conflict.owner == mz
    officer = filled.users["department_officer:own"]  # 民政局
    client.force_login(officer)
    page = client.get("/registry/conflicts/").content.decode()
    assert fact.person.name in page
    assert links_open(client, page) == []
    worker = filled.users["chaoku_worker"]
    client.force_login(worker)
    links_open(client, client.get("/registry/conflicts/").content.decode())
