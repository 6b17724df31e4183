"""A small real district with the default catalogue, built once per test module."""

from dataclasses import dataclass

import pytest
from django.db import transaction

from core.testing import SmallDistrict, build_small_district
from services import services as request_services
from services.models import ServiceItem


@dataclass
class World:
    d: SmallDistrict
    items: dict[str, ServiceItem]

    def user(self, key: str):
        return self.d.users[key]

    @property
    def dispatcher(self):
        return self.d.users["coordinator:own"]

    @property
    def officer(self):  # 民政局 (departments[0])
        return self.d.users["department_officer:own"]

    @property
    def resident(self):
        return self.d.users["resident:own"]


def build_world(*, code: str = "320104", name: str = "秦淮区") -> World:
    d = build_small_district(code=code, name=name)
    request_services.catalogue_seed(actor=d.root, district=d.district)
    items = {item.code: item for item in ServiceItem.objects.filter(district=d.district)}
    return World(d, items)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, kind_of_day):
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def api_key(world, django_db_blocker):
    """An Open311 API key of the district (the raw key a client sends)."""
    with django_db_blocker.unblock():
        _key, raw = request_services.open311_key_create(
            actor=world.d.root, district=world.d.district, name="测试App"
        )
    return raw


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
