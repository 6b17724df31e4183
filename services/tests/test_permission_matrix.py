"""Every role × every services action × own place / other place, through the real services.

"Own" targets lie in the first street of district 320104 (filed by the own resident, led by the
own officer's department). "Other" targets lie in the second street for street-level and lower
roles, or in a second district for district-level roles; for filing a request (which anyone in
a district may do anywhere in it) "other" is always the second district. Nothing is allowed at
the other place. A refused action writes nothing. The auditor reads and does nothing else: every
write below is refused to it, at its own place and elsewhere (test_auditor_writes_nothing).
"""

import pytest
from django.db import transaction

from core.models import Role
from core.testing import deny_unless
from core.tests.matrix import attempt_action, matrix_tests
from services import search
from services import services as request_services
from services.models import Category, Channel
from services.rule_defaults import ROUTING_MIN_CONFIDENCE
from services.services import rules as rule_services
from services.tests.conftest import build_world

R = Role
DISPATCHERS = {R.ADMIN, R.COORDINATOR}
# Property staff read only what is routed to their company (转物业): none of this world's
# requests is, so here they read nothing; test_property_staff_routed_or_not covers the split.
NOT_ROUTED_READERS = {R.PROPERTY_STAFF}
NOT_REQUEST_READERS = {R.OVERSIGHT_OFFICER, R.SUPERVISION_MEMBER, *NOT_ROUTED_READERS}
EXPECTED = {
    # The oversight officer judges communities by the figures, not by reading requests; the
    # supervision committee reviews disclosures; a property company sees only what is routed to it.
    "view": set(Role) - {R.SOCIAL_ORG_MEMBER, *NOT_REQUEST_READERS},
    # 查找诉求 is for staff: a resident follows their own requests on 我的诉求.
    "find": set(Role) - {R.SOCIAL_ORG_MEMBER, R.RESIDENT, *NOT_REQUEST_READERS},
    # Anyone with a role in the district files a problem there, but the read-only auditor.
    "submit": set(Role) - {R.AUDITOR},
    "intake": {R.ADMIN, R.COORDINATOR, R.STREET_OFFICER, R.COMMUNITY_WORKER, R.GRID_WORKER},
    "patrol": {R.GRID_WORKER},
    "accept": DISPATCHERS,
    "reject": DISPATCHERS,
    "dispatch": DISPATCHERS,
    "redispatch": DISPATCHERS,
    "sign": {R.DEPARTMENT_OFFICER},
    "note": {R.DEPARTMENT_OFFICER},
    "answer": {R.DEPARTMENT_OFFICER},
    "ask_return": {R.DEPARTMENT_OFFICER},
    "ask_extension": {R.DEPARTMENT_OFFICER},
    "object_dispatch": {R.DEPARTMENT_OFFICER},
    "decide_objection": DISPATCHERS,
    "close": DISPATCHERS,
    "urge": DISPATCHERS,
    "merge": DISPATCHERS,
    "visit": DISPATCHERS,
    "rate": DISPATCHERS | {R.RESIDENT},
    "review_rating": DISPATCHERS,
    # Only a dispatcher publishes text about a request for everyone (not even its resident).
    "publish": DISPATCHERS,
    "manage_catalogue": DISPATCHERS,
    "update_catalogue": DISPATCHERS,
    "create_open311_key": DISPATCHERS,
    "revoke_open311_key": DISPATCHERS,
    # The district's rules of request handling (routing's threshold) with their source.
    "edit_rules": DISPATCHERS,
}
# Reads: every other action is a write, and no write is open to the auditor.
READS = {"view", "find"}
DISTRICT_ROLES = {R.ADMIN, R.COORDINATOR, R.DEPARTMENT_OFFICER}


def walk(world, resident, place, upto):
    """A request by `resident` at `place`, moved by the district's root to state `upto`."""
    d = world.d
    root = d.root
    req = request_services.request_submit(
        actor=resident, place=place, description="路灯不亮", category=Category.HELP,
        resident=resident.person,
    )  # fmt: skip
    steps = ["accepted", "dispatched", "handling", "answered", "closed"]
    for step in steps[: steps.index(upto) + 1] if upto != "submitted" else []:
        if step == "accepted":
            req = request_services.request_accept(actor=root, request=req)
        elif step == "dispatched":
            req = request_services.request_dispatch(
                actor=root, request=req, department=d.departments[0]
            )
        elif step == "handling":
            req = request_services.request_sign(actor=root, request=req)
        elif step == "answered":
            req = request_services.request_answer(actor=root, request=req, answer="已修复")
        else:
            req = request_services.request_close(actor=root, request=req)
    return req


