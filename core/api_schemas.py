"""Request and response shapes of the core JSON API (see core/api.py).

Inputs are strict: unknown fields are refused, ids and counts are bounded to what the database
can hold, and text may not contain NUL characters, so bad input is a 4xx and never a 500.
"""

import datetime
from typing import Annotated, Literal

from django.utils.translation import gettext as _
from ninja import Field, Path, Schema
from pydantic import AfterValidator, ConfigDict

from core.models import PlaceLevel, Role, TokenRevocation, TokenScope

# Largest value a BigAutoField id (and a 64-bit SQLite integer) can hold.
MAX_ID = 2**63 - 1
# PositiveIntegerField is a 32-bit integer on PostgreSQL.
MAX_COUNT = 2**31 - 1


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError(_("不能包含空字符。"))
    return value


EARLIEST = datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC)
LATEST = datetime.datetime(2200, 1, 1, tzinfo=datetime.UTC)


def _within_calendar(value: datetime.datetime) -> datetime.datetime:
    """Clamp far-away moments (which overflow when converted to UTC) to bounds no record
    crosses, so a filter like ``since=0001-01-01`` keeps its meaning; and express an offset
    in UTC (ISO 8601 allows offsets up to ±23:59, PostgreSQL refuses beyond ±15:59)."""
    if value.year < 1900:
        return EARLIEST
    if value.year >= 2200:
        return LATEST
    return value.astimezone(datetime.UTC) if value.tzinfo is not None else value


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]  # an id in an operation's path
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
Name = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_no_nul)]
# Search text: a NUL means nothing in a name, so it is dropped rather than refused.
SearchText = Annotated[str, Field(max_length=100), AfterValidator(lambda v: v.replace("\x00", ""))]
Moment = Annotated[datetime.datetime, AfterValidator(_within_calendar)]
PlaceLevelName = Literal["district", "street", "community", "grid"]
RoleName = Literal[tuple(Role.values)]  # type: ignore[valid-type]


def _attr(obj, name: str):
    """Resolvers see model instances, or dicts when a stored result is replayed."""
    return obj[name] if isinstance(obj, dict) else getattr(obj, name)


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------- errors


class FieldError(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ErrorOut(Schema):
    """Every error answer: a message in the user's language and a stable machine code."""

    detail: str
    code: str
    errors: list[FieldError] | None = None


# ---------------------------------------------------------------- places


class PlaceRef(Schema):
    id: int
    name: str
    code: str
    level: str


class PlaceOut(Schema):
    id: int
    name: str
    code: str
    level: str
    level_label: str
    parent_id: int | None
    district_id: int | None
    population: int
    households: int
    is_active: bool
    merged_into_id: int | None
    closed_on: datetime.date | None
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_level_label(obj) -> str:
        return str(PlaceLevel(_attr(obj, "level")).label)


class PlaceDetailOut(PlaceOut):
    ancestors: list[PlaceRef]
    can_change: bool
    can_add_child: bool


class PlaceCreateIn(Input):
    name: Name
    code: Annotated[str, Field(min_length=1, max_length=20), AfterValidator(_no_nul)]
    population: Count = 0
    households: Count = 0


class PlaceUpdateIn(Input):
    """Only the fields sent are changed."""

    name: Name = None  # type: ignore[assignment]
    population: Count = None  # type: ignore[assignment]
    households: Count = None  # type: ignore[assignment]


class PlaceFilter(Schema):
    level: PlaceLevelName | None = None
    parent: Id | None = None
    q: SearchText | None = None
    is_active: bool | None = None


# ---------------------------------------------------------------- departments


class DepartmentRef(Schema):
    id: int
    name: str


class DepartmentOut(Schema):
    id: int
    district_id: int
    name: str
    short_code: str
    is_active: bool


# ---------------------------------------------------------------- accounts and roles


class MyRoleOut(Schema):
    id: int
    role: str
    role_label: str
    place: PlaceRef
    department: DepartmentRef | None
    granted_at: datetime.datetime

    @staticmethod
    def resolve_role_label(obj) -> str:
        return str(Role(_attr(obj, "role")).label)


class RoleAssignmentOut(MyRoleOut):
    # A role as those who administer it see it: whose it is, and when it ended.
    user_id: int
    user_name: str
    ended_at: datetime.datetime | None

    @staticmethod
    def resolve_user_name(obj) -> str:
        return str(_attr(obj, "user_name") if isinstance(obj, dict) else obj.user)


class RoleAssignmentIn(Input):
    user_id: Id
    role: RoleName
    place_id: Id
    department_id: Id | None = None


class MeOut(Schema):
    id: int
    username: str
    name: str
    is_superuser: bool
    roles: list[MyRoleOut]


# ---------------------------------------------------------------- audit


class AuditEventOut(Schema):
    id: int
    at: datetime.datetime
    actor_id: int | None
    actor_name: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    changes: dict
    purpose: str
    client_ip: str | None
    place_id: int | None


class AuditFilter(Schema):
    action: Annotated[str, Field(max_length=64)] | None = None
    since: Moment | None = None
    until: Moment | None = None


# ---------------------------------------------------------------- API tokens


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    scope: TokenScope = Field(description="read: GET only; write: also changes what its owner may")
    created_at: datetime.datetime
    expires_at: datetime.datetime
    last_used_at: datetime.datetime | None
    revoked_at: datetime.datetime | None
    revoked_because: TokenRevocation | Literal[""] = Field(
        description="owner, password (its owner's password changed), role_ended, or empty"
    )


class TokenCreatedOut(TokenOut):
    secret: str = Field(description="Shown once; only a hash is kept.")


class TokenIn(Input):
    name: Name
    scope: TokenScope = TokenScope.READ
    days: int | None = Field(
        None, ge=1, le=3650,
        description="Lifetime in days (default: the deployment's API_TOKEN_DAYS; at most "
        "API_TOKEN_MAX_DAYS)",
    )  # fmt: skip
