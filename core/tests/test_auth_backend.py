"""Permissions come from the rules alone (core.rules and the apps' rules.py): asking one the rules
deny reads no permission tables, and a permission granted in Django's tables grants nothing."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import Place
from core.rules import assignments_of
from core.testing import build_small_district

pytestmark = pytest.mark.django_db


def test_a_denied_permission_costs_no_query_and_django_tables_grant_nothing():
    d = build_small_district()
    resident = d.users["resident:own"]
    district = Place.objects.get(pk=d.district.pk)
    assignments_of(resident)  # the roles, read once per request whatever is asked
    with CaptureQueriesContext(connection) as queries:
        assert not resident.has_perm("core.manage_departments", district)
        assert not resident.has_perm("core.view_audit_log")
    assert len(queries) == 0
    resident.user_permissions.add(Permission.objects.get(codename="add_place"))
    resident = type(resident).objects.get(pk=resident.pk)
    assert not resident.has_perm("core.add_place")
