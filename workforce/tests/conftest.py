import datetime

import pytest

from core.testing import build_small_district


@pytest.fixture
def d(db):
    return build_small_district()


def on_file(d, account, community, *, post="chief"):
    """``account`` (a community worker there) on file in ``community`` as an elected member
    in ``post`` (正职 by default: the community's head), in post from 2021 to 2031."""
    from workforce import services
    from workforce.rules import forget_standing

    worker = services.worker_enrol(
        actor=d.root, community=community, person=account.person, kind="elected",
        education="bachelor", service_start=datetime.date(2015, 1, 1), post=post,
        title="社区党组织书记" if post == "chief" else "居委会副主任",
        starts_on=datetime.date(2021, 1, 1), body="party",
        term_ends_on=datetime.date(2031, 12, 31),
    )  # fmt: skip
    forget_standing(account)
    return worker


def new_on_file(d, community, *, username="head", post="chief"):
    """A new community-worker account at ``community``, on file there in ``post``."""
    from core import services as core_services
    from core.models import Role
    from core.testing import PASSWORD

    person = core_services.person_register(
        actor=d.root, place=community, name=f"{username}-社区负责人", username=username,
        password=PASSWORD, password_is_temporary=False, role=Role.COMMUNITY_WORKER,
    )  # fmt: skip
    on_file(d, person.account, community, post=post)
    return person.account


@pytest.fixture
def head(d):
    """community_worker:own made the first community's head (正职 on file, in post)."""
    return on_file(d, d.users["community_worker:own"], d.communities[0])


@pytest.fixture
def enrol(d):
    """Enrol a worker in the first community as its street officer would (hired unless told)."""
    from workforce import services

    def make(**fields):
        values = {
            "actor": d.users["street_officer:own"], "community": d.communities[0],
            "name": "王芳", "kind": "hired", "education": "bachelor",
            "service_start": datetime.date(2016, 3, 1), "post": "other",
            "title": "社区专职工作者", "starts_on": datetime.date(2020, 1, 1),
            "contract_ends_on": datetime.date(2030, 12, 31), "probation_months": 0,
        }  # fmt: skip
        return services.worker_enrol(**{**values, **fields})

    return make
