"""Every role × every admission and workload action × own place / other place.

"Own" targets are in the first street of district 320104, where each role's own account serves.
"Other" targets are in the second street (street-level and lower roles) or in a second
district 320105 (district-level roles). Reads of the published lists and of decisions are open
to everyone in the district, so lower roles keep them on the "other" side (same district).
A refused write writes nothing.
"""

import pytest

from admission import selectors as admission_selectors
from admission import selectors_formalism as admission_formalism
from admission import services as admission
from admission.tests.conftest import application, decide
from core.models import Role
from core.testing import attempt_allowed, deny_unless
from core.tests.matrix import cells, two_districts
from core.tests.modules import rolled_back_after
from workload import selectors, services

R = Role
EVERYONE = set(Role)
DISTRICT_ROLES = {R.ADMIN, R.COORDINATOR, R.DEPARTMENT_OFFICER}
LOWER_ROLES = EVERYONE - DISTRICT_ROLES
OVERSEE = {R.COMMUNITY_WORKER, R.STREET_OFFICER, R.COORDINATOR, R.ADMIN, R.AUDITOR}
# action: (allowed at own place, allowed at other place)
EXPECTED = {
    "read_lists": (EVERYONE, LOWER_ROLES),
    "read_decisions": (EVERYONE, LOWER_ROLES),
    "edit_lists": ({R.ADMIN, R.COORDINATOR}, set()),
    "apply": ({R.DEPARTMENT_OFFICER}, set()),
    "read_pending_request": ({R.ADMIN, R.COORDINATOR, R.DEPARTMENT_OFFICER}, set()),
    "prepare": ({R.COORDINATOR}, set()),
    "record_meeting": ({R.COORDINATOR}, set()),
    "review": ({R.COORDINATOR}, set()),
    "read_meetings": (EVERYONE, LOWER_ROLES),
    "withdraw_item": ({R.COORDINATOR}, set()),
    "dispatch": ({R.DEPARTMENT_OFFICER}, set()),
    # Street offices (issue #13): a street officer applies for and dispatches under its own
    # street office; a community refuses un-admitted work naming its street office.
    "apply_for_street": ({R.STREET_OFFICER}, set()),
    "dispatch_street_item": ({R.STREET_OFFICER}, set()),
    "refuse_street_office": ({R.COMMUNITY_WORKER}, set()),
    "view_task": (OVERSEE | {R.DEPARTMENT_OFFICER}, set()),
    "complete_task": ({R.COMMUNITY_WORKER}, set()),
    "refuse_unadmitted": ({R.COMMUNITY_WORKER}, set()),
    "log_time": ({R.COMMUNITY_WORKER}, set()),
    "read_ledger": (OVERSEE, set()),
    "ask_certificate": ({R.COMMUNITY_WORKER, R.RESIDENT}, set()),
    # Inspections, meetings and documents (issue #13 items 4, 5).
    "set_cap": ({R.COORDINATOR}, set()),
    "file_plan": ({R.DEPARTMENT_OFFICER}, set()),
    "approve_plan": ({R.COORDINATOR}, set()),
    "record_inspection": ({R.DEPARTMENT_OFFICER, R.COORDINATOR}, set()),
    "rate_inspection": ({R.COMMUNITY_WORKER}, set()),
    "register_document": ({R.DEPARTMENT_OFFICER}, set()),
    "read_inspections": (EVERYONE, LOWER_ROLES),
}


