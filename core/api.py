"""The core JSON API router, mounted at /api/core/ by linli/api.py.

Handlers are thin: reads come from core.selectors, object access is checked with
``user.has_perm``, writes go through core.services. An object outside the user's scope answers
404 so its existence does not leak; a visible object the user may not change answers 403.

This module also holds what every app's router shares: the two ways to authenticate
(bearer token, session + CSRF), the page shape, and idempotent replay of creates.
"""

import json
from collections.abc import Callable
from typing import Annotated, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from core import idempotency, services
from core.api_schemas import (
    MAX_ID,
    AuditEventOut,
    AuditFilter,
    DepartmentOut,
    ErrorOut,
    MeOut,
    PathId,
    PlaceCreateIn,
    PlaceDetailOut,
    PlaceFilter,
    PlaceOut,
    PlaceUpdateIn,
    RoleAssignmentIn,
    RoleAssignmentOut,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
)
from core.models import ApiToken, Place, PlaceLevel, User
from core.rules import assignments_of
from core.selectors import (
    audit_events_visible_to,
    departments_visible_to,
    people_visible_to,
    places_visible_to,
    role_assignments_visible_to,
)

# ---------------------------------------------------------------- authentication


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer ll_...`` — a token made at /api/core/tokens."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        live = services.api_token_find(token.strip())
        if live is None:
            # A bearer header that names no live token (unknown, revoked or expired) is refused
            # outright, even with a session.
            raise AuthenticationError()
        if request.method not in SAFE_METHODS and not live.allows_writes:
            raise HttpError(403, _("这是只读令牌，不能用来修改数据。"))
        request.user = live.user
        return live.user


class SessionAuth(APIKeyCookie):
    """The browser session of a logged-in user; unsafe methods need the CSRF token."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def __call__(self, request: HttpRequest) -> User | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise CsrfFailed()
        return user

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        return self(request)  # pragma: no cover - __call__ does the work


class CsrfFailed(HttpError):
    def __init__(self) -> None:
        super().__init__(403, "CSRF check failed")


AUTH = [BearerTokenAuth(), SessionAuth()]


class SessionOnlyAuth(SessionAuth):
    """For what a leaked token must not be able to do, such as minting more tokens."""

    def __call__(self, request: HttpRequest) -> User | None:
        if request.headers.get("Authorization"):
            raise HttpError(403, _("请在浏览器中登录后进行此操作，不能使用API令牌。"))
        return super().__call__(request)


# ---------------------------------------------------------------- pages


class Page(PageNumberPagination):
    """``?page=1&page_size=50`` (at most 200) → ``{"items": [...], "count": N}``."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=100_000)
        page_size: int | None = Field(None, ge=1, le=200)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(page_size=50, max_page_size=200, **kwargs)


def errors(*codes: int) -> dict[int, type[ErrorOut]]:
    """Response declarations for the OpenAPI document; 401 applies to every endpoint."""
    return dict.fromkeys({401, *codes}, ErrorOut)


# ---------------------------------------------------------------- idempotency

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=255,
        description="Optional. Replaying the same key with the same body returns the first "
        "result; with a different body, 409.",
    ),
]


class IdempotencyConflict(HttpError):
    def __init__(self, message: str, code: str) -> None:
        super().__init__(409, message)
        self.code = code


def idempotent(
    request: HttpRequest,
    response: HttpResponse,
    *,
    key: str | None,
    operation: str,
    payload: Any,
    run: Callable[[], tuple[int, Any]],
) -> Status:
    """Run a create once per (user, Idempotency-Key), through core.idempotency: the key is
    stored in the same transaction as the create, so a rolled-back create leaves no key."""
    if key is None:
        status, body = run()
        return Status(status, body)
    if not key.strip() or not key.isprintable() or not key.isascii():
        raise HttpError(400, _("Idempotency-Key 应为1–255个可打印的ASCII字符。"))
    try:
        status, body, replayed = idempotency.run_once(
            user=request.auth,  # type: ignore[attr-defined]
            key=key,
            operation=operation,
            payload=payload,
            run=lambda: _jsonable_result(run()),
        )
    except idempotency.IdempotencyConflict as conflict:
        raise IdempotencyConflict(str(conflict), code=conflict.code) from None
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return Status(status, body)


