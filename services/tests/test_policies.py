"""Each request policy is written once as a predicate and once as a queryset (services.policies);
here the two agree: for every role × place of the test world (both districts, own and other
places, the superusers, an anonymous visitor) and every request of it, ``req in queryset(user)``
⇔ ``user.has_perm(permission, req)``.

The requests cover each kind of access: filed by a resident in the first street, in the second
street and in another district, in every state from submitted to closed; one led by 城管局 and
co-handled by 民政局 (the own officer's department); one in a community that moved to the other
street after it was filed (both forms follow the live place tree).
"""

import pytest
from django.db import transaction

from core import services as core_services
from core.tests.policies import PolicyWorld, agreement_test, allowed, user_ids
from services import policies
from services import services as request_services
from services.models import Category, ServiceRequest
from services.tests.conftest import build_world
from services.tests.test_permission_matrix import walk

POLICIES = {
    permission: (queryset, ServiceRequest)
    for permission, queryset in (
        ("services.view_request", policies.visible),
        ("services.dispatch", policies.dispatchable),
        ("services.publish", policies.dispatchable),
        ("services.handle", policies.handled),
        ("services.note", policies.noted),
    )
}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        own = build_world()
        far = build_world(code="320105", name="建邺区")
        d, root = own.d, own.d.root
        named = {}
        sides = {
            "own": (own, own.resident, d.grids[0]),
            "street_b": (own, d.users["resident:other"], d.grids[4]),
            "far": (far, far.resident, far.d.grids[0]),
        }
        for side, (w, resident, place) in sides.items():
            for state in ("submitted", "dispatched", "handling", "closed"):
                named[f"{side}:{state}"] = walk(w, resident, place, state)
        co = request_services.request_submit(
            actor=own.resident, place=d.grids[1], description="楼道灯坏了",
            category=Category.HELP, resident=own.resident.person,
        )  # fmt: skip
        co = request_services.request_accept(actor=root, request=co)
        named["co_handled"] = request_services.request_dispatch(
            actor=root, request=co, department=d.departments[1], co_departments=[d.departments[0]]
        )
        named["moved"] = request_services.request_submit(
            actor=d.users["resident:other"], place=d.grids[2], description="井盖松动",
            category=Category.HELP,
        )  # fmt: skip
        core_services.place_move(
            actor=root, place=d.communities[1], new_parent=d.streets[1],
            new_code=f"{d.streets[1].code}003",
        )  # fmt: skip
        ids = {name: req.pk for name, req in named.items()}
        yield PolicyWorld(dict.fromkeys(POLICIES, list(ids.values())), user_ids(own.d, far.d), ids)
        transaction.set_rollback(True)


test_queryset_and_predicate_agree = agreement_test(POLICIES)


@pytest.mark.django_db
def test_the_world_exercises_each_kind_of_access(world):
    """The cells above are not all empty: each way in is taken by someone."""
    requests = world.named

    def sees(key, permission="services.view_request"):
        return allowed(world, POLICIES, key, permission)[0]

    assert requests["co_handled"] in sees("own:department_officer:own")
    assert requests["co_handled"] in sees("own:department_officer:own", "services.note")
    assert requests["co_handled"] not in sees("own:department_officer:own", "services.handle")
    assert requests["own:handling"] in sees("own:department_officer:own", "services.handle")
    # The moved community now belongs to the second street: its office sees the request, the
    # first street's no longer does.
    assert requests["moved"] in sees("own:street_officer:other")
    assert requests["moved"] not in sees("own:street_officer:own")
    assert requests["own:submitted"] in sees("own:resident:own")
    assert requests["own:submitted"] in sees("own:auditor:own")
    assert requests["far:submitted"] in sees("far:coordinator:own", "services.dispatch")
    assert requests["far:submitted"] not in sees("own:coordinator:own")
    assert sees("anonymous") == set()
    assert sees("own:root") == set(requests.values())
