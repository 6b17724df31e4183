"""Every role × every core action × own place / other place, through the real services.

"Own" targets lie in the first street of district 320104, where every role's own account
serves. "Other" targets lie in the second street (for street-level and lower roles) or in a
second district (for district-level roles). Nothing is allowed at the other place; at the own
place exactly the roles listed in EXPECTED are allowed. A refused action writes nothing. The
auditor reads and does nothing else: every write is refused to it, at its own place and elsewhere,
and so are the writes that have no place (the calendar, a new district).
"""

import datetime

import pytest
from django.db import transaction

from core import personal_data, services
from core.identifiers import grid_code
from core.models import Role, User
from core.testing import attempt_allowed, deny_unless
from core.tests.matrix import attempt_action, cells, matrix_tests, two_districts

R = Role
EXPECTED = {
    "view_community": set(Role),
    "change_grid": {R.ADMIN, R.COORDINATOR, R.STREET_OFFICER, R.COMMUNITY_WORKER},
    "change_community": {R.ADMIN, R.COORDINATOR, R.STREET_OFFICER},
    "create_community": {R.ADMIN, R.COORDINATOR},
    "add_grid": {R.ADMIN, R.COORDINATOR, R.STREET_OFFICER},
    "move_community": {R.ADMIN, R.COORDINATOR},
    "merge_community": {R.ADMIN, R.COORDINATOR},
    "assign_community_worker": {R.ADMIN, R.COORDINATOR, R.STREET_OFFICER},
    "assign_resident": {R.ADMIN, R.STREET_OFFICER, R.COMMUNITY_WORKER},
    "end_grid_worker_role": {R.ADMIN, R.COORDINATOR, R.STREET_OFFICER, R.COMMUNITY_WORKER},
    "register_person": {R.ADMIN, R.COORDINATOR, R.STREET_OFFICER, R.COMMUNITY_WORKER},
    "view_audit": {R.ADMIN, R.AUDITOR},
    "view_person": {R.ADMIN, R.STREET_OFFICER, R.COMMUNITY_WORKER, R.GRID_WORKER, R.AUDITOR},
    "reveal_person": {R.ADMIN, R.STREET_OFFICER, R.COMMUNITY_WORKER, R.GRID_WORKER},
    "manage_departments": {R.ADMIN, R.COORDINATOR},
    "update_department": {R.ADMIN, R.COORDINATOR},
    # A resident's request to be linked to their registry record (core.services.signup).
    "approve_account_link": {R.COMMUNITY_WORKER},
    "refuse_account_link": {R.COMMUNITY_WORKER},
}
READS = {"view_community", "view_audit", "view_person", "reveal_person"}
DISTRICT_ROLES = {R.ADMIN, R.COORDINATOR, R.DEPARTMENT_OFFICER, R.OVERSIGHT_OFFICER}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        own, far = two_districts()
        people = {
            name: services.person_register(
                actor=d.root, place=d.grids[index], name=f"居民{name}", id_number=id_number
            )
            for name, d, index, id_number in (
                ("own", own, 0, "320104195001011237"),
                ("street_b", own, 4, "320104198507153818"),
                ("far", far, 0, "320103196212030022"),
            )
        }
        yield own, far, people
        transaction.set_rollback(True)


def targets(world, role, side):
    """The district and places an action aims at, for this role on this side."""
    own, far, people = world
    if side == "own":
        return own, 0, people["own"]
    if role in DISTRICT_ROLES:
        return far, 0, people["far"]
    return own, 1, people["street_b"]


