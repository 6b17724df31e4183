"""Buildings, units and houses: scoped lists by community and grid, a building's houses with
their households and residents, and registering or correcting them through the services."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core.action_labels import label_for
from core.models import AuditEvent, Place
from core.tests.refused import refused
from registry import selectors, services
from registry.models import Building, House, Unit

ZHONGHUA = "江苏省南京市秦淮区中华路249号6幢"  # 周芳平's household (钞库街社区第07网格)


def chaoku(d):
    return Place.objects.get(name="钞库街社区", district=d.district)


@pytest.mark.django_db
def test_buildings_are_scoped_to_the_viewers_places(filled):
    worker = filled.users["chaoku_worker"]
    mine = selectors.buildings_visible_to(worker)
    assert mine.exists() and not mine.exclude(community__name="钞库街社区").exists()
    assert mine.filter(address=ZHONGHUA).exists()
    elsewhere = Building.objects.exclude(community__name="钞库街社区")
    assert elsewhere.exists() and not (set(mine) & set(elsewhere))
    # Street officers see their street's communities; residents and departments see none.
    street = filled.users["street_officer:own"]
    assert not selectors.buildings_visible_to(street).filter(community__name="钞库街社区").exists()
    assert not selectors.buildings_visible_to(filled.users["resident:own"]).exists()
    assert not selectors.buildings_visible_to(filled.users["department_officer:own"]).exists()
    assert selectors.buildings_visible_to(filled.root).count() == Building.objects.count()


@pytest.mark.django_db
def test_grid_workers_see_the_buildings_of_their_grid(filled):
    grid = filled.grids[0]  # grid_worker:own serves here
    building = services.building_create(
        actor=filled.users["community_worker:own"], community=grid.parent, grid=grid,
        address="新街口路1号2幢",
    )  # fmt: skip
    assert building in selectors.buildings_visible_to(filled.users["grid_worker:own"])
    assert building not in selectors.buildings_visible_to(filled.users["grid_worker:other"])
    assert building in selectors.buildings_visible_to(filled.users["community_worker:own"])
    assert building not in selectors.buildings_visible_to(filled.users["community_worker:other"])


@pytest.mark.django_db
def test_building_detail_lists_houses_households_and_residents(filled):
    building = Building.objects.get(address=ZHONGHUA)
    rows = selectors.houses_of(building)
    house = next(r for r in rows if r.house.number == "817室")
    assert [h.number for h in house.households] == ["3201040000001"]
    # One household: its members in pinyin order (马 ma before 周 zhou; by code point 周 first).
    assert [r.person.name for r in house.residents] == ["马军明", "周芳平"]
    assert {r.relation for r in house.residents} == {"户主", "配偶"}


@pytest.mark.django_db
def test_building_create_and_update_good_and_bad_input(filled):
    worker = filled.users["chaoku_worker"]
    community = chaoku(filled)
    grid = Place.objects.get(name="钞库街社区第3网格")
    before = AuditEvent.objects.count()
    building = services.building_create(
        actor=worker, community=community, grid=grid, address=" 南京市秦淮区 长乐路１２号３幢 "
    )
    assert building.address == "南京市秦淮区长乐路12号3幢"  # spaces and full-width digits
    assert AuditEvent.objects.filter(action="registry.building_create").count() == 1
    assert label_for("registry.building_create") == "登记楼栋"  # shown so in the audit log
    assert AuditEvent.objects.count() == before + 1
    bad = [
        ({"address": ""}, "请填写楼栋地址"),
        ({"address": "长乐路"}, "门牌号"),
        ({"address": "长乐路12号3幢2单元501室"}, "不含单元和室号"),
        ({"address": "路" * 199 + "1号"}, "过长"),
        ({"address": "南京市秦淮区长乐路12号3幢"}, "已登记"),
        # (as the platform admin, who may act anywhere: the place itself is wrong)
        ({"address": "长乐路13号", "grid": filled.grids[0], "actor": filled.root}, "网格不属于"),
        ({"address": "长乐路14号", "community": community.parent, "actor": filled.root},
         "请选择社区"),
    ]  # fmt: skip
    count = Building.objects.count()
    for overrides, message in bad:
        kwargs = {"actor": worker, "community": community, "grid": grid, **overrides}
        with pytest.raises(ValidationError, match=message):
            services.building_create(**kwargs)
    assert Building.objects.count() == count
    # Another community's worker may not register here.
    with pytest.raises(PermissionDenied):
        services.building_create(
            actor=filled.users["community_worker:own"], community=community, address="长乐路15号"
        )
    # Update: the grid, and the address while there are no houses.
    other_grid = Place.objects.get(name="钞库街社区第5网格")
    services.building_update(
        actor=worker, building=building, address="南京市秦淮区长乐路12号4幢", grid=other_grid
    )
    building.refresh_from_db()
    assert building.address.endswith("12号4幢") and building.grid == other_grid
    services.house_create(actor=worker, building=building, number="101")
    with refused("has_houses"):
        services.building_update(actor=worker, building=building, address="长乐路12号5幢")
    with pytest.raises(PermissionDenied):  # a grid the worker does not serve
        services.building_update(
            actor=worker, building=building, address=building.address, grid=filled.grids[0]
        )
    with pytest.raises(ValidationError, match="网格不属于"):
        services.building_update(
            actor=filled.root, building=building, address=building.address, grid=filled.grids[0]
        )
    empty = services.building_create(actor=worker, community=community, address="长乐路30号")
    with refused("duplicate", match="已登记"):
        services.building_update(actor=worker, building=empty, address=building.address)
    assert Building.objects.get(pk=empty.pk).address == "长乐路30号"


@pytest.mark.django_db
def test_house_create_good_and_bad_input(filled):
    worker = filled.users["chaoku_worker"]
    building = services.building_create(
        actor=worker, community=chaoku(filled), address="长乐路20号1幢"
    )
    house = services.house_create(actor=worker, building=building, unit="2单元", number="５０２室")
    assert house.address == "长乐路20号1幢2单元502室" and house.number == "502室"
    assert house.unit.number == "2" and house.community == building.community
    again = services.house_create(actor=worker, building=building, unit="02", number="503")
    assert again.unit == house.unit  # one unit, made once
    flat = services.house_create(actor=worker, building=building, number="101")
    assert flat.unit is None and flat.address == "长乐路20号1幢101室"
    houses, units = House.objects.count(), Unit.objects.count()
    for kwargs, message in [
        ({"unit": "二", "number": "101"}, "单元应为"),
        ({"unit": "123", "number": "101"}, "单元应为"),
        ({"number": ""}, "室号应为"),
        ({"number": "10a"}, "室号应为"),
        ({"number": "123456"}, "室号应为"),
        ({"unit": "2", "number": "502"}, "已登记"),
    ]:
        with pytest.raises(ValidationError, match=message):
            services.house_create(actor=worker, building=building, **kwargs)
    assert (House.objects.count(), Unit.objects.count()) == (houses, units)
    with pytest.raises(PermissionDenied):
        services.house_create(
            actor=filled.users["grid_worker:own"], building=building, number="102"
        )


@pytest.mark.django_db
def test_building_pages_filter_create_and_refuse(filled, client):
    worker = filled.users["chaoku_worker"]
    client.force_login(worker)
    community = chaoku(filled)
    grid = Place.objects.get(name="钞库街社区第7网格")
    url = reverse("registry:buildings")
    link = f">{ZHONGHUA}</a>"
    page = client.get(url).content.decode()
    assert link in page and "登记楼栋" in page
    page = client.get(url, {"community": community.pk, "grid": grid.pk}).content.decode()
    assert link in page and "建康路52号15幢</a>" not in page  # 15幢 is in grid 01
    page = client.get(url, {"q": "建康路"}).content.decode()
    assert link not in page and "建康路52号15幢</a>" in page
    assert client.get(url, {"community": "x", "grid": "999999", "page": "zz"}).status_code == 200
    # Bad input: the form says why in Chinese, nothing is written, no 500.
    count = Building.objects.count()
    response = client.post(url, {"community": community.pk, "grid": grid.pk, "address": "长乐路"})
    assert response.status_code == 200 and "门牌号" in response.content.decode()
    response = client.post(url, {"community": "not-a-number", "address": "长乐路9号"})
    assert response.status_code == 200 and Building.objects.count() == count
    response = client.post(
        url, {"community": community.pk, "grid": grid.pk, "address": "长乐路9号"}
    )
    building = Building.objects.get(address="长乐路9号")
    assert response.status_code == 302 and response.url == reverse(
        "registry:building", args=[building.pk]
    )
    detail = reverse("registry:building", args=[building.pk])
    response = client.post(detail, {"action": "house", "unit": "x", "number": "101"})
    assert response.status_code == 200 and "单元应为" in response.content.decode()
    response = client.post(detail, {"action": "house", "unit": "1", "number": "101"})
    assert response.status_code == 302
    page = client.get(detail).content.decode()
    assert "1单元101室" in page and "登记房屋" in page
    response = client.post(detail, {"action": "edit", "address": "长乐路", "grid": ""})
    assert response.status_code == 200 and "门牌号" in response.content.decode()
    response = client.post(detail, {"action": "edit", "address": "长乐路9号1幢", "grid": ""})
    assert response.status_code == 200 and "已有房屋" in response.content.decode()
    # Someone from another community: no such building for them; no forms for the auditor.
    client.force_login(filled.users["community_worker:own"])
    assert client.get(detail).status_code == 404
    assert client.post(url, {"community": community.pk, "address": "长乐路10号"}).status_code == 200
    assert not Building.objects.filter(address="长乐路10号").exists()
    client.force_login(filled.users["auditor:own"])
    page = client.get(url).content.decode()
    assert "登记楼栋" not in page
