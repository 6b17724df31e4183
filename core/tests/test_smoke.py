import pytest

from core.models import AuditEvent, Place, RoleAssignment
from core.testing import build_small_district


@pytest.mark.django_db
def test_small_district_is_built_through_services():
    d = build_small_district()
    assert Place.objects.filter(level="grid").count() == 8
    assert d.grids[0].path.startswith(d.communities[0].path)
    assert RoleAssignment.objects.active().count() == len(d.users)
    # every write left an audit event
    assert AuditEvent.objects.filter(action="place.create").count() == Place.objects.count()
