"""Every role × each step of handling below the departments (issue #14 item 1) × own place /
other place, through the real services: only the grid worker of the request's own grid takes the
grid's steps, the community worker of its community signs what the grid sent up, the street
officer of its street blows the whistle and rates the reports, and only an officer of a called
department reports. Sides as in test_permission_matrix: "other" is the second street for street
and lower roles, a second district for district roles. A refused step writes nothing."""

import pytest
from django.db import transaction

from core.models import Role
from core.tests.matrix import attempt_action, matrix_tests
from services import services as request_services
from services.tests.conftest import build_world
from services.tests.test_permission_matrix import DISTRICT_ROLES

R = Role
EXPECTED = {
    "local_accept": {R.GRID_WORKER},
    "answer_in_grid": {R.GRID_WORKER},
    "close_in_grid": {R.GRID_WORKER},
    "escalate": {R.GRID_WORKER},
    "sign_in_community": {R.COMMUNITY_WORKER},
    "whistle": {R.STREET_OFFICER},
    "report": {R.DEPARTMENT_OFFICER},
    "rate_report": {R.STREET_OFFICER},
}
STAGES = ["submitted", "handling", "answered", "community", "street", "reported"]


def walk(world, side: str, place, upto: str):
    """A grid item's request at ``place``, moved by the handlers of ``side`` to ``upto``."""
    users, d = world.d.users, world.d
    grid, community, street = (users[f"{r}:{side}"] for r in
                               ("grid_worker", "community_worker", "street_officer"))  # fmt: skip
    req = request_services.request_submit(
        actor=world.resident,
        place=place,
        item=world.items["CG-007"],
        description="小广告",
    )
    moves = [
        ("handling", lambda r: request_services.request_local_accept(actor=grid, request=r)),
        ("answered", lambda r: request_services.request_answer(actor=grid, request=r, answer="好")),
    ]
    if upto in ("community", "street", "reported"):
        moves = moves[:1] + [
            ("community", lambda r: request_services.request_escalate(
                actor=grid, request=r, reason="需社区")),
            ("street", lambda r: request_services.request_escalate(
                actor=community, request=request_services.request_sign(actor=community, request=r),
                reason="需街道")),
            ("street", lambda r: request_services.request_sign(actor=street, request=r)),
            ("street", lambda r: request_services.request_whistle(
                actor=street, request=r, departments=d.departments[:1], reason="需部门"
            )[0].request),
            ("reported", lambda r: request_services.whistle_report(
                actor=users["department_officer:own"], request=r, report="已到场").request),
        ]  # fmt: skip
    for stage, move in moves:
        if STAGES.index(stage) > STAGES.index(upto):
            break
        req = move(req)
    return req


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        own = build_world()
        far = build_world(code="320105", name="建邺区")
        sides = {
            "own": (own, "own", own.d.grids[0]),
            "street_b": (own, "other", own.d.grids[4]),
            "far": (far, "own", far.d.grids[0]),
        }
        requests = {
            (side, stage): walk(w, who, place, stage)
            for side, (w, who, place) in sides.items()
            for stage in STAGES
        }
        yield own, far, requests
        transaction.set_rollback(True)


def attempt(world, role, side, action) -> bool:
    own, far, requests = world
    actor = own.d.users[f"{role}:own"]
    where = "own" if side == "own" else "far" if role in DISTRICT_ROLES else "street_b"
    w = own if where != "far" else far

    def req(stage):
        return requests[(where, stage)]

    actions = {
        "local_accept": lambda: request_services.request_local_accept(
            actor=actor, request=req("submitted")
        ),
        "answer_in_grid": lambda: request_services.request_answer(
            actor=actor, request=req("handling"), answer="已清理"
        ),
        "close_in_grid": lambda: request_services.request_local_close(
            actor=actor, request=req("answered")
        ),
        "escalate": lambda: request_services.request_escalate(
            actor=actor, request=req("handling"), reason="需社区"
        ),
        "sign_in_community": lambda: request_services.request_sign(
            actor=actor, request=req("community")
        ),
        "whistle": lambda: request_services.request_whistle(
            actor=actor, request=req("reported"), departments=w.d.departments[1:], reason="再召集"
        ),
        "report": lambda: request_services.whistle_report(
            actor=actor, request=req("street"), report="已到场"
        ),
        "rate_report": lambda: request_services.whistle_rate(
            actor=actor,
            request=req("reported"),
            whistle=req("reported").whistles.get(),
            rating="satisfied",
        ),  # fmt: skip
    }
    return attempt_action(actions, action, f"{role} {action} {side}")


test_matrix, test_auditor_writes_nothing = matrix_tests(EXPECTED, set(), attempt)
