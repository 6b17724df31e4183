"""The three tables of steps pass the contract every table passes (core/tests/steps_contract):
rows call their services, the API has every step, ``available`` agrees with the services for
the worker, residents and others in every state, every step is open to someone, and the pages
offer exactly the available steps. (Texts translated: the lead's catalogue.)"""

import datetime
import re

import pytest

from core import clock
from core.models import Role
from core.tests import steps_contract as contract
from deliberation import services, steps
from deliberation.models import Decision, Meeting, Proposal
from deliberation.testing import held_meeting, noticed_meeting

pytestmark = pytest.mark.django_db
CW = f"{Role.COMMUNITY_WORKER}:own"
NOT_NOW = {"bad_state", "published", "meeting_kind", "rejected", "duplicate", "threshold"}


def _actors(d):
    return [d.users[CW], d.users["r1"], d.users["r3"], d.users[f"{Role.STREET_OFFICER}:own"],
            d.users[f"{Role.COMMUNITY_WORKER}:other"]]  # fmt: skip


def _meetings(d):
    worker, community = d.users[CW], d.communities[0]
    people = [d.users[k].person for k in ("r1", "r2")]

    def draft():
        meeting = services.meeting_create(
            actor=worker, community=community, kind="deliberation", title="议事会", topic="t",
            venue="v", starts_at=clock.now() + datetime.timedelta(days=20),
        )  # fmt: skip
        services.agenda_add(actor=worker, meeting=meeting, title="议题")
        return meeting

    def held():
        return held_meeting(actor=worker, community=community, people=people)

    def published():
        return services.meeting_publish(actor=worker, meeting=held())

    def cancelled():
        return services.meeting_cancel(actor=worker, meeting=draft(), reason="r")

    return {"draft": draft, "noticed": lambda: noticed_meeting(actor=worker, community=community),
            "held": held, "published": published, "cancelled": cancelled}  # fmt: skip


def _proposals(d):
    worker, community = d.users[CW], d.communities[0]

    def open_():
        return services.proposal_file(actor=d.users["r1"], community=community, title="提议",
                                      text="内容")  # fmt: skip

    def qualified():
        proposal = open_()
        Proposal.objects.filter(pk=proposal.pk).update(state="qualified")
        proposal.refresh_from_db()
        return proposal

    def scheduled():
        meeting = _meetings(d)["draft"]()
        return services.proposal_schedule(actor=worker, proposal=qualified(), meeting=meeting)

    return {"open": open_, "qualified": qualified, "scheduled": scheduled,
            "declined": lambda: services.proposal_decline(actor=worker, proposal=open_(),
                                                          reason="r"),
            "withdrawn": lambda: services.proposal_withdraw(actor=d.users["r1"],
                                                            proposal=open_())}  # fmt: skip


def _decisions(d):
    worker, community = d.users[CW], d.communities[0]
    reps = [d.users[k].person for k in ("r1", "r2", f"{Role.RESIDENT}:own")]

    def decided(votes_for=2, kind="hearing"):
        people = reps if kind == "representatives" else reps[:2]
        meeting = held_meeting(actor=worker, community=community, people=people, kind=kind)
        return services.decision_record(actor=worker, meeting=meeting, title="决定", text="内容",
                                        votes_for=votes_for, votes_against=0, votes_abstain=0)  # fmt: skip

    return {
        "rejected": lambda: decided(votes_for=0),
        "planned": lambda: decided(kind="representatives", votes_for=3),
        "in_progress": lambda: services.decision_progress(actor=worker, decision=decided(),
                                                          progress=10, text="t"),
        "done": lambda: services.decision_complete(
            actor=worker, decision=decided(kind="representatives", votes_for=3), text="t"),
        "dropped": lambda: services.decision_drop(actor=worker, decision=decided(), text="t"),
    }  # fmt: skip


def _data(step, obj) -> dict:
    if step.name == "schedule":
        meeting = services.meeting_create(
            actor=obj.community and _worker_of(obj), community=obj.community, kind="hearing",
            title="会", topic="t", venue="v", starts_at=clock.now() + datetime.timedelta(days=30),
        )  # fmt: skip
        return {"meeting": meeting}
    values = {
        "title": "标题", "text": "内容", "reason": "理由", "minutes": "纪要", "progress": 50,
        "votes_for": 1, "votes_against": 0, "votes_abstain": 0, "attended": [],
        "kind": "convention", "role": "resident", "agenda_item": None,
        "starts_at": clock.now() + datetime.timedelta(days=30),
    }  # fmt: skip
    data = {spec.name: values.get(spec.name) for spec in step.inputs}
    if step.name == "register":
        data["person"] = _newcomer(obj)
    if step.name == "adopt":
        data["title"] = f"居民公约{obj.pk}"
    return data


WORLD = {}


def _worker_of(obj):
    return WORLD["d"].users[CW]


def _newcomer(meeting):
    """A resident of the community not yet registered for the meeting."""
    d = WORLD["d"]
    taken = set(meeting.participants.values_list("person_id", flat=True))
    return next(d.users[k].person for k in ("r3", "r2", "r1") if d.users[k].person.pk not in taken)


def _allows(actor, step, obj):
    return contract.service_allows(step, actor, obj, _data(step, obj), not_now=NOT_NOW)


TABLES = [
    (steps.MEETINGS, _meetings, Meeting.State.values, "/deliberation/meetings/{}/", "meeting"),
    (steps.PROPOSALS, _proposals, Proposal.State.values, "/deliberation/proposals/{}/", "proposal"),
    (steps.DECISIONS, _decisions, Decision.Status.values, "/deliberation/decisions/{}/", "decision"),
]  # fmt: skip
IDS = ["meetings", "proposals", "decisions"]


@pytest.mark.parametrize(("table", "objects", "states", "url", "key"), TABLES, ids=IDS)
def test_rows(world, table, objects, states, url, key):
    contract.check_rows(table, states)


@pytest.mark.parametrize(("table", "objects", "states", "url", "key"), TABLES, ids=IDS)
def test_available_agrees_with_the_services(world, table, objects, states, url, key):
    own = WORLD["d"] = world[0]
    for actor in _actors(own):
        contract.check_available_steps_agree(table, actor, objects(own), _allows)


@pytest.mark.parametrize(("table", "objects", "states", "url", "key"), TABLES, ids=IDS)
def test_every_step_open(world, table, objects, states, url, key):
    own = WORLD["d"] = world[0]
    contract.check_every_step_open(table, _actors(own), objects(own))


@pytest.mark.parametrize(("table", "objects", "states", "url", "key"), TABLES, ids=IDS)
def test_api_has_every_step(world, client, table, objects, states, url, key):
    contract.check_api_has_every_step(
        client, world[0].users[CW], table, f"/api/deliberation/{key}s/{{{key}_id}}/steps/{{name}}"
    )


STEP_FORM = re.compile(r'data-step-form="([a-z_]+)"')


@pytest.mark.parametrize("who", [0, 1, 2, 3, 4])
@pytest.mark.parametrize(("table", "objects", "states", "url", "key"), TABLES, ids=IDS)
def test_page_offers_available(world, client, table, objects, states, url, key, who):
    own = WORLD["d"] = world[0]
    contract.check_page_offers_available(
        client, _actors(own)[who], table, objects(own), url=lambda obj: url.format(obj.pk),
        offered=lambda page: set(STEP_FORM.findall(page)),
    )  # fmt: skip
