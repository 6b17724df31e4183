import datetime

import pytest

from core.testing import build_small_district


@pytest.fixture
def d(db):
    return build_small_district()


@pytest.fixture
def enrol(d):
    """Enrol a worker in the first community as its community worker would (hired unless told)."""
    from workforce import services

    def make(**fields):
        values = {
            "actor": d.users["community_worker:own"], "community": d.communities[0],
            "name": "王芳", "kind": "hired", "education": "bachelor",
            "service_start": datetime.date(2016, 3, 1), "post": "other",
            "title": "社区专职工作者", "starts_on": datetime.date(2020, 1, 1),
            "contract_ends_on": datetime.date(2030, 12, 31), "probation_months": 0,
        }  # fmt: skip
        return services.worker_enrol(**{**values, **fields})

    return make
