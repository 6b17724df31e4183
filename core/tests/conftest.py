"""Fixtures shared by core's tests of the login pace and the rate limits."""

import datetime

import pytest
import time_machine
from django.db import transaction
from django.test import override_settings

from core.testing import build_small_district

# A Wednesday morning in Beijing; throttle tests stop the clock here and move it by hand.
FROZEN_AT = datetime.datetime(2026, 12, 2, 1, 30, tzinfo=datetime.UTC)


@pytest.fixture(scope="module")
def district_for_module(django_db_setup, django_db_blocker):
    """A small district built once for the module, rolled back after it."""
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        yield build_small_district()
        transaction.set_rollback(True)


@pytest.fixture
def frozen_clock():
    """The clock stopped at FROZEN_AT; `.shift(seconds)` moves it."""
    with time_machine.travel(FROZEN_AT, tick=False) as traveller:
        yield traveller