STATES = ["submitted", "accepted", "dispatched", "handling", "closed"]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        own = build_world()
        far = build_world(code="320105", name="建邺区")
        sides = {
            "own": (own, own.resident, own.d.grids[0]),
            "street_b": (own, own.d.users["resident:other"], own.d.grids[4]),
            "far": (far, far.resident, far.d.grids[0]),
        }
        requests = {
            (side, state): walk(w, resident, place, state)
            for side, (w, resident, place) in sides.items()
            for state in STATES
        }
        yield own, far, requests
        transaction.set_rollback(True)


def side_for(role, side, action):
    if side == "own":
        return "own"
    if action == "submit" or role in DISTRICT_ROLES:
        return "far"
    return "street_b"


def attempt(world, role, side, action) -> bool:
    own, far, requests = world
    actor = own.d.users[f"{role}:own"]
    where = side_for(role, side, action)
    w = own if where != "far" else far
    grid = {"own": own.d.grids[0], "street_b": own.d.grids[4], "far": far.d.grids[0]}[where]

    def req(state):
        return requests[(where, state)]

    def found(number):
        """What the search by number finds for the actor (nothing when they may not search)."""
        if not search.may_search(actor):
            return set()
        query = search.clean_query(actor, {"number": number})
        return set(search.search(actor, query).values_list("pk", flat=True))

    def submit(channel):
        return request_services.request_submit(
            actor=actor, place=grid, description="井盖松动", category=Category.HELP, channel=channel
        )

    actions = {
        "view": lambda: deny_unless(actor.has_perm("services.view_request", req("dispatched"))),
        "find": lambda: deny_unless(req("dispatched").pk in found(req("dispatched").number)),
        "submit": lambda: submit(Channel.H5),
        "intake": lambda: submit(Channel.STAFF),
        "patrol": lambda: submit(Channel.PATROL),
        "accept": lambda: request_services.request_accept(actor=actor, request=req("submitted")),
        "reject": lambda: request_services.request_reject(
            actor=actor, request=req("submitted"), reason="不属于受理范围"
        ),
        "dispatch": lambda: request_services.request_dispatch(
            actor=actor, request=req("accepted"), department=w.d.departments[1]
        ),
        "redispatch": lambda: request_services.request_redispatch(
            actor=actor, request=req("handling"), department=w.d.departments[1], reason="改派"
        ),
        "sign": lambda: request_services.request_sign(actor=actor, request=req("dispatched")),
        "note": lambda: request_services.request_note(
            actor=actor, request=req("handling"), note="已联系居民"
        ),
        "ask_return": lambda: request_services.return_ask(
            actor=actor, request=req("handling"), reason="非本部门职责"
        ),
        "answer": lambda: request_services.request_answer(
            actor=actor, request=req("handling"), answer="已处理"
        ),
        "ask_extension": lambda: request_services.extension_ask(
            actor=actor, request=req("handling"), days=2, reason="需协调"
        ),
        "object_dispatch": lambda: request_services.dispatch_object(
            actor=actor, request=req("dispatched"), reason="非本部门职责"
        ),
        # (prepare, act): the root moves the request first; only the act is the cell's.
        "decide_objection": (
            lambda: request_services.dispatch_object(
                actor=w.d.root, request=req("dispatched"), reason="非本部门职责"
            ),
            lambda application: request_services.application_decide(
                actor=actor, application=application, approve=False, internal_note="属本部门职责"
            ),
        ),
        "close": (
            lambda: request_services.request_answer(
                actor=w.d.root, request=req("handling"), answer="已处理"
            ),
            lambda answered: request_services.request_close(actor=actor, request=answered),
        ),
        "urge": lambda: request_services.request_urge(
            actor=actor, request=req("handling"), internal_note="请尽快办理"
        ),
        "merge": lambda: request_services.request_merge(
            actor=actor, duplicate=req("submitted"), into=req("handling"), note="同一地点"
        ),
        "visit": lambda: request_services.request_visit(
            actor=actor, request=req("closed"), internal_note="电话回访，居民满意"
        ),
        "rate": lambda: request_services.request_rate(
            actor=actor, request=req("closed"), rating="satisfied"
        ),
        "review_rating": (
            lambda: request_services.request_rate(
                actor=w.d.root, request=req("closed"), rating="unsatisfied", note="没修好"
            ),
            lambda disputed: request_services.rating_review(
                actor=actor, request=disputed, upheld=False, internal_note="已核实修复"
            ),
        ),
        "publish": lambda: request_services.request_publish_public_text(
            actor=actor, request=req("handling"), description="路灯已修复", status_notes="已办结"
        ),
        "manage_catalogue": lambda: request_services.item_create(
            actor=actor,
            district=w.d.district,
            code="X-1",
            name="新事项",
            category=Category.HELP,
            lead_department=w.d.departments[0],
        ),
        "update_catalogue": lambda: request_services.item_update(
            actor=actor, item=w.items["CG-003"], name="违章搭建（改）"
        ),
        "create_open311_key": lambda: request_services.open311_key_create(
            actor=actor, district=w.d.district, name="第三方App"
        ),
        "revoke_open311_key": (
            lambda: request_services.open311_key_create(
                actor=w.d.root, district=w.d.district, name="第三方App"
            )[0],
            lambda key: request_services.open311_key_revoke(actor=actor, key=key),
        ),
        "edit_rules": lambda: rule_services.rule_update(
            actor=actor,
            district=w.d.district,
            code=ROUTING_MIN_CONFIDENCE,
            value=80,
            source="区减负办会议纪要",
        ),
    }
    return attempt_action(actions, action, f"{role} {action} {side}")


