"""The table of steps (timebank.steps) is the one source of an order's lifecycle: the API has an
operation for each row, ``available_steps`` agrees with what the services allow, and the pages
offer exactly the available steps (the checks every table passes: core.tests.steps_contract)."""

import re

import pytest
from django.db import transaction
from django.urls import reverse

from core.tests import steps_contract as contract
from timebank import services, steps
from timebank.models import Order
from timebank.tests.test_exchange import people  # noqa: F401 - the module fixture

pytestmark = pytest.mark.django_db

# Refusals that mean "not now" (the order's state, a dispute open, rated already), as against
# refusals of the input or of the ledger (the step was open; what was sent was not accepted).
NOT_NOW = {
    "wrong_status", "dispute_open", "already_rated", "rate_when_confirming", "dispute_closed",
    "nothing_posted",
}  # fmt: skip
ACTORS = ["volunteer", "daughter", "worker", "admin", "officer", "other_worker", "resident",
          "root"]  # fmt: skip


def _order(world, title: str) -> Order:
    """A need the community worker posts for the elder (the daughter confirms), taken."""
    listing = services.listing_create(
        actor=world["worker"], kind="need", category="company", title=title, minutes=60,
        recipient=world["elder"], contact_mobile="13900000002",
    )  # fmt: skip
    return services.order_take(actor=world["volunteer"], listing=listing)


def _walk(world, upto: list[str]) -> Order:
    v, daughter, admin = world["volunteer"], world["daughter"], world["admin"]
    moves = {
        "sign_in": lambda o: services.order_sign_in(actor=v, order=o),
        "sign_out": lambda o: services.order_sign_out(actor=v, order=o),
        "rate": lambda o: services.order_rate(actor=v, order=o, rating=4),
        "confirm": lambda o: services.order_confirm(actor=daughter, order=o, minutes=60, rating=5),
        "confirm_unrated": lambda o: services.order_confirm(actor=daughter, order=o, minutes=60),
        "approve": lambda o: services.order_approve(actor=admin, order=o),
        "dispute": lambda o: services.dispute_raise(actor=daughter, order=o, reason="时长不对"),
        "reject": lambda o: services.order_reject(actor=admin, order=o, reason="未服务"),
        "cancel": lambda o: services.order_cancel(actor=v, order=o),
        "reverse": lambda o: services.dispute_resolve(
            actor=world["officer"], dispute=o.disputes.get(status="open"), outcome="reverse",
            note="未发生",
        ),
    }  # fmt: skip
    order = _order(world, "、".join(upto) or "接单")
    for move in upto:
        moves[move](order)
        order = Order.objects.get(pk=order.pk)
    return order


WALKS = {
    "taken": [],
    "signed_in": ["sign_in"],
    "signed_out": ["sign_in", "sign_out"],
    "signed_out_rated": ["sign_in", "sign_out", "rate"],
    "signed_out_disputed": ["sign_in", "sign_out", "dispute"],
    "confirmed": ["sign_in", "sign_out", "confirm"],
    "confirmed_unrated": ["sign_in", "sign_out", "confirm_unrated"],
    "confirmed_disputed": ["sign_in", "sign_out", "confirm_unrated", "dispute"],
    "approved": ["sign_in", "sign_out", "confirm", "approve"],
    "approved_disputed": ["sign_in", "sign_out", "confirm_unrated", "approve", "dispute"],
    "rejected": ["sign_in", "sign_out", "reject"],
    "cancelled": ["cancel"],
    "reversed": ["sign_in", "sign_out", "confirm", "approve", "dispute", "reverse"],
}


@pytest.fixture(scope="module")
def world(bank, people, django_db_blocker):  # noqa: F811
    """The volunteer, the elder's daughter and the staff, with an order in each state."""
    with django_db_blocker.unblock(), transaction.atomic():
        d = bank.d
        w = {
            **people, "worker": bank.worker, "admin": d.users["admin:own"],
            "officer": bank.officer, "other_worker": d.users["community_worker:other"],
            "resident": d.users["resident:own"], "root": d.root,
        }  # fmt: skip
        w["orders"] = {name: _walk(w, moves) for name, moves in WALKS.items()}
        yield w
        transaction.set_rollback(True)


def valid_input(step: steps.Step) -> dict:
    """Input a service accepts for the step (what a page or client would send, cleaned)."""
    data = {}
    for spec in step.inputs:
        if spec.kind == steps.MINUTES:
            data[spec.name] = 30 if spec.required else None
        elif spec.kind == steps.STARS:
            data[spec.name] = 4
        elif spec.kind == steps.OUTCOME:
            data[spec.name] = "uphold"
        else:
            data[spec.name] = "说明理由"
    return data


def fresh(world) -> dict:
    """Each walk's order, fetched afresh."""
    return {
        state: lambda pk=order.pk: Order.objects.get(pk=pk)
        for state, order in world["orders"].items()
    }


