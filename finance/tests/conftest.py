"""A small district with the finance rules loaded and a second street officer on the first
street (two-person approval needs two)."""

import datetime
import io

import pytest
from PIL import Image

from core import clock
from core.models import Role
from core.services import person_register
from core.testing import PASSWORD, build_small_district
from core.tests.modules import rolled_back_after
from finance import services


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with rolled_back_after(django_db_blocker):
        d = build_small_district()
        services.rules_seed(actor=d.users["coordinator:own"], district=d.district)
        second = person_register(
            actor=d.root, place=d.streets[0], name="第二审批人", mobile="13912340001",
            username="street-second", password=PASSWORD, password_is_temporary=False,
            role=Role.STREET_OFFICER,
        )  # fmt: skip
        d.users["street_officer:second"] = second.account
        yield d


@pytest.fixture
def d(world, db):
    return world


def receipt_png(name="receipt.png") -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 180, 120)).save(out, "PNG")
    out.seek(0)
    out.name = name
    out.size = len(out.getvalue())
    return out


def last_month_day(day=10) -> datetime.date:
    first = clock.today().replace(day=1)
    return (first - datetime.timedelta(days=1)).replace(day=day)
