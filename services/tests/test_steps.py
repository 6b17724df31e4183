"""The table of steps (services.steps) is the one source of the request lifecycle: the API has an
operation for each row, ``available_steps`` agrees with what the services allow, and the request
page offers exactly the available steps (the checks every table passes: core.tests.steps_contract).
"""

import re
from functools import partial

import pytest
from django.db import transaction
from django.http import Http404
from django.urls import reverse

from core.models import Role
from core.tests import steps_contract as contract
from services import services as request_services
from services import steps
from services.models import Category, ServiceRequest, State
from services.tests.conftest import build_world

pytestmark = pytest.mark.django_db

STATES = ["submitted", "accepted", "dispatched", "handling", "answered", "closed", "disputed"]
ACTORS = [*(f"{role}:own" for role in Role), "root"]


def walk(world, upto: str) -> ServiceRequest:
    """A request filed by the own resident, moved by the district's root to state ``upto``."""
    d, root = world.d, world.d.root
    req = request_services.request_submit(
        actor=world.resident, place=d.grids[0], description="路灯不亮", category=Category.HELP,
        resident=world.resident.person,
    )  # fmt: skip
    moves = [
        ("accepted", lambda r: request_services.request_accept(actor=root, request=r)),
        ("dispatched", lambda r: request_services.request_dispatch(
            actor=root, request=r, department=d.departments[0])),
        ("handling", lambda r: request_services.request_sign(actor=root, request=r)),
        ("answered", lambda r: request_services.request_answer(
            actor=root, request=r, answer="已修复")),
        ("closed", lambda r: request_services.request_close(actor=root, request=r)),
        ("disputed", lambda r: request_services.request_rate(
            actor=root, request=r, rating="unsatisfied", note="没修好")),
    ]  # fmt: skip
    for state, move in moves[: STATES.index(upto)]:
        req = move(req)
        assert req.state == state
    return req


LOCAL = ["grid-submitted", "grid-handling", "grid-answered", "street-handling", "street-reported"]


def walk_local(world, upto: str) -> ServiceRequest:
    """A request of a grid item (services.level_models) filed in the own grid, taken by the grid
    worker; escalated to the street, which blows the whistle to the first department."""
    d, users = world.d, world.d.users
    grid, community, street = (
        users["grid_worker:own"], users["community_worker:own"], users["street_officer:own"],
    )  # fmt: skip
    req = request_services.request_submit(
        actor=world.resident, place=d.grids[0], item=world.items["CG-007"],
        description="小广告贴满单元门", resident=world.resident.person,
    )  # fmt: skip
    moves = {
        "grid-handling": [lambda r: request_services.request_local_accept(actor=grid, request=r)],
        "grid-answered": [
            lambda r: request_services.request_answer(actor=grid, request=r, answer="已清理")
        ],
        "street-handling": [
            lambda r: request_services.request_escalate(actor=grid, request=r, reason="需社区"),
            lambda r: request_services.request_sign(actor=community, request=r),
            lambda r: request_services.request_escalate(actor=community, request=r, reason="街道"),
            lambda r: request_services.request_sign(actor=street, request=r),
            lambda r: (
                request_services.request_whistle(
                    actor=street, request=r, departments=d.departments[:1], reason="需部门"
                )[0].request
            ),
        ],
        "street-reported": [
            lambda r: (
                request_services.whistle_report(
                    actor=users["department_officer:own"], request=r, report="已到场"
                ).request
            )
        ],
    }
    path = {"grid-answered": ["grid-handling", "grid-answered"],
            "street-handling": ["grid-handling", "street-handling"],
            "street-reported": ["grid-handling", "street-handling", "street-reported"]}  # fmt: skip
    for stage in path.get(upto, [upto] if upto != "grid-submitted" else []):
        for move in moves[stage]:
            req = move(req)
    return ServiceRequest.objects.get(pk=req.pk)


def walk_property(world) -> dict:
    """Requests at 物业 (services.services.property): one routed at filing (the resident lives in
    a compound with a company in force), one the company signed; property_staff:own acts for it.
    After the local walks: the grid item is handled at 物业 from here on."""
    from owners.services.property import staff_grant
    from services.tests import property_world

    setup = property_world.make(world)
    staff_grant(
        actor=world.d.root, company=setup.company, account=world.d.users["property_staff:own"]
    )
    item = property_world.property_item(world)
    signed = request_services.request_property_accept(
        actor=setup.staff, request=property_world.file(world, item)
    )
    return {"property-dispatched": property_world.file(world, item), "property-handling": signed}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, kind_of_day):
    with django_db_blocker.unblock(), transaction.atomic():
        w = build_world()
        w.requests = {state: walk(w, state) for state in STATES}
        w.requests |= {stage: walk_local(w, stage) for stage in LOCAL}
        w.requests |= walk_property(w)
        yield w
        transaction.set_rollback(True)


def actor_of(world, key):
    return world.d.root if key == "root" else world.d.users[key]


