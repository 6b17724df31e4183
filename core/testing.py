"""Builders for tests: a small real district made through the real services (no mocks)."""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model

from core import services
from core.identifiers import grid_code
from core.models import Department, Place, Role, User

PASSWORD = "Linli-test-2026"  # noqa: S105 - test accounts only
# Valid GB 11643 numbers for Qinhuai (320104), and one with the former Baixia code (320103).
ID_NUMBERS = ["320104195001011237", "320104198507153818", "320103196212030022"]


def make_superuser(username: str = "root") -> User:
    return get_user_model().objects.create_superuser(username=username, password=PASSWORD)


@dataclass
class SmallDistrict:
    """One district, two streets, two communities each, two grids each, two departments,
    and one account per role at an "own" place (street A side) and an "other" place (street B)."""

    root: User
    district: Place
    streets: list[Place]
    communities: list[Place]
    grids: list[Place]
    departments: list[Department]
    users: dict[str, User] = field(default_factory=dict)
    logins: dict[str, str] = field(default_factory=dict)  # what each account types to log in

    def place_of(self, side: str, level: str) -> Place:
        """side 'own' = first street's subtree, 'other' = second street's subtree."""
        index = 0 if side == "own" else 1
        if level == "district":
            return self.district
        if level == "street":
            return self.streets[index]
        if level == "community":
            return self.communities[index * 2]
        return self.grids[index * 4]


ROLE_HOME_LEVEL = {
    Role.ADMIN: "district",
    Role.COORDINATOR: "district",
    Role.DEPARTMENT_OFFICER: "district",
    Role.STREET_OFFICER: "street",
    Role.COMMUNITY_WORKER: "community",
    Role.GRID_WORKER: "grid",
    Role.RESIDENT: "grid",
    Role.SOCIAL_ORG_MEMBER: "community",
    Role.AUDITOR: "street",
    Role.OVERSIGHT_OFFICER: "district",
    Role.SUPERVISION_MEMBER: "community",
    Role.PROPERTY_STAFF: "community",
}


def build_small_district(*, code: str = "320104", name: str = "秦淮区") -> SmallDistrict:
    root = make_superuser(f"root{code}")
    district = services.district_create(
        actor=root, name=name, code=code, population=20000, households=8000
    )
    streets, communities, grids = [], [], []
    for s in range(1, 3):
        street = services.place_create(
            actor=root,
            parent=district,
            name=f"第{s}街道",
            code=f"{code}{s:03d}",
            population=10000,
            households=4000,
        )
        streets.append(street)
        for c in range(1, 3):
            community = services.place_create(
                actor=root, parent=street, name=f"第{s}街道第{c}社区", code=f"{street.code}{c:03d}",
                population=5000, households=2000,
            )  # fmt: skip
            communities.append(community)
            for g in range(1, 3):
                grids.append(
                    services.place_create(
                        actor=root,
                        parent=community,
                        name=f"{community.name}第{g}网格",
                        code=grid_code(community_code=community.code, sequence=g),
                        population=2500,
                        households=1000,
                    )
                )
    departments = [
        services.department_create(actor=root, district=district, name="民政局", short_code="mz"),
        services.department_create(actor=root, district=district, name="城管局", short_code="cg"),
    ]
    result = SmallDistrict(root, district, streets, communities, grids, departments)
    mobile = 13800000000 + int(code) % 1000 * 1000  # distinct per district
    for role, level in ROLE_HOME_LEVEL.items():
        for side in ("own", "other"):
            if level == "district" and side == "other":
                continue  # district roles exist once; "other" places for them are another district
            mobile += 1
            place = result.place_of(side, level)
            person = services.person_register(
                actor=root, place=place, name=f"{role}-{side}", mobile=str(mobile),
                username="" if role == Role.RESIDENT else f"{role}-{side}-{code}",
                password=PASSWORD, password_is_temporary=False, role=role,
                department=departments[0] if role == Role.DEPARTMENT_OFFICER else None,
            )  # fmt: skip
            result.users[f"{role}:{side}"] = person.account
            result.logins[f"{role}:{side}"] = (
                str(mobile) if role == Role.RESIDENT else person.account.username
            )
    return result


# ---------------------------------------------------------------- permission matrices


class _RollBack(Exception):
    """Ends a matrix attempt so the world stays the same for the next cell."""


def attempt_allowed(action, *, label: str, counted=(), prepare=None) -> bool:
    """Run `action` (a service call) in a transaction that is always rolled back.

    True if it went through; False if it raised PermissionDenied — and then it must have written
    nothing: the audit log and every queryset in `counted` keep their counts. (A service inside
    its own transaction.atomic() undoes its writes when it raises; this catches one that does not.)

    `prepare`, if given, runs first in the same rolled-back transaction (e.g. another user moves
    a request to the state the action needs) and its result is passed to `action`; its writes
    are not counted against the action."""
    from django.core.exceptions import PermissionDenied
    from django.db import transaction

    from core.models import AuditEvent

    def counts():
        return [AuditEvent.objects.count(), *(queryset.count() for queryset in counted)]

    refused = leaked = False
    try:
        with transaction.atomic():
            prepared = prepare() if prepare else None
            before = counts()
            # The refusal is caught inside the transaction, before anything is rolled back, so a
            # service that wrote before it checked permission is caught here.
            try:
                action(prepared) if prepare else action()
            except PermissionDenied:
                refused = True
                leaked = counts() != before
            raise _RollBack
    except _RollBack:
        pass
    assert not leaked, f"{label}: refused but wrote"
    return not refused


def deny_unless(allowed: bool) -> None:
    """For matrix cells that are reads: a refused read behaves like a refused write."""
    from django.core.exceptions import PermissionDenied

    if not allowed:
        raise PermissionDenied
