"""Fixtures shared by core's tests of the login pace and the rate limits."""

import datetime

import pytest
import time_machine

from core.testing import build_small_district
from core.tests.modules import rolled_back_after

# A Wednesday morning in Beijing; throttle tests stop the clock here and move it by hand.
FROZEN_AT = datetime.datetime(2026, 12, 2, 1, 30, tzinfo=datetime.UTC)


@pytest.fixture(scope="module")
def district_for_module(django_db_setup, django_db_blocker):
    """A small district built once for the module, rolled back after it."""
    with rolled_back_after(django_db_blocker):
        yield build_small_district()


@pytest.fixture
def d(district_for_module):
    """The module's district, under the short name the throttle tests use (a module that builds
    its own `d` overrides this one)."""
    return district_for_module


@pytest.fixture
def clock():
    """The clock stopped at FROZEN_AT; `.shift(seconds)` moves it."""
    with time_machine.travel(FROZEN_AT, tick=False) as traveller:
        yield traveller