def attempt(world, role, side, action) -> bool:
    """Perform the action as the role's own account; True if allowed, False if refused."""
    own = world[0]
    actor = own.users[f"{role}:own"]
    d, b, person = targets(world, role, side)
    street, community, grid = d.streets[b], d.communities[2 * b], d.grids[4 * b]
    actions = {
        "view_community": lambda: deny_unless(actor.has_perm("core.view_place", community)),
        "change_grid": lambda: services.place_update(
            actor=actor, place=grid, name=grid.name + "改", population=1, households=1
        ),
        "change_community": lambda: services.place_update(
            actor=actor, place=community, name=community.name + "改", population=9, households=3
        ),
        "create_community": lambda: services.place_create(
            actor=actor, parent=street, name="新社区", code=street.code + "099"
        ),
        "add_grid": lambda: services.place_create(
            actor=actor,
            parent=community,
            name="新网格",
            code=grid_code(community_code=community.code, sequence=9),
        ),
        "move_community": lambda: services.place_move(
            actor=actor,
            place=community,
            new_parent=d.streets[1 - b],
            new_code=d.streets[1 - b].code + "077",
        ),
        "assign_community_worker": lambda: services.role_assign(
            actor=actor, user=d.root, role=Role.COMMUNITY_WORKER, place=community
        ),
        "assign_resident": lambda: services.role_assign(
            actor=actor, user=d.root, role=Role.RESIDENT, place=grid
        ),
        # (prepare, act): the district's root grants the role first; only the act is the cell's.
        "end_grid_worker_role": (
            lambda: services.role_assign(
                actor=d.root, user=d.root, role=Role.GRID_WORKER, place=grid
            ),
            lambda assignment: services.role_end(actor=actor, assignment=assignment),
        ),
        "merge_community": lambda: services.place_merge(
            actor=actor, place=d.communities[2 * b + 1], into=community, note="合并"
        ),
        "register_person": lambda: services.person_register(
            actor=actor, place=community, name="新居民"
        ),
        "view_audit": lambda: deny_unless(actor.has_perm("core.view_audit", street)),
        "view_person": lambda: deny_unless(actor.has_perm("core.view_person", person)),
        "reveal_person": lambda: personal_data.reveal(
            actor=actor, person=person, field="id_number", purpose="核对身份"
        ),
        "manage_departments": lambda: services.department_create(
            actor=actor, district=d.district, name="新部门", short_code="xin"
        ),
        "update_department": lambda: services.department_update(
            actor=actor, department=d.departments[1], name="城市管理局", is_active=True
        ),
    }
    actions |= link_actions(actor, community, person)
    return attempt_action(actions, action, f"{role} {action} {side}")


def link_actions(actor, community, person) -> dict:
    """(prepare, act): an account that signed up asks to be linked to ``person`` in
    ``community``; the cell is the decision."""

    def asked():
        user = User.objects.create(username=f"signed-up-{community.pk}")
        return services.account_link_request(
            actor=user,
            community=community,
            name=person.name,
            id_number=personal_data.decrypt(person.id_number_enc),
        )

    return {
        "approve_account_link": (
            asked,
            lambda link: services.account_link_approve(actor=actor, link=link),
        ),
        "refuse_account_link": (
            asked,
            lambda link: services.account_link_refuse(actor=actor, link=link, reason="不符"),
        ),
    }


test_matrix, test_auditor_writes_nothing = matrix_tests(EXPECTED, READS, attempt)


@pytest.mark.django_db
def test_auditor_writes_nothing_without_a_place(world):
    auditor = world[0].users[f"{R.AUDITOR}:own"]
    actions = {
        "calendar_set_day": lambda: services.calendar_set_day(
            actor=auditor, date=datetime.date(2027, 1, 4), is_working_day=False, note="调休"
        ),
        "calendar_mark_year_entered": lambda: services.calendar_mark_year_entered(
            actor=auditor, year=2027, source="国办发明电〔2026〕1号"
        ),
        "district_create": lambda: services.district_create(
            actor=auditor, name="玄武区", code="320102"
        ),
    }
    for name, action in actions.items():
        assert attempt_allowed(action, label=f"auditor {name}") is False


@pytest.mark.django_db
def test_every_role_and_action_is_in_the_matrix():
    assert {role for roles in EXPECTED.values() for role in roles} <= set(Role)
    assert len(cells(EXPECTED)) == len(Role) * len(EXPECTED) * 2
    assert READS <= set(EXPECTED)
