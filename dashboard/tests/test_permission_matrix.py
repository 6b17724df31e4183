"""Every role × the district's one page × own place / other place (core.tests.matrix).

"view_home": the page of the role's own district or street (for community, grid and resident
roles, the street above them), against another district (district roles) or the second street
(the others). "view_street": a street of the role's district (its own street for street roles),
against a street of another district or the second street. Each cell is a real GET of the page
with ?place=: 200 where the matrix allows it, and a refusal (403 or 404) with nothing of the
place's figures everywhere else. Everything only reads (READS)."""

import pytest
from django.test import Client
from django.urls import reverse

from core.models import Role
from core.testing import ROLE_HOME_LEVEL
from core.tests.matrix import matrix_tests, two_districts
from core.tests.modules import rolled_back_after
from dashboard import selectors

R = Role
VIEWERS = {R.ADMIN, R.COORDINATOR, R.STREET_OFFICER, R.AUDITOR}
EXPECTED = {"view_home": VIEWERS, "view_street": VIEWERS}
READS = set(EXPECTED)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with rolled_back_after(django_db_blocker):
        yield two_districts()


def _target(world, role, side, action):
    own, other = world
    district_role = ROLE_HOME_LEVEL[role] == "district"
    if action == "view_home" and district_role:
        return own.district if side == "own" else other.district
    if side == "own":
        return own.streets[0]
    return other.streets[0] if district_role else own.streets[1]


def attempt(world, role, side, action) -> bool:
    own, _other = world
    user = own.users[f"{role}:own"]
    place = _target(world, role, side, action)
    client = Client()
    client.force_login(user)
    response = client.get(reverse("outcomes"), {"place": place.pk})
    listed = any(p.pk == place.pk for p in selectors.outcome_places(user))
    allowed = user.has_perm("dashboard.view_outcomes_of", place)
    assert listed is allowed, (role, side, action)  # the picker and the rule agree
    if response.status_code == 200:
        assert response.context["place"] == place
        return True
    assert response.status_code in (403, 404), response.status_code
    assert b'class="figures"' not in response.content
    return False


test_matrix, test_auditor_writes_nothing = matrix_tests(EXPECTED, READS, attempt)