def valid_input(world, step, req) -> dict:
    """Input a service accepts for the step (what a page or client would send)."""
    d = world.d
    raw = {}
    for spec in step.inputs:
        if spec.kind == steps.TEXT:
            raw[spec.name] = "路灯已修复" if spec.name.startswith("public") else "说明理由"
        elif spec.kind == steps.DEPARTMENT:
            raw[spec.name] = d.departments[1].pk
        elif spec.kind == steps.DEPARTMENTS:
            raw[spec.name] = []
        elif spec.kind == steps.DAYS:
            raw[spec.name] = 2
        elif spec.kind == steps.RATING:
            raw[spec.name] = "satisfied"
        elif spec.kind == steps.APPLICATION:
            raw[spec.name] = req.applications.get(status="pending").pk
        elif spec.kind == steps.WHISTLE:
            waiting = steps.reports_to_rate(req).first()
            raw[spec.name] = waiting.pk if waiting else ""
        elif spec.kind == steps.MERGE_TARGET:
            into = world.requests["dispatched"]
            raw[spec.name] = (into if into.pk != req.pk else world.requests["handling"]).pk
    return raw


def prepare(world, step, req):
    """A step on an application needs one pending: the lead department asks to return it."""
    if step.subject == "application" and req.state in steps.IN_HAND and req.level == "department":
        request_services.return_ask(actor=world.d.root, request=req, reason="不属本部门")


def service_allows(world, actor, step, req) -> bool:
    """Taking the step with valid input is not refused for permission or for the state."""
    if step.subject == "application" and not req.applications.filter(status="pending").exists():
        return False  # nothing to decide: the service cannot even be called
    try:
        data = steps.clean_input(step, actor, req, valid_input(world, step, req))
    except Http404:
        return False  # an input the user may not use (a request they do not dispatch)
    return contract.service_allows(step, actor, req, data, not_now={"bad_state"})


def fresh(world) -> dict:
    """Each state's request, fetched afresh."""
    return {
        state: lambda pk=req.pk: ServiceRequest.objects.get(pk=pk)
        for state, req in world.requests.items()
    }


def test_every_step_calls_its_service_with_keywords_it_takes():
    contract.check_rows(steps.TABLE, State.values)


def test_every_text_of_the_step_table_is_in_the_english_catalogue():
    contract.check_texts_translated(steps.TABLE)


def test_the_api_has_an_operation_for_every_step(client, world):
    path = "/api/services/requests/{request_id}/steps/{name}"
    contract.check_api_has_every_step(client, world.dispatcher, steps.TABLE, path)


@pytest.mark.parametrize("who", ACTORS)
def test_available_steps_agree_with_the_services(world, who):
    """For each state, a step is listed iff its service, called with valid input, is refused
    neither for permission nor for the state."""
    contract.check_available_steps_agree(
        steps.TABLE, actor_of(world, who), fresh(world),
        partial(service_allows, world), prepare=partial(prepare, world),
    )  # fmt: skip


def test_every_step_is_open_to_someone_somewhere(world):
    """The agreement above is not empty: each step is available to an actor in some state."""
    actors = [actor_of(world, who) for who in ACTORS]
    contract.check_every_step_open(steps.TABLE, actors, fresh(world), partial(prepare, world))


def offered(page: str) -> set[str]:
    """The steps with a button on the page, and the button in its step's form."""
    buttons = set(re.findall(r'<button name="action" value="([a-z_]+)"', page))
    return {name for name in buttons if f'data-step-form="{steps.BY_NAME[name].form}"' in page}


def ask_to_return(world, req):
    """The lead department asks to return it (so deciding on an application is offered)."""
    if req.state in steps.IN_HAND and req.level == "department":
        request_services.return_ask(actor=world.d.root, request=req, reason="不属本部门")


@pytest.mark.parametrize(
    "who",
    [
        "coordinator:own", "department_officer:own", "resident:own", "street_officer:own",
        "grid_worker:own", "community_worker:own",
    ],
)  # fmt: skip
def test_the_page_offers_exactly_the_available_steps(client, world, who):
    contract.check_page_offers_available(
        client, actor_of(world, who), steps.TABLE, fresh(world), offered=offered,
        url=lambda req: reverse("services:request_detail", args=[req.pk]),
        prepare=partial(ask_to_return, world),
    )  # fmt: skip


def test_a_step_through_the_generic_api_operation(client, world):
    client.force_login(world.dispatcher)
    req = world.requests["submitted"]
    url = f"/api/services/requests/{req.pk}/steps/accept_dispatch"
    with transaction.atomic():
        bad = client.post(url, {"note": "x"}, content_type="application/json")
        assert bad.status_code == 422  # the lead department is required
        ok = client.post(
            url, {"department": world.d.departments[1].pk}, content_type="application/json"
        )
        assert ok.status_code == 200, ok.content
        assert ok.json()["state"] == "dispatched" and ok.json()["lead_department"] == "城管局"
        again = client.post(
            url, {"department": world.d.departments[1].pk}, content_type="application/json"
        )
        assert again.status_code == 422 and "不能受理" in again.json()["detail"]
        client.force_login(world.resident)  # sees it, may not sign it
        sign = client.post(f"/api/services/requests/{req.pk}/steps/sign")
        assert sign.status_code == 403
        transaction.set_rollback(True)
