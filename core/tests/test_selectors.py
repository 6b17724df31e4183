"""Scoped reads in core.selectors that several apps share."""

import pytest

from core import services
from core.models import Role, RoleAssignment
from core.selectors import role_holders
from core.testing import build_small_district


@pytest.fixture
def d(db):
    return build_small_district()


def test_role_holders_are_the_current_active_holders_exactly_at_the_places(d):
    worker_own = d.users[f"{Role.COMMUNITY_WORKER}:own"]
    worker_other = d.users[f"{Role.COMMUNITY_WORKER}:other"]
    own_community = d.place_of("own", "community")
    other_community = d.place_of("other", "community")

    assert list(role_holders({Role.COMMUNITY_WORKER}, places=[own_community])) == [worker_own]
    both = role_holders({Role.COMMUNITY_WORKER}, places=[own_community.pk, other_community.pk])
    assert set(both) == {worker_own, worker_other}
    # The street above and the grids below are not "at" the community.
    assert not role_holders({Role.COMMUNITY_WORKER}, places=[own_community.parent_id]).exists()
    assert not role_holders({Role.STREET_OFFICER}, places=[own_community]).exists()

    # A user holding two of the roles, at two of the places, is listed once.
    services.role_assign(actor=d.root, user=worker_other, role=Role.COORDINATOR, place=d.district)
    holders = list(
        role_holders(
            {Role.COMMUNITY_WORKER, Role.COORDINATOR},
            places=[d.district, own_community, other_community],
        )
    )
    coordinator = d.users[f"{Role.COORDINATOR}:own"]
    assert sorted(holders, key=lambda u: u.pk) == holders
    assert len(holders) == 3
    assert set(holders) == {coordinator, worker_own, worker_other}


def test_role_holders_leave_out_ended_roles_and_inactive_accounts(d):
    worker_own = d.users[f"{Role.COMMUNITY_WORKER}:own"]
    community = d.place_of("own", "community")
    assignment = RoleAssignment.objects.get(user=worker_own, role=Role.COMMUNITY_WORKER)
    services.role_end(actor=d.root, assignment=assignment)
    assert not role_holders({Role.COMMUNITY_WORKER}, places=[community]).exists()

    coordinator = d.users[f"{Role.COORDINATOR}:own"]
    assert list(role_holders({Role.COORDINATOR})) == [coordinator]
    coordinator.is_active = False
    coordinator.save(update_fields=["is_active"])
    assert not role_holders({Role.COORDINATOR}).exists()


def test_role_holders_by_department(d):
    officer = d.users[f"{Role.DEPARTMENT_OFFICER}:own"]
    civil, urban = d.departments
    assert list(role_holders({Role.DEPARTMENT_OFFICER}, department=civil)) == [officer]
    assert not role_holders({Role.DEPARTMENT_OFFICER}, department=urban).exists()