test_matrix, test_auditor_writes_nothing = matrix_tests(EXPECTED, READS, attempt)


# ---------------------------------------------------------------- routed to a property company

PROPERTY_ACTIONS = ("view", "route", "sign", "close", "return")
# Who may do what on a request routed to 金陵物业 and on one the community keeps (not routed).
PROPERTY_EXPECTED = {
    ("staff", "routed"): {"view", "sign", "close", "return"},
    ("staff", "kept"): set(),
    ("rival", "routed"): set(),
    ("rival", "kept"): set(),
    ("unlinked", "routed"): set(),
    ("unlinked", "kept"): set(),
    ("community_worker:own", "routed"): {"view"},
    ("community_worker:own", "kept"): {"view", "route"},
    ("community_worker:other", "routed"): set(),
    ("community_worker:other", "kept"): set(),
    ("coordinator:own", "routed"): {"view"},
    ("coordinator:own", "kept"): {"view"},
    ("auditor:own", "routed"): {"view"},
    ("auditor:own", "kept"): {"view"},
}


def _property_cells(actor, req, setup) -> dict:
    """action: (prepare, act) on one request (prepare: the company signs it first)."""
    return {
        "view": (None, lambda: deny_unless(actor.has_perm("services.view_request", req))),
        "route": (None, lambda: request_services.request_property_route(
            actor=actor, request=req, compound_id=setup.compound.pk, internal_note="物业")),
        "sign": (None, lambda: request_services.request_property_accept(actor=actor, request=req)),
        "close": (
            lambda: request_services.request_property_accept(actor=setup.staff, request=req),
            lambda signed: request_services.request_property_close(
                actor=actor, request=signed, note="已修好"),
        ),
        "return": (None, lambda: request_services.request_property_return(
            actor=actor, request=req, reason="不属物业")),
    }  # fmt: skip


@pytest.mark.django_db
def test_property_staff_routed_or_not():
    """Property staff × routed to their company / to another / not routed, through the real
    services; a refused write writes nothing (core.testing.attempt_allowed)."""
    from django.core.exceptions import ValidationError

    from core.testing import attempt_allowed
    from services.models import PropertyRouting, RequestEvent
    from services.tests import property_world

    world = build_world(code="320102", name="玄武区")  # beside the module's two districts
    setup = property_world.make(world)
    # Kept: a community's request (filed before its item is handled at 物业); routed: at filing.
    kept = property_world.file(world, place=world.d.communities[0])
    routed = property_world.file(world, property_world.property_item(world))
    people = {"staff": setup.staff, "rival": setup.rival, "unlinked": setup.unlinked}
    counted = (RequestEvent.objects.all(), PropertyRouting.objects.all())
    found = {}
    for who in dict.fromkeys(who for who, _target in PROPERTY_EXPECTED):
        actor = people.get(who) or world.user(who)
        for name, req in (("routed", routed), ("kept", kept)):
            allowed = set()
            for action, (prepare, act) in _property_cells(actor, req, setup).items():
                if name == "kept" and prepare is not None:
                    continue  # the company cannot sign what it was not given
                try:
                    ok = attempt_allowed(
                        act, label=f"{who} {action} {name}", counted=counted, prepare=prepare
                    )
                except ValidationError:  # refused by the request's state or level
                    ok = False
                if ok:
                    allowed.add(action)
            found[(who, name)] = allowed
    assert found == PROPERTY_EXPECTED