def _jsonable_result(result: tuple[int, Any]) -> tuple[int, Any]:
    """The answer as plain JSON, as it is stored for replay."""
    status, body = result
    if hasattr(body, "model_dump"):
        body = body.model_dump(mode="json")
    return status, json.loads(json.dumps(body, default=str))


# ---------------------------------------------------------------- scoped lookups


def visible_place(user: User, place_id: int) -> Place:
    """The place, if the user may see it; otherwise 404 whether or not it exists."""
    place = get_object_or_404(Place, pk=place_id)
    if not user.has_perm("core.view_place", place):
        raise Http404
    return place


def _reference(queryset: QuerySet, pk: int | None, field: str, label: str):
    """An object named in a request body, from the user's scope; 422 if unknown there."""
    if pk is None:
        return None
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        message = _("%(label)s不存在或不在您的范围内。") % {"label": label}
        raise ValidationError({field: ValidationError(message, code="unknown_reference")})
    return obj


def accounts_known_to(user: User) -> QuerySet[User]:
    """Accounts whose person or role assignments the user may already see."""
    if user.is_superuser:
        return User.objects.all()
    return User.objects.filter(
        Q(pk__in=people_visible_to(user).values("account_id"))
        | Q(pk__in=role_assignments_visible_to(user).values("user_id"))
    )


def place_out(place: Place) -> dict:
    return PlaceOut.from_orm(place).model_dump(mode="json")


def role_assignment_out(assignment) -> dict:
    return RoleAssignmentOut.from_orm(assignment).model_dump(mode="json")


# ---------------------------------------------------------------- endpoints

router = Router(auth=AUTH, tags=["core"])


@router.get("/me", response={200: MeOut, **errors()}, summary="Who am I")
def me(request):
    user = request.auth
    person = getattr(user, "person", None)
    return {
        "id": user.pk,
        "username": user.username,
        "name": person.name if person else "",
        "is_superuser": user.is_superuser,
        "roles": assignments_of(user),
    }


@router.get("/places", response={200: list[PlaceOut], **errors(422)})
@paginate(Page)
def place_list(request, filters: Query[PlaceFilter]):
    """Places the user may see (their subtrees and the chain above), by code."""
    places = places_visible_to(request.auth)
    if filters.level:
        places = places.filter(level=filters.level)
    if filters.parent:
        places = places.filter(parent_id=filters.parent)
    if filters.q:
        places = places.filter(name__icontains=filters.q.strip())
    if filters.is_active is not None:
        places = places.filter(is_active=filters.is_active)
    return places.order_by("code", "pk")


def _place_detail(user: User, place: Place) -> dict:
    data = place_out(place)
    child_perm = (
        "core.add_grid" if place.level == PlaceLevel.COMMUNITY else "core.restructure_place"
    )
    data.update(
        ancestors=[
            {"id": a.pk, "name": a.name, "code": a.code, "level": a.level}
            for a in place.ancestors()
        ],
        can_change=user.has_perm("core.change_place", place),
        can_add_child=place.level != PlaceLevel.GRID and user.has_perm(child_perm, place),
    )
    return data


@router.get("/places/{place_id}", response={200: PlaceDetailOut, **errors(404, 422)})
def place_detail(request, place_id: PathId):
    return _place_detail(request.auth, visible_place(request.auth, place_id))


@router.post(
    "/places/{place_id}/children",
    response={201: PlaceOut, **errors(400, 403, 404, 409, 422)},
    summary="Create a street, community or grid under a place",
)
def place_create_child(
    request,
    response: HttpResponse,
    place_id: PathId,
    data: PlaceCreateIn,
    idempotency_key: IdempotencyKey = None,
):
    parent = visible_place(request.auth, place_id)

    def run():
        place = services.place_create(actor=request.auth, parent=parent, **data.dict())
        return 201, place_out(place)

    return idempotent(
        request,
        response,
        key=idempotency_key,
        operation=f"place.create:{parent.pk}",
        payload=data.dict(),
        run=run,
    )


