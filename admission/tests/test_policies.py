"""The admission request policy is written once as a predicate and once as a queryset
(admission.policies); here the two agree: for every role × place of two districts, their
superusers, a second department's officer and an anonymous visitor, and every request of the
world, ``req in visible_requests(user)`` ⇔ ``user.has_perm("admission.view_request", req)``.

The requests cover each way in: under review, refused at once by the negative list, approved,
refused by the joint meeting and withdrawn, from two departments of the first district and from
the second district.
"""

import pytest

from admission import policies
from admission import services as admission_services
from admission.models import AdmissionRequest
from admission.tests.conftest import application, decide
from core import services as core_services
from core.models import Role
from core.testing import PASSWORD, build_small_district
from core.tests.modules import rolled_back_after
from core.tests.policies import USERS, PolicyWorld, agreement_test, allowed, user_ids

POLICIES = {"admission.view_request": (policies.visible_requests, AdmissionRequest)}
SECOND_OFFICER = "own:department_officer:second"


def _requests(d, officer, department, prefix: str) -> dict[str, AdmissionRequest]:
    def submit(name, **overrides):
        values = {"title": f"{prefix}-{name}：高龄津贴申报材料收集", **overrides}
        return admission_services.request_submit(
            **application(
                d, officer, department=department, submit_token=f"{prefix}-{name}", **values
            )
        )

    made = {"under_review": submit("under_review")}
    made["negative"] = submit("negative", title="社区协助完成年度招商引资任务", legal_basis="")
    made["approved"] = decide(d, submit("approved"))
    made["refused"] = decide(d, submit("refused"), "refuse", reasons="应由部门自行办理")
    made["withdrawn"] = admission_services.request_withdraw(
        actor=officer, request=submit("withdrawn")
    )
    return {f"{prefix}:{name}": request for name, request in made.items()}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, kind_of_day):
    with rolled_back_after(django_db_blocker):
        own, far = build_small_district(), build_small_district(code="320105", name="建邺区")
        for d in (own, far):
            admission_services.lists_seed(actor=d.root, district=d.district)
        second = core_services.person_register(
            actor=own.root, place=own.district, name="second-officer", mobile="13900000001",
            username="second-officer", password=PASSWORD, password_is_temporary=False,
            role=Role.DEPARTMENT_OFFICER, department=own.departments[1],
        ).account  # fmt: skip
        requests = _requests(own, own.users["department_officer:own"], own.departments[0], "own")
        requests |= _requests(own, second, own.departments[1], "second")
        requests |= _requests(far, far.users["department_officer:own"], far.departments[0], "far")
        users = user_ids(own, far) | {SECOND_OFFICER: second.pk}
        named = {name: request.pk for name, request in requests.items()}
        yield PolicyWorld({"admission.view_request": list(named.values())}, users, named)


test_queryset_and_predicate_agree = agreement_test(POLICIES, [*USERS, SECOND_OFFICER])


def _visible(world, key) -> set:
    return allowed(world, POLICIES, key, "admission.view_request")[0]


@pytest.mark.django_db
def test_the_world_exercises_each_kind_of_access(world):
    """The cells above are not all empty: each way in is taken by someone."""
    requests = world.named
    officer, second = (
        _visible(world, "own:department_officer:own"),
        _visible(world, SECOND_OFFICER),
    )
    assert requests["own:under_review"] in officer and requests["own:withdrawn"] in officer
    assert requests["second:under_review"] not in officer
    assert requests["second:under_review"] in second and requests["own:under_review"] not in second
    # Decisions are public in the district: the other department's, and to a resident.
    resident = _visible(world, "own:resident:own")
    assert requests["second:approved"] in officer and requests["own:negative"] in resident
    assert requests["own:refused"] in resident and requests["own:under_review"] not in resident
    assert requests["far:approved"] not in resident
    # The district's coordinator reads every request of it; a street's auditor only decisions.
    coordinator = _visible(world, "own:coordinator:own")
    assert {requests["own:under_review"], requests["second:withdrawn"]} <= coordinator
    assert requests["own:under_review"] not in _visible(world, "own:auditor:own")
    assert requests["far:under_review"] not in coordinator
    assert _visible(world, "anonymous") == set()
    assert _visible(world, "own:root") == set(requests.values())
