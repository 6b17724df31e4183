"""A small district with the default lists and one admitted item reaching two communities."""

import pytest
from django.db import transaction
from django.test import override_settings

from admission import services as admission
from admission.tests.conftest import application, decide
from core.testing import build_small_district


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, kind_of_day):
    """Built on the module's kind of day (see conftest.kind_of_day): deadlines, frequencies and
    burden months all hang on it."""
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        d = build_small_district()
        admission.lists_seed(actor=d.root, district=d.district)
        officer = d.users["department_officer:own"]
        request = admission.request_submit(
            **application(d, officer, frequency="monthly", communities=d.communities[:2])
        )
        decide(d, request)
        request.refresh_from_db()
        yield d, request.admitted_item
        transaction.set_rollback(True)


@pytest.fixture
def d(world):
    return world[0]


@pytest.fixture
def item(world):
    return world[1]