def _district_world(d):
    admission.lists_seed(actor=d.root, district=d.district)
    officer = d.users["department_officer:own"]
    scope = [d.communities[0], d.communities[2]]
    approved = admission.request_submit(
        **application(d, officer, communities=scope, submit_token="approved")
    )
    decide(d, approved)
    approved.refresh_from_db()
    item = approved.admitted_item
    tasks = services.tasks_dispatch(
        actor=officer, item=item, communities=scope, title=item.title, due_in_working_days=5,
        dispatch_token="t",
    )  # fmt: skip
    fresh = admission.request_submit(
        **application(d, officer, title="尚未派发的事项", communities=scope, submit_token="fresh")
    )
    decide(d, fresh)
    fresh.refresh_from_db()
    pending = admission.request_submit(
        **application(d, officer, title="另一项工作事项", submit_token="pending")
    )
    prepared = admission.request_submit(
        **application(d, officer, title="已初审的工作事项", submit_token="prepared")
    )
    coordinator = d.users["coordinator:own"]
    admission.request_prepare(actor=coordinator, request=prepared, opinion="提请审议")
    meeting = admission.meeting_record(
        actor=coordinator, district=d.district, held_on=admission.local_today(),
        attendees="甲、乙、丙", departments=d.departments, submit_token="matrix-meeting",
    )  # fmt: skip
    street_items = [_street_item(d, n) for n in range(2)]
    today = admission.local_today()
    inspection = admission.request_submit(
        **application(d, officer, kind="inspection", title="养老机构安全检查", communities=scope,
                      frequency="yearly", submit_token="inspection")
    )  # fmt: skip
    decide(d, inspection)
    inspection.refresh_from_db()
    held = [
        admission.inspection_record(
            actor=officer,
            community=c,
            items=[inspection.admitted_item],
            held_on=today,
            submit_token=f"held-{c.pk}",
        )  # fmt: skip
        for c in scope
    ]
    return {
        "inspection_item": inspection.admitted_item,
        "held": held,
        "plan": admission.plan_file(actor=officer, department=d.departments[0], year=today.year),
        "street_items": street_items,
        "prepared": prepared,
        "meeting": meeting,
        "item": item,
        "fresh": fresh.admitted_item,
        "decided": approved,
        "pending": pending,
        "tasks": tasks,
    }


def _street_request(d, actor, n: int, token: str, title: str = "议事协商指导"):
    """Keyword arguments of a street office's application for street `n`'s communities."""
    power = admission.entries_in_force(d.district, "power").get(key="JD-03")
    return application(
        d, actor, department=None, street=d.streets[n], title=f"第{n + 1}街道{title}",
        description="指导居委会开展议事协商。", cited_entry=power, legal_basis="",
        communities=d.communities[2 * n : 2 * n + 2], submit_token=token,
    )  # fmt: skip


def _street_item(d, n: int):
    """An item admitted for street `n`'s office (its own street officer applied)."""
    side = "own" if n == 0 else "other"
    request = admission.request_submit(
        **_street_request(d, d.users[f"street_officer:{side}"], n, f"street-{n}")
    )
    decide(d, request)
    request.refresh_from_db()
    return request.admitted_item


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with rolled_back_after(django_db_blocker):
        own, far = two_districts()
        yield own, far, _district_world(own), _district_world(far)


def listed(found, obj) -> None:
    """A read: refused unless the user's scoped list holds ``obj``."""
    deny_unless(found.filter(pk=obj.pk).exists())


