"""The permission matrix's shared parts: each app's test_permission_matrix.py lists who may do
what (EXPECTED), how to try each action, and which actions only read (READS); these run the
cells the same way everywhere."""

import itertools

import pytest

from core.models import Role
from core.testing import attempt_allowed, build_small_district

SIDES = ["own", "other"]


def two_districts():
    """The district the roles hold (秦淮区, "own") and another one (建邺区, "other")."""
    own = build_small_district(code="320104", name="秦淮区")
    return own, build_small_district(code="320105", name="建邺区")


def cells(expected: dict) -> list[tuple]:
    """Every (role, action, side) of the matrix."""
    return list(itertools.product(list(Role), sorted(expected), SIDES))


def attempt_action(actions: dict, action: str, label: str) -> bool:
    """Try ``actions[action]``: a call, or (prepare, act) where act takes what prepare made."""
    call = actions[action]
    prepare, act = call if isinstance(call, tuple) else (None, call)
    return attempt_allowed(act, prepare=prepare, label=label)


def matrix_tests(expected: dict, reads: set, attempt):
    """The two tests every matrix runs, for the module to bind as its own test functions:
    each cell allowed exactly where EXPECTED says (and only on the role's own side), and the
    auditor refused every write, wherever. ``attempt(world, role, side, action) -> bool``."""
    all_cells = cells(expected)

    @pytest.mark.django_db
    @pytest.mark.parametrize(
        ("role", "action", "side"), all_cells, ids=["-".join(c) for c in all_cells]
    )
    def test_matrix(world, role, action, side):
        allowed = role in expected[action] and side == "own"
        assert attempt(world, role, side, action) is allowed

    @pytest.mark.django_db
    @pytest.mark.parametrize("side", SIDES)
    @pytest.mark.parametrize("action", sorted(set(expected) - reads))
    def test_auditor_writes_nothing(world, action, side):
        """The auditor role is read-only: every write is refused (and writes nothing), wherever."""
        assert Role.AUDITOR not in expected[action]
        assert attempt(world, Role.AUDITOR, side, action) is False

    return test_matrix, test_auditor_writes_nothing
