"""The permission-matrix harness must itself be able to fail."""

import pytest
from django.core.exceptions import PermissionDenied

from core import audit
from core.models import AuditEvent, Department
from core.testing import attempt_allowed, build_small_district, deny_unless


@pytest.fixture
def d(db):
    return build_small_district()


def test_an_allowed_action_is_rolled_back(d):
    before = AuditEvent.objects.count()

    def write():
        audit.record(actor=d.root, action="test.write", obj=d.district)

    assert attempt_allowed(write, label="write") is True
    assert AuditEvent.objects.count() == before


def test_a_clean_refusal_is_false(d):
    assert attempt_allowed(lambda: deny_unless(False), label="read") is False
    assert attempt_allowed(lambda: deny_unless(True), label="read") is True


def test_a_refusal_that_wrote_fails_the_matrix(d):
    def writes_then_refuses():
        audit.record(actor=d.root, action="test.write", obj=d.district)
        raise PermissionDenied

    with pytest.raises(AssertionError, match="refused but wrote"):
        attempt_allowed(writes_then_refuses, label="leaky")


def test_counted_tables_are_checked_too(d):
    def creates_then_refuses():
        Department.objects.create(district=d.district, name="漏写", short_code="lx")
        raise PermissionDenied

    # A write the refusal did not undo (no transaction around it) is caught by the count.
    with pytest.raises(AssertionError, match="refused but wrote"):
        attempt_allowed(creates_then_refuses, label="leaky", counted=[Department.objects.all()])


def test_what_prepare_writes_is_not_held_against_the_action(d):
    def prepare():
        audit.record(actor=d.root, action="test.prepare", obj=d.district)
        return d.district

    seen = []

    def refuse(place):
        seen.append(place)
        raise PermissionDenied

    before = AuditEvent.objects.count()
    assert attempt_allowed(refuse, prepare=prepare, label="prepared") is False
    assert seen == [d.district] and AuditEvent.objects.count() == before
