import pytest

from core import services as core_services
from core.models import Role
from core.testing import PASSWORD
from core.tests.matrix import two_districts
from core.tests.modules import rolled_back_after
from oversight import services


def second_officer(d):
    """Another oversight officer of the district (销号 is verified by someone other than the
    officer who opened the case)."""
    person = core_services.person_register(
        actor=d.root, place=d.district, name="第二纪检干部", mobile=f"139{int(d.district.code) % 100000:05d}001",
        username=f"second-officer-{d.district.code}", password=PASSWORD,
        password_is_temporary=False, role=Role.OVERSIGHT_OFFICER,
    )  # fmt: skip
    return person.account


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Two districts (core.tests.matrix), each with its sanction rules and a second officer."""
    with rolled_back_after(django_db_blocker):
        own, other = two_districts()
        for d in (own, other):
            services.sanction_rules_seed(
                actor=d.users[f"{Role.OVERSIGHT_OFFICER}:own"], district=d.district
            )
            d.users["second_officer"] = second_officer(d)
        yield own, other