def attempt(world, role, side, action) -> bool:
    own, far, own_data, far_data = world
    actor = own.users[f"{role}:own"]
    if side == "own":
        d, data, index = own, own_data, 0
    elif role in DISTRICT_ROLES:
        d, data, index = far, far_data, 0
    else:
        d, data, index = own, own_data, 1  # the second street of the same district
    community = d.communities[2 * index]
    task = data["tasks"][index]
    department = d.departments[0]

    actions = {
        "read_lists": lambda: listed(admission_selectors.user_districts(actor), d.district),
        "read_decisions": lambda: listed(
            admission_selectors.decisions_visible_to(actor), data["decided"]
        ),
        "edit_lists": lambda: admission.list_draft_start(
            actor=actor, district=d.district, kind="duty"
        ),
        "apply": lambda: admission.request_submit(
            **application(
                d, actor, department=department, title="矩阵测试事项", submit_token="matrix"
            )
        ),
        "apply_for_street": lambda: admission.request_submit(
            **_street_request(d, actor, index, "matrix-street", title="居民公约修订指导")
        ),
        "dispatch_street_item": lambda: services.tasks_dispatch(
            actor=actor,
            item=data["street_items"][index],
            communities=[community],
            title=data["street_items"][index].title,
            due_in_working_days=3,
            dispatch_token="matrix-street",
        ),
        "refuse_street_office": lambda: services.unadmitted_refuse(
            actor=actor,
            community=community,
            street_office=True,
            channel="meeting",
            description="街道会议布置",
        ),
        "read_pending_request": lambda: listed(
            admission_selectors.requests_visible_to(actor), data["pending"]
        ),
        "prepare": lambda: admission.request_prepare(
            actor=actor, request=data["pending"], opinion="矩阵测试"
        ),
        "record_meeting": lambda: admission.meeting_record(
            actor=actor,
            district=d.district,
            held_on=admission.local_today(),
            attendees="甲、乙、丙",
            departments=d.departments,
            submit_token="matrix",
        ),
        "review": lambda: admission.request_decide(
            actor=actor, request=data["prepared"], meeting=data["meeting"], decision="approve"
        ),
        "read_meetings": lambda: listed(
            admission_selectors.meetings_visible_to(actor), data["meeting"]
        ),
        "withdraw_item": lambda: admission.item_withdraw(
            actor=actor, item=data["item"], reasons="矩阵测试"
        ),
        "dispatch": lambda: services.tasks_dispatch(
            actor=actor,
            item=data["fresh"],
            communities=[community],
            title=data["fresh"].title,
            due_in_working_days=3,
            dispatch_token="matrix",
        ),
        "view_task": lambda: listed(selectors.tasks_visible_to(actor), task),
        "complete_task": lambda: services.task_complete(actor=actor, task=task, minutes_spent=30),
        "refuse_unadmitted": lambda: services.unadmitted_refuse(
            actor=actor,
            community=community,
            department=department,
            channel="phone",
            description="电话派活",
        ),
        "log_time": lambda: services.time_log(
            actor=actor,
            community=community,
            category="self_government",
            day=admission.local_today(),
            minutes=30,
            note="议事协商",
            submit_token="matrix",
        ),
        "ask_certificate": lambda: admission.certificate_answer(
            actor=actor,
            community=community,
            entry=admission.entries_in_force(d.district, "certificate").get(key="ZM-05"),
        ),
        "read_ledger": lambda: listed(selectors.communities_watched_by(actor), community),
        **_formalism_actions(actor, d, data, index, community),
    }
    return attempt_allowed(actions[action], label=f"{role} {action} {side}")


def _formalism_actions(actor, d, data, index, community) -> dict:
    today = admission.local_today()
    return {
        "set_cap": lambda: admission.cap_set(
            actor=actor,
            district=d.district,
            kind="document",
            per="department",
            yearly_limit=3,
            source="矩阵测试",
            effective_from=today,
        ),  # fmt: skip
        "file_plan": lambda: admission.plan_file(
            actor=actor, department=d.departments[0], year=today.year
        ),
        "approve_plan": lambda: admission.plan_approve(actor=actor, plan=data["plan"]),
        "record_inspection": lambda: admission.inspection_record(
            actor=actor,
            community=community,
            items=[data["inspection_item"]],
            held_on=today,
            submit_token="matrix",
        ),  # fmt: skip
        "rate_inspection": lambda: admission.inspection_rate(
            actor=actor, inspection=data["held"][index], score=4
        ),
        "register_document": lambda: admission.sent_down_register(
            actor=actor,
            kind="document",
            department=d.departments[0],
            title="矩阵测试通知",
            day=today,
            communities=[community],
            length_chars=1000,
            submit_token="matrix",
        ),  # fmt: skip
        "read_inspections": lambda: listed(
            admission_formalism.inspections_visible_to(actor), data["held"][index]
        ),
    }


CELLS = cells(EXPECTED)


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "action", "side"), CELLS, ids=["-".join(c) for c in CELLS])
def test_matrix(world, role, action, side):
    own_allowed, other_allowed = EXPECTED[action]
    expected = role in (own_allowed if side == "own" else other_allowed)
    assert attempt(world, role, side, action) is expected
