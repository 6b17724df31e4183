"""Builders for time-bank tests: real-name residents and their accounts, through the services."""

import datetime
import itertools

from core import clock
from core import services as core_services
from core.models import Role

_serial = itertools.count(100)

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(birth: datetime.date, *, division: str = "320104", serial: int | None = None) -> str:
    """A valid GB 11643 number (check digit computed) for a birth date."""
    serial = next(_serial) % 1000 if serial is None else serial
    body = f"{division}{birth:%Y%m%d}{serial:03d}"
    total = sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


def resident(
    *, actor, place, name: str, birth: datetime.date, mobile: str = "", password: str = ""
):
    """A real-name resident (optionally with a login) registered through core's service."""
    return core_services.person_register(
        actor=actor, place=place, name=name, id_number=id_number(birth), mobile=mobile,
        password=password, password_is_temporary=False, role=Role.RESIDENT if password else None,
    )  # fmt: skip


def years_ago(years: int, *, days: int = 0) -> datetime.date:
    today = clock.today()  # Beijing's date, not the machine's
    try:
        day = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        day = today.replace(year=today.year - years, day=28)
    return day - datetime.timedelta(days=days)