def service_allows(actor, step: steps.Step, order: Order) -> bool:
    """Taking the step with valid input is refused neither for who nor for "not now"."""
    return contract.service_allows(step, actor, order, valid_input(step), not_now=NOT_NOW)


def test_every_step_calls_its_service_with_keywords_it_takes():
    contract.check_rows(steps.TABLE, Order.Status.values)
    for step in steps.STEPS:
        assert step.summary, step.name
        if step.inputs:
            assert step.title, f"{step.name}: a step with input needs a heading on the order page"


def test_every_text_of_the_step_table_is_in_the_english_catalogue():
    contract.check_texts_translated(steps.TABLE, extra=steps.OUTCOME_LABELS.values())


@pytest.mark.parametrize("who", ACTORS)
def test_available_steps_agree_with_the_services(world, who):
    """For each state, a step is listed iff its service, called with valid input, is refused
    neither for permission nor for the state."""
    contract.check_available_steps_agree(steps.TABLE, world[who], fresh(world), service_allows)


def test_every_step_is_available_to_someone_somewhere(world):
    """The walks above reach every row of the table (so the tests below see every step)."""
    actors = [world[who] for who in ACTORS]
    contract.check_every_step_open(steps.TABLE, actors, fresh(world))


def offered(page: str) -> set[str]:
    return set(re.findall(r'data-step="([a-z_]+)"', page))


@pytest.mark.parametrize("who", ACTORS)
def test_the_order_page_offers_exactly_the_available_steps(client, world, who):
    contract.check_page_offers_available(
        client, world[who], steps.TABLE, fresh(world), offered=offered,
        url=lambda order: reverse("timebank:order", args=[order.pk]),
    )  # fmt: skip


def step_forms(page: str) -> set[tuple[str, str]]:
    """(where it posts, which step) of each step's form on a page."""
    return set(re.findall(r'<form method="post" action="([^"]+)"[^>]*data-step="([a-z_]+)"', page))


def test_the_home_and_approvals_pages_offer_their_steps(client, world):
    """Sign in, cancel and sign out in the volunteer's list, confirming in the family's, approve
    and reject on the approvals page: each as the table says, posting to the step's URL."""
    orders = world["orders"]

    def offers(who, page, state, name) -> bool:
        client.force_login(world[who])
        forms = step_forms(client.get(reverse(page)).content.decode())
        return (reverse("timebank:order_action", args=[orders[state].pk, name]), name) in forms

    assert offers("volunteer", "timebank:home", "taken", "sign_in")
    assert offers("volunteer", "timebank:home", "taken", "cancel")
    assert offers("volunteer", "timebank:home", "signed_in", "sign_out")
    assert not offers("volunteer", "timebank:home", "signed_out", "rate")  # on the order page
    assert offers("daughter", "timebank:home", "signed_out", "confirm")
    assert offers("admin", "timebank:approvals", "confirmed", "approve")
    assert offers("admin", "timebank:approvals", "confirmed", "reject")
    # a disputed order waits: neither approve nor reject is offered for it
    assert not offers("admin", "timebank:approvals", "confirmed_disputed", "approve")
    assert not offers("admin", "timebank:approvals", "confirmed_disputed", "reject")
    assert {s.also_on for s in steps.STEPS} == {"", "home", "approvals"}


def test_the_api_has_an_operation_for_every_step(client, world):
    path = "/api/timebank/orders/{order_id}/steps/{name}"
    contract.check_api_has_every_step(client, world["admin"], steps.TABLE, path)


def test_steps_through_the_generated_api_operations(client, world):
    orders = world["orders"]
    with transaction.atomic():
        client.force_login(world["volunteer"])
        url = f"/api/timebank/orders/{orders['taken'].pk}/steps/sign_in"
        ok = client.post(url)
        assert ok.status_code == 200 and ok.json()["status"] == "signed_in"
        again = client.post(url)
        assert again.status_code == 422 and again.json()["code"] == "wrong_status"
        client.force_login(world["daughter"])
        url = f"/api/timebank/orders/{orders['signed_out'].pk}/steps/confirm"
        bad = client.post(url, {"minutes": 0}, content_type="application/json")
        assert bad.status_code == 422
        ok = client.post(url, {"minutes": 45, "rating": 5}, content_type="application/json")
        assert ok.status_code == 200, ok.content
        assert (ok.json()["status"], ok.json()["minutes"], ok.json()["rating"]) == (
            "confirmed", 45, 5,
        )  # fmt: skip
        url = f"/api/timebank/orders/{orders['confirmed_disputed'].pk}/steps/resolve"
        body = {"outcome": "uphold", "note": "x"}
        refused = client.post(url, body, content_type="application/json")
        assert refused.status_code == 403  # a party may not decide
        client.force_login(world["other_worker"])  # another community: not theirs to see
        url = f"/api/timebank/orders/{orders['confirmed'].pk}/steps/approve"
        assert client.post(url).status_code == 404
        transaction.set_rollback(True)