@router.patch("/places/{place_id}", response={200: PlaceDetailOut, **errors(403, 404, 422)})
def place_update(request, place_id: PathId, data: PlaceUpdateIn):
    """Rename a place or change its counts; fields left out keep their value."""
    place = visible_place(request.auth, place_id)
    values = {"name": place.name, "population": place.population, "households": place.households}
    values.update(data.dict(exclude_unset=True))
    place = services.place_update(actor=request.auth, place=place, **values)
    return _place_detail(request.auth, place)


@router.get("/departments", response={200: list[DepartmentOut], **errors(422)})
@paginate(Page)
def department_list(request, district: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None):
    departments = departments_visible_to(request.auth)
    if district:
        departments = departments.filter(district_id=district)
    return departments.order_by("district_id", "name", "pk")


@router.get("/audit-events", response={200: list[AuditEventOut], **errors(403, 422)})
@paginate(Page)
def audit_event_list(request, filters: Query[AuditFilter]):
    """The audit log of the places the user audits or administers, newest first."""
    if not request.auth.has_perm("core.view_audit_log"):
        raise PermissionDenied(_("只有审计员和管理员可以查看审计日志。"))
    events = audit_events_visible_to(request.auth)
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.since:
        events = events.filter(at__gte=_aware(filters.since))
    if filters.until:
        events = events.filter(at__lt=_aware(filters.until))
    return events.order_by("-at", "-pk")


def _aware(moment):
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


@router.post(
    "/role-assignments",
    response={201: RoleAssignmentOut, **errors(400, 403, 409, 422)},
    summary="Give an account a role at a place",
)
def role_assignment_create(
    request,
    response: HttpResponse,
    data: RoleAssignmentIn,
    idempotency_key: IdempotencyKey = None,
):
    actor = request.auth
    user = _reference(accounts_known_to(actor), data.user_id, "user_id", _("账号"))
    place = _reference(places_visible_to(actor), data.place_id, "place_id", _("地点"))
    department = _reference(
        departments_visible_to(actor), data.department_id, "department_id", _("部门")
    )

    def run():
        assignment = services.role_assign(
            actor=actor, user=user, role=data.role, place=place, department=department
        )
        return 201, role_assignment_out(assignment)

    return idempotent(
        request,
        response,
        key=idempotency_key,
        operation="role.assign",
        payload=data.dict(),
        run=run,
    )


@router.post(
    "/role-assignments/{assignment_id}/end",
    response={200: RoleAssignmentOut, **errors(403, 404, 422)},
)
def role_assignment_end(request, assignment_id: PathId):
    assignment = get_object_or_404(
        role_assignments_visible_to(request.auth).select_related("place", "department", "user"),
        pk=assignment_id,
    )
    assignment = services.role_end(actor=request.auth, assignment=assignment)
    return role_assignment_out(assignment)


def _own_tokens(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


@router.get("/tokens", response={200: list[TokenOut], **errors()})
def token_list(request):
    """The user's own API tokens (secrets are never shown again)."""
    return _own_tokens(request.auth).order_by("-created_at", "-pk")


@router.post(
    "/tokens",
    response={201: TokenCreatedOut, **errors(403, 422)},
    auth=[SessionOnlyAuth()],
    summary="Create an API token (browser session only; the secret is shown once)",
)
def token_create(request, data: TokenIn):
    token, secret = services.api_token_create(
        actor=request.auth, name=data.name, scope=data.scope, days=data.days
    )
    body = TokenOut.from_orm(token).model_dump()
    return Status(201, {**body, "secret": secret})


@router.post("/tokens/{token_id}/revoke", response={200: TokenOut, **errors(404, 422)})
def token_revoke(request, token_id: PathId):
    token = get_object_or_404(_own_tokens(request.auth), pk=token_id)
    return services.api_token_revoke(actor=request.auth, token=token)
