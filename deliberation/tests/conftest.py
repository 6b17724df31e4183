import pytest

from core.tests.matrix import two_districts
from core.tests.modules import rolled_back_after
from deliberation.testing import prepare_district


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Two districts (core.tests.matrix), each with the default rules, three more residents in
    its first community and two of them its representatives."""
    with rolled_back_after(django_db_blocker):
        own, other = two_districts()
        for d in (own, other):
            prepare_district(d)
        yield own, other
