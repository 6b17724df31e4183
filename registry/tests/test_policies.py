"""The registry policies are written once as a predicate and once as a queryset
(registry.policies); here the two agree for every role × place of two districts, their
superusers and an anonymous visitor: ``obj in queryset(user)``
⇔ ``user.has_perm(permission, obj)`` for every residence, report, import source and conflict of
the world.

No disagreement turned up: the report predicate now reads the report's district as the list
does (any filling, leading or auditing role in the district), which gives the old answers since
the district roles are only ever assigned at a district.
"""

import pytest

from admission.testing import admitted_form_item
from core.tests.matrix import two_districts
from core.tests.modules import rolled_back_after
from core.tests.policies import PolicyWorld, agreement_test, allowed, user_ids
from registry import policies, services
from registry.models import Conflict, ImportSource, ReportForm, Residence
from registry.tests.test_permission_matrix import _setup

POLICIES = {
    "registry.view_residence": (policies.visible_residences, Residence),
    "registry.view_report": (policies.visible_reports, ReportForm),
    "registry.import": (policies.importable_sources, ImportSource),
    "registry.settle_conflict": (policies.settleable_conflicts, Conflict),
}


def _department_rows(d) -> None:
    """A report and an import source of each department of the district."""
    for n, department in enumerate(d.departments):
        services.report_register(
            actor=d.root, department=department, item=admitted_form_item(department),
            name=f"表{n}", field_keys=["name"],
            new_columns=[f"走访{d.district.code}{n}"],
        )  # fmt: skip
        services.import_source_create(actor=d.root, department=department, name=f"名册{n}")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with rolled_back_after(django_db_blocker):
        own, far = two_districts()
        # Two departments disagree about a community-collected field: a conflict for each
        # person (own street A, own street B, far).
        _setup(own, own.grids[0], "320104195001011237")
        _setup(own, own.grids[4], "320104198507153818")
        _setup(far, far.grids[0], "320103196212030022")
        for d in (own, far):
            _department_rows(d)
        objects = {
            permission: list(model.objects.values_list("pk", flat=True))
            for permission, (_queryset, model) in POLICIES.items()
        }
        yield PolicyWorld(objects, user_ids(own, far))


test_queryset_and_predicate_agree = agreement_test(POLICIES)


@pytest.mark.django_db
def test_the_world_exercises_each_kind_of_access(world):
    """The cells above are not all empty: each way in is taken by someone."""
    objects = world.objects

    def sees(key, permission):
        return allowed(world, POLICIES, key, permission)[0]

    residences, reports = "registry.view_residence", "registry.view_report"
    sources, conflicts = "registry.import", "registry.settle_conflict"
    assert len(objects[residences]) == 3 and len(objects[conflicts]) == 3
    assert len(sees("own:grid_worker:own", residences)) == 1
    assert sees("own:grid_worker:own", residences) != sees("own:grid_worker:other", residences)
    assert (
        len(sees("own:auditor:own", residences)) == 1
        and len(sees("own:admin:own", residences)) == 2
    )
    # Reports: the district's two for whoever fills or audits there, one for an officer.
    assert (
        len(sees("own:grid_worker:own", reports)) == 2 == len(sees("own:coordinator:own", reports))
    )
    assert len(sees("own:department_officer:own", reports)) == 1
    assert sees("own:resident:own", reports) == set()
    assert len(sees("own:department_officer:own", sources)) == 1
    assert (
        len(sees("own:admin:own", sources)) == 2 and sees("own:coordinator:own", sources) == set()
    )
    # Conflicts: the community's for its worker and street, the district's for its admin.
    assert len(sees("own:community_worker:own", conflicts)) == 1
    assert sees("own:community_worker:own", conflicts) != sees(
        "own:community_worker:other", conflicts
    )
    assert len(sees("own:admin:own", conflicts)) == 2 and len(sees("far:admin:own", conflicts)) == 1
    assert len(sees("own:street_officer:other", conflicts)) == 1
    assert sees("anonymous", residences) == set() and len(sees("own:root", reports)) == 4
