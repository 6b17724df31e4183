"""The workload policies are written once as a predicate and once as a queryset
(workload.policies); here the two agree for every role × place of two districts, their
superusers and an anonymous visitor: ``task in visible_tasks(user)`` ⇔
``user.has_perm("workload.view_task", task)`` for tasks sent to a community of each street of
each district, and ``community in watched_communities(user)`` ⇔
``user.has_perm("workload.view_community_work", community)`` for every community.
"""

import pytest

from admission import services as admission_services
from admission.tests.conftest import application, decide
from core.models import Place, PlaceLevel
from core.testing import build_small_district
from core.tests.modules import rolled_back_after
from core.tests.policies import PolicyWorld, agreement_test, allowed, user_ids
from workload import policies, services
from workload.models import Task

POLICIES = {
    "workload.view_task": (policies.visible_tasks, Task),
    "workload.view_community_work": (policies.watched_communities, Place),
}


def _tasks(d) -> list[Task]:
    """An admitted item reaching a community of each street, and its tasks sent to both."""
    officer, reached = d.users["department_officer:own"], [d.communities[0], d.communities[2]]
    request = admission_services.request_submit(
        **application(d, officer, frequency="monthly", communities=reached)
    )
    decide(d, request)
    request.refresh_from_db()
    return services.tasks_dispatch(
        actor=officer, item=request.admitted_item, communities=reached, title="收集高龄津贴材料",
        due_in_working_days=10, dispatch_token=f"policies-{d.district.code}",
    )  # fmt: skip


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, kind_of_day):
    with rolled_back_after(django_db_blocker):
        own, far = build_small_district(), build_small_district(code="320105", name="建邺区")
        tasks = []
        for d in (own, far):
            admission_services.lists_seed(actor=d.root, district=d.district)
            tasks += _tasks(d)
        communities = Place.objects.filter(level=PlaceLevel.COMMUNITY)
        objects = {
            "workload.view_task": [task.pk for task in tasks],
            "workload.view_community_work": list(communities.values_list("pk", flat=True)),
        }
        yield PolicyWorld(objects, user_ids(own, far))


test_queryset_and_predicate_agree = agreement_test(POLICIES)


@pytest.mark.django_db
def test_the_world_exercises_each_kind_of_access(world):
    """The cells above are not all empty: each way in is taken by someone."""
    tasks = world.objects["workload.view_task"]

    def sees(key, permission="workload.view_task"):
        return allowed(world, POLICIES, key, permission)[0]

    assert len(tasks) == 4
    assert sees("own:department_officer:own") == set(tasks[:2])  # both its tasks, not far's
    assert len(sees("own:community_worker:own")) == 1 and len(sees("own:street_officer:other")) == 1
    assert sees("own:community_worker:own") != sees("own:community_worker:other")
    assert sees("own:coordinator:own") == set(tasks[:2]) and sees("far:admin:own") == set(tasks[2:])
    assert sees("own:resident:own") == set() and sees("anonymous") == set()
    assert len(sees("own:street_officer:own", "workload.view_community_work")) == 2
    assert len(sees("own:auditor:own", "workload.view_community_work")) == 2
    assert sees("own:department_officer:own", "workload.view_community_work") == set()
    assert sees("own:root") == set(tasks)
