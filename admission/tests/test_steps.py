"""The table of steps (admission.steps) is the one source of an admission request's lifecycle:
the API has an operation for each row, ``available_steps`` agrees with what the services allow,
and the request page offers exactly the available steps (the checks every table passes:
core.tests.steps_contract)."""

import re
from functools import partial

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.urls import reverse

from admission import services, steps
from admission.models import AdmissionRequest
from admission.tests.conftest import application, decide
from core.models import Role
from core.tests import steps_contract as contract

pytestmark = pytest.mark.django_db

ACTORS = [*(f"{role}:own" for role in Role), "root"]
STATES = [
    "incomplete", "under_review", "prepared", "refused_negative", "approved",
    "approved_conditions", "refused", "withdrawn", "appealed", "item_withdrawn",
]  # fmt: skip


@pytest.fixture(scope="module")
def world(d, django_db_blocker):
    """One request in every state (and an appealed one, and one whose item left the catalogue),
    inside the module's district (rolled back with it)."""
    officer, coordinator = d.users["department_officer:own"], d.users["coordinator:own"]

    def submit(state, **overrides):
        values = {"title": f"事项{state}", "submit_token": state, **overrides}
        return services.request_submit(**application(d, officer, **values))

    with django_db_blocker.unblock():
        requests = {
            "incomplete": submit("incomplete", funding_fen=0),
            "under_review": submit("under_review"),
            "refused_negative": submit("refused_negative", title="社区协助完成年度招商引资任务"),
        }
        requests["prepared"] = services.request_prepare(
            actor=coordinator, request=submit("prepared"), opinion="提请审议"
        )
        requests["approved"] = decide(d, submit("approved"))
        requests["approved_conditions"] = decide(
            d, submit("approved_conditions"), "approve_conditions", conditions="共享数据"
        )
        requests["refused"] = decide(d, submit("refused"), "refuse", reasons="重复")
        requests["withdrawn"] = services.request_withdraw(
            actor=officer, request=submit("withdrawn")
        )
        appealed = decide(d, submit("appealed"), "refuse", reasons="重复")
        appealed = services.request_appeal(actor=officer, request=appealed, reasons="有依据")
        requests["appealed"] = decide(d, appealed, "refuse", reasons="仍然重复")
        gone = decide(d, submit("item_withdrawn"))
        services.item_withdraw(actor=coordinator, item=gone.admitted_item, reasons="合并")
        requests["item_withdrawn"] = gone
    d.requests = requests
    return d


def actor_of(world, key):
    return world.root if key == "root" else world.users[key]


def fresh(world, state) -> AdmissionRequest:
    return AdmissionRequest.objects.get(pk=world.requests[state].pk)


def valid_input(world, step, request) -> dict:
    """Input a service accepts for the step (what an API client would send)."""
    raw = {}
    for spec in step.inputs:
        if spec.kind == steps.TEXT:
            raw[spec.name] = "说明理由"
        elif spec.kind == steps.FEN:
            raw[spec.name] = 100_000
        elif spec.kind == steps.DECISION:
            raw[spec.name] = "approve"
        elif spec.kind == steps.MEETING:
            raw[spec.name] = fresh(world, "approved").meeting_id
        # an entry to cite and a form's fields may be left out
    return raw


def service_allows(world, actor, step, request) -> bool:
    """Taking the step with valid input is not refused for permission or for the state (an
    Http404: no admitted item to take the step on)."""
    data = steps.clean_input(step, actor, request, valid_input(world, step, request))
    return contract.service_allows(
        step, actor, request, data, not_now=steps.STATE_CODES, refusals=(PermissionDenied, Http404)
    )


def objects(world) -> dict:
    """Each state's request, fetched afresh."""
    return {state: partial(fresh, world, state) for state in STATES}


def test_every_step_calls_its_service_with_keywords_it_takes():
    contract.check_rows(steps.TABLE, AdmissionRequest.Status.values)
    for step in steps.STEPS:
        assert step.on in (steps.ON_DISTRICT, steps.ON_REQUEST, steps.ON_ITEM), step.name


def test_every_text_of_the_step_table_is_in_the_english_catalogue():
    contract.check_texts_translated(steps.TABLE)


def test_the_api_has_an_operation_for_every_step(client, world):
    path = "/api/admission/requests/{request_id}/steps/{name}"
    contract.check_api_has_every_step(client, world.users["coordinator:own"], steps.TABLE, path)


@pytest.mark.parametrize("who", ACTORS)
def test_available_steps_agree_with_the_services(world, who):
    """For each state, a step is listed iff its service, called with valid input, is refused
    neither for permission nor for the state."""
    contract.check_available_steps_agree(
        steps.TABLE, actor_of(world, who), objects(world), partial(service_allows, world)
    )


def test_every_step_is_open_to_someone_somewhere(world):
    """The agreement above is not empty: each step is available to an actor in some state."""
    actors = [actor_of(world, who) for who in ("coordinator:own", "department_officer:own")]
    contract.check_every_step_open(steps.TABLE, actors, objects(world))


def offered(page: str) -> set[str]:
    buttons = re.findall(r'<button name="action" value="([a-z_]+)"', page)
    links = re.findall(r'data-step="([a-z_]+)"', page)
    return {*buttons, *links}


@pytest.mark.parametrize(
    "who", ["coordinator:own", "department_officer:own", "community_worker:own", "admin:own"]
)
def test_the_page_offers_exactly_the_available_steps(client, world, who):
    contract.check_page_offers_available(
        client, actor_of(world, who), steps.TABLE, objects(world), offered=offered,
        url=lambda request: reverse("admission:request_detail", args=[request.pk]),
    )  # fmt: skip


def test_a_step_through_the_generic_api_operation(client, world):
    request = fresh(world, "incomplete")
    url = f"/api/admission/requests/{request.pk}/steps/amend"
    client.force_login(world.users["coordinator:own"])
    with transaction.atomic():
        refused = client.post(url, {"funding_fen": 100}, content_type="application/json")
        assert refused.status_code == 403  # not the applying department's
        client.force_login(world.users["department_officer:own"])
        unknown = client.post(url, {"cited_entry_id": 999999}, content_type="application/json")
        assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_reference"
        body = {"funding_fen": 300_000, "legal_basis": "《中华人民共和国老年人权益保障法》"}
        ok = client.post(url, body, content_type="application/json")
        assert ok.status_code == 200, ok.content
        assert ok.json()["status"] == "under_review"
        again = client.post(url, body, content_type="application/json")
        assert again.status_code == 422 and "只有材料不全" in again.json()["detail"]
        transaction.set_rollback(True)


def test_a_refused_step_on_the_page_says_why_and_changes_nothing(client, world):
    request = fresh(world, "under_review")
    client.force_login(world.users["department_officer:own"])
    url = reverse("admission:request_detail", args=[request.pk])
    page = client.post(url, {"action": "withdraw_item", "reasons": "x"})
    assert page.status_code == 404  # no admitted item to withdraw
    page = client.post(url, {"action": "nonsense"})
    assert page.status_code == 200 and "未知的操作" in page.content.decode()
    assert fresh(world, "under_review").status == "under_review"
