"""A small district with the default lists and one admitted item reaching two communities."""

import pytest
from django.urls import reverse

from admission import services as admission
from admission.tests.conftest import application, decide
from core.testing import PASSWORD, build_small_district
from core.tests.modules import rolled_back_after


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, kind_of_day):
    """Built on the module's kind of day (see conftest.kind_of_day): deadlines, frequencies and
    burden months all hang on it."""
    with rolled_back_after(django_db_blocker):
        d = build_small_district()
        admission.lists_seed(actor=d.root, district=d.district)
        officer = d.users["department_officer:own"]
        request = admission.request_submit(
            **application(d, officer, frequency="monthly", communities=d.communities[:2])
        )
        decide(d, request)
        request.refresh_from_db()
        yield d, request.admitted_item


@pytest.fixture
def d(world):
    return world[0]


@pytest.fixture
def item(world):
    return world[1]


def page_as(client, d, who: str, name: str) -> str:
    """The text of the page named `name` as `who` sees it, logged in with their password."""
    client.logout()
    assert client.login(username=d.logins[who], password=PASSWORD)
    return client.get(reverse(name)).content.decode()
