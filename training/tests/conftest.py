import datetime

import pytest

from core import clock
from core.testing import build_small_district


def held_day() -> datetime.date:
    """A day already past this year (the courses of the tests are held on it)."""
    today = clock.today()
    return max(today - datetime.timedelta(days=10), today.replace(month=1, day=1))


def make_worker(d, community, name, *, account=None, service_start=datetime.date(2016, 3, 1)):
    from workforce import services

    return services.worker_enrol(
        actor=d.root, community=community, name=name, person=account.person if account else None,
        kind="hired", education="bachelor", service_start=service_start, post="other",
        title="社区专职工作者", starts_on=max(service_start, datetime.date(2020, 1, 1)),
        contract_ends_on=datetime.date(2035, 12, 31), probation_months=0,
    )  # fmt: skip


@pytest.fixture
def d(db):
    """A small district with the default training rules, a worker in the first community (the
    community-worker account's own) and one in the second street, a district plan this year with
    a course already held."""
    from training import services

    d = build_small_district()
    services.defaults_seed(actor=d.root, district=d.district)
    d.worker = make_worker(d, d.communities[0], "李娜", account=d.users["community_worker:own"])
    d.far_worker = make_worker(d, d.communities[3], "周强")
    day = held_day()
    d.plan = services.plan_create(actor=d.root, place=d.district, kind="periodic", year=day.year,
                                  title="在岗轮训")  # fmt: skip
    from training.models import ContentArea

    d.areas = list(ContentArea.objects.filter(district=d.district).order_by("order"))
    d.course = services.course_create(
        actor=d.root, plan=d.plan, title="沟通技巧", area=d.areas[3], format="classroom",
        held_on=day, hours=8, venue="培训中心", capacity=2,
    )  # fmt: skip
    return d
