"""Every role × the workforce actions × own place / other place (core.tests.matrix).

"Own" targets are the district (rules) or its first community, where each role's own account
serves; "other" targets are a second district (district roles) or a community of the second
street (street and lower roles). A refused write writes nothing (core.testing.attempt_allowed).
"""

import datetime

import pytest

from core.models import Role
from core.testing import ROLE_HOME_LEVEL, attempt_allowed
from core.tests.matrix import matrix_tests, two_districts
from core.tests.modules import rolled_back_after
from workforce import selectors, services
from workforce.models import StaffingRule

R = Role
EXPECTED = {
    "set_rules": {R.ADMIN, R.COORDINATOR},
    "view_staffing": {R.ADMIN, R.COORDINATOR, R.STREET_OFFICER, R.COMMUNITY_WORKER, R.AUDITOR},
}
READS = {"view_staffing"}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with rolled_back_after(django_db_blocker):
        own, other = two_districts()
        for d in (own, other):
            services.staffing_rules_seed(actor=d.root, district=d.district)
        yield own, other


def _target(world, role, side):
    own, other = world
    if side == "own":
        return own.communities[0]
    return other.communities[0] if ROLE_HOME_LEVEL[role] == "district" else own.communities[3]


def attempt(world, role, side, action) -> bool:
    own, other = world
    user = own.users[f"{role}:own"]
    if action == "set_rules":
        district = own.district if side == "own" else other.district
        return attempt_allowed(
            lambda: services.staffing_rule_create(
                actor=user,
                district=district,
                name="测试标准",
                kind="per_residents",
                per_10k_residents=20,
                source="测试依据",
                effective_from=datetime.date(2030, 1, 1),
            ),  # fmt: skip
            label=f"{role} {side} {action}",
            counted=[StaffingRule.objects.all()],
        )
    community = _target(world, role, side)
    if not user.has_perm("workforce.view_staffing"):
        return False
    _rule, rows = selectors.staffing(user, community.parent.parent, datetime.date(2026, 12, 1))
    return any(row.community.pk == community.pk for row in rows)


test_matrix, test_auditor_writes_nothing = matrix_tests(EXPECTED, READS, attempt)
