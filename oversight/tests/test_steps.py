"""The case's table of steps passes the contract every table passes (core/tests/steps_contract):
rows call their services, the API has every step, ``available`` agrees with the services for
the officers, the person concerned and others in every state, every step is open to someone,
and the case page offers exactly the available steps. (Texts translated: the lead's catalogue.)"""

import datetime
import re

import pytest

from core import clock
from core.models import Role
from core.tests import steps_contract as contract
from oversight import services, steps
from oversight.models import Case

pytestmark = pytest.mark.django_db

DATA = {
    "reply": {"reply": "申辩"},
    "apply_tolerance": {"grounds": ["inexperience"], "reason": "先行先试"},
    "judge_tolerance": {
        "granted": True,
        "inexperience": "a",
        "exploration": "b",
        "development": "c",
    },
    "order_rectification": {"rectification": "整改", "rectify_by": None},
    "follow_up": {"note": "督促"},
    "report_rectified": {"report": "完成"},
    "close": {"note": "核实"},
}


def _data(step):
    data = dict(DATA[step.name])
    if "rectify_by" in data:
        data["rectify_by"] = clock.today() + datetime.timedelta(days=30)
    return data


def _states(d):
    officer, person = d.users[f"{Role.OVERSIGHT_OFFICER}:own"], d.users[f"{Role.GRID_WORKER}:other"]

    def decided():
        return services.case_open(
            actor=d.users["second_officer"], district=d.district, person=person.person,
            facts="事实", rule_broken="规定", decision="决定", sanction="discipline",
        )  # fmt: skip

    def asked():
        return services.tolerance_apply(
            actor=person, case=decided(), reason="r", grounds=["exploration"]
        )

    def judged():
        return services.tolerance_judge(actor=officer, case=asked(), granted=False, inexperience="a",
                                        exploration="b", development="c")  # fmt: skip

    def rectifying():
        return services.rectification_order(actor=officer, case=decided(), rectification="x",
                                            rectify_by=clock.today() + datetime.timedelta(days=9))  # fmt: skip

    def rectified():
        return services.rectification_report(actor=person, case=rectifying(), report="done")

    def closed():
        return services.case_close(actor=officer, case=decided(), note="ok")

    return {"decided": decided, "tolerance_asked": asked, "judged": judged,
            "rectifying": rectifying, "rectified": rectified, "closed": closed}  # fmt: skip


def _actors(d):
    return [d.users[f"{Role.OVERSIGHT_OFFICER}:own"], d.users["second_officer"],
            d.users[f"{Role.GRID_WORKER}:other"], d.users[f"{Role.COMMUNITY_WORKER}:own"]]  # fmt: skip


def _allows(actor, step, case):
    return contract.service_allows(step, actor, case, _data(step), not_now={"bad_state"})


def test_rows(world):
    contract.check_rows(steps.TABLE, Case.State.values)


def test_available_agrees_with_the_services(world):
    own, _other = world
    for actor in _actors(own):
        contract.check_available_steps_agree(steps.TABLE, actor, _states(own), _allows)


def test_every_step_open(world):
    own, _other = world
    contract.check_every_step_open(steps.TABLE, _actors(own), _states(own))


def test_api_has_every_step(world, client):
    own, _other = world
    contract.check_api_has_every_step(client, own.users[f"{Role.OVERSIGHT_OFFICER}:own"], steps.TABLE,
                                      "/api/oversight/cases/{case_id}/steps/{name}")  # fmt: skip


STEP_FORM = re.compile(r'data-step-form="([a-z_]+)"')


@pytest.mark.parametrize("who", [0, 1, 2, 3])
def test_page_offers_available(world, client, who):
    own, _other = world
    contract.check_page_offers_available(
        client, _actors(own)[who], steps.TABLE, _states(own),
        url=lambda case: f"/oversight/cases/{case.pk}/",
        offered=lambda page: set(STEP_FORM.findall(page)),
    )  # fmt: skip
