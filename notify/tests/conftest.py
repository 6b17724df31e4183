from types import SimpleNamespace

import pytest

from core import services as core_services
from core.identifiers import grid_code
from core.models import Role
from core.testing import PASSWORD, make_superuser
from notify import sms, wechat

ROLES = {
    "admin:own": (Role.ADMIN, "district"),
    "coordinator:own": (Role.COORDINATOR, "district"),
    "department_officer:own": (Role.DEPARTMENT_OFFICER, "district"),
    "community_worker:own": (Role.COMMUNITY_WORKER, "community"),
    "resident:own": (Role.RESIDENT, "grid"),
    "resident:other": (Role.RESIDENT, "grid"),
}


@pytest.fixture
def d(db):
    """A district with one street, community and grid, and one account per role the tests tell
    (each with a mobile number): smaller than core.testing's small district, built faster."""
    root = make_superuser("root-notify")
    district = core_services.district_create(
        actor=root, name="秦淮区", code="320104", population=20000, households=8000
    )
    street = core_services.place_create(
        actor=root, parent=district, name="第1街道", code="320104001", population=1, households=1
    )
    community = core_services.place_create(
        actor=root, parent=street, name="第1社区", code="320104001001", population=1, households=1
    )
    grid = core_services.place_create(
        actor=root, parent=community, name="第1网格", population=1, households=1,
        code=grid_code(community_code=community.code, sequence=1),
    )  # fmt: skip
    department = core_services.department_create(
        actor=root, district=district, name="城管局", short_code="cg"
    )
    places = {"district": district, "community": community, "grid": grid}
    users = {}
    for n, (key, (role, level)) in enumerate(ROLES.items()):
        person = core_services.person_register(
            actor=root, place=places[level], name=key, mobile=f"1390000{n:04d}",
            username=key.replace(":", "-"), password=PASSWORD, password_is_temporary=False,
            role=role, department=department if role == Role.DEPARTMENT_OFFICER else None,
        )  # fmt: skip
        users[key] = person.account
    return SimpleNamespace(
        root=root, district=district, community=community, grids=[grid], users=users
    )


@pytest.fixture(autouse=True)
def _console_backends(settings):
    """Every channel on its console backend, outboxes empty, e-mail kept in mail.outbox."""
    settings.SMS = {"BACKEND": "console", "TEMPLATES": {}}
    settings.WECHAT = {"BACKEND": "console"}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTIFY_ATTEMPTS = 3
    sms.outbox.clear()
    wechat.outbox.clear()
