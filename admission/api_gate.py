"""Caps, annual inspection plans and inspections in the JSON API (issue #13 item 4), mounted
under /api/admission/ by admission.api: the same services and checks as the page
(admission.views_formalism), reads through the same scoped selectors. Staff only: a resident
or an owner has no business with the gate's plans.
"""

import datetime
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import AfterValidator

from admission import selectors, services
from admission import selectors_formalism as gate
from admission.models import AdmittedItem, CapKind, CapPer, WorkKind
from admission.offices import acting_units
from core.api import AUTH, IdempotencyKey, Page, errors, idempotent
from core.api_schemas import MAX_ID, Id, Input, PathId, _no_nul
from core.models import Place, PlaceLevel
from core.rules import is_staff_member

router = Router(auth=AUTH, tags=["admission"])

Day = Annotated[datetime.date, Field(ge=datetime.date(2000, 1, 1), le=datetime.date(2100, 12, 31))]
Token = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_no_nul)]
KindName = Literal[tuple(CapKind.values)]  # type: ignore[valid-type]
PerName = Literal[tuple(CapPer.values)]  # type: ignore[valid-type]


def _staff(user) -> None:
    if not (user.is_superuser or is_staff_member(user)):
        raise PermissionDenied(_("只有工作人员可以查看督查检查考核计划。"))


def _district(user, district_id: int | None) -> Place:
    """The user's district (the one named, or their first), or 404."""
    _staff(user)
    districts = selectors.user_districts(user)
    place = (
        districts.filter(pk=district_id) if district_id else districts.order_by("code")
    ).first()
    if place is None:
        raise Http404
    return place


# ---------------------------------------------------------------- caps


class CapOut(Schema):
    kind: str
    kind_label: str
    per: str
    per_label: str
    yearly_limit: int | None
    source: str


class CapIn(Input):
    district_id: Id | None = None
    kind: KindName
    per: PerName
    yearly_limit: Annotated[int, Field(ge=0, le=10_000)]
    source: Annotated[str, Field(min_length=1, max_length=300), AfterValidator(_no_nul)]
    effective_from: Day


def _caps(district: Place, day: datetime.date) -> list[dict]:
    rows = []
    for kind in CapKind:
        for per in CapPer:
            found = services.cap_in_force(district, kind, per, day)
            rows.append(
                {
                    "kind": kind.value, "kind_label": str(kind.label), "per": per.value,
                    "per_label": str(per.label), "yearly_limit": found[0] if found else None,
                    "source": found[1] if found else "",
                }
            )  # fmt: skip
    return rows


@router.get("/caps", response={200: list[CapOut], **errors(403, 404, 422)})
def cap_list(
    request,
    district: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    day: Day | None = None,
):
    """The yearly caps in force (today, or on `day`) in the user's district, with their source."""
    place = _district(request.auth, district)
    return _caps(place, day or services.local_today())


@router.post("/caps", response={201: list[CapOut], **errors(400, 403, 404, 409, 422)})
def cap_create(
    request, response: HttpResponse, data: CapIn, idempotency_key: IdempotencyKey = None
):
    """The district's coordinator sets a cap from a day on (a new rule row; earlier rows stay)."""
    place = _district(request.auth, data.district_id)

    def run():
        services.cap_set(
            actor=request.auth, district=place, kind=data.kind, per=data.per,
            yearly_limit=data.yearly_limit, source=data.source, effective_from=data.effective_from,
        )  # fmt: skip
        return 201, _caps(place, data.effective_from)

    return idempotent(
        request, response, key=idempotency_key, operation="admission.cap_set",
        payload=data.dict(), run=run,
    )  # fmt: skip


# ---------------------------------------------------------------- plans


class PlanOut(Schema):
    id: int
    district_id: int
    department_id: int
    department: str
    year: int
    status: str
    total: int
    approved_at: datetime.datetime | None

    @staticmethod
    def resolve_department(obj) -> str:
        return obj.department.name


class PlanIn(Input):
    department_id: Id
    year: Annotated[int, Field(ge=2000, le=2100)]


@router.get("/plans", response={200: list[PlanOut], **errors(403, 422)})
@paginate(Page)
def plan_list(request, year: Annotated[int | None, Query(ge=2000, le=2100)] = None):
    """Annual inspection plans of the user's districts (public to the district)."""
    _staff(request.auth)
    plans = gate.plans_visible_to(request.auth)
    if year:
        plans = plans.filter(year=year)
    return plans.order_by("-year", "department__name", "pk")


@router.post("/plans", response={201: PlanOut, **errors(403, 404, 422)})
def plan_create(request, data: PlanIn):
    """A department (or street office) files its year's plan: its inspection applications of
    that year, counted. Filing again before approval counts them again."""
    _staff(request.auth)
    units = {u.pk: u for u in acting_units(request.auth)}
    if data.department_id not in units:
        raise PermissionDenied(_("您只能报送本单位的督查检查考核计划。"))
    plan = services.plan_file(actor=request.auth, department=units[data.department_id],
                              year=data.year)  # fmt: skip
    return Status(201, plan)


@router.post("/plans/{plan_id}/approve", response={200: PlanOut, **errors(403, 404, 422)})
def plan_approve(request, plan_id: PathId):
    """The district approves a filed plan."""
    _staff(request.auth)
    plan = get_object_or_404(gate.plans_visible_to(request.auth), pk=plan_id)
    return services.plan_approve(actor=request.auth, plan=plan)


# ---------------------------------------------------------------- inspections


class RatingOut(Schema):
    score: int
    burden_free: bool
    comment: str
    rated_at: datetime.datetime


class Material(Schema):
    label: str
    url: str = ""


class InspectionOut(Schema):
    id: int
    community_id: int
    community: str
    held_on: datetime.date
    merged: bool
    item_numbers: list[str]
    materials: list[Material]
    rating: RatingOut | None

    @staticmethod
    def resolve_community(obj) -> str:
        return obj.community.name

    @staticmethod
    def resolve_item_numbers(obj) -> list[str]:
        return sorted(item.number for item in obj.items.all())

    @staticmethod
    def resolve_rating(obj):
        return getattr(obj, "rating", None)


class InspectionIn(Input):
    community_id: Id
    item_ids: list[Id] = Field(min_length=1, max_length=20)
    held_on: Day
    submit_token: Token


class InspectionRatingIn(Input):
    score: Annotated[int, Field(ge=1, le=5)]
    comment: Annotated[str, Field(max_length=500), AfterValidator(_no_nul)] = ""
    burden_free: bool = True


@router.get("/inspections", response={200: list[InspectionOut], **errors(403, 422)})
@paginate(Page)
def inspection_list(request, community: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None):
    """Inspections held in the user's districts, with the communities' ratings (public to the
    district: 基层评机关)."""
    _staff(request.auth)
    inspections = gate.inspections_visible_to(request.auth)
    if community:
        inspections = inspections.filter(community_id=community)
    return inspections.order_by("-held_on", "-pk")


def _visible_inspection(user, inspection_id: int):
    _staff(user)
    return get_object_or_404(gate.inspections_visible_to(user), pk=inspection_id)


@router.get("/inspections/{inspection_id}", response={200: InspectionOut, **errors(403, 404, 422)})
def inspection_detail(request, inspection_id: PathId):
    return _visible_inspection(request.auth, inspection_id)


@router.post("/inspections", response={201: InspectionOut, **errors(400, 403, 404, 409, 422)})
def inspection_create(
    request, response: HttpResponse, data: InspectionIn, idempotency_key: IdempotencyKey = None
):
    """An inspection took place in a community for one or more admitted inspection items (more
    than one: a joint inspection); the materials are attached from what Linli holds."""
    place = _district(request.auth, None)
    community = Place.objects.filter(
        pk=data.community_id, district=place, level=PlaceLevel.COMMUNITY
    ).first()
    items = list(
        AdmittedItem.objects.filter(pk__in=data.item_ids, district=place, kind=WorkKind.INSPECTION)
    )
    if community is None or len(items) != len(set(data.item_ids)):
        raise ValidationError(
            _("社区或督查检查事项不存在，或不属于本区。"), code="unknown_reference"
        )

    def run():
        inspection = services.inspection_record(
            actor=request.auth, community=community, items=items, held_on=data.held_on,
            submit_token=data.submit_token,
        )  # fmt: skip
        return 201, InspectionOut.from_orm(inspection)

    return idempotent(
        request, response, key=idempotency_key, operation="admission.inspection_record",
        payload=data.dict(), run=run,
    )  # fmt: skip


@router.post(
    "/inspections/{inspection_id}/rating", response={201: RatingOut, **errors(403, 404, 422)}
)
def inspection_rating(request, inspection_id: PathId, data: InspectionRatingIn):
    """The inspected community rates the inspection once (基层评机关)."""
    inspection = _visible_inspection(request.auth, inspection_id)
    rating = services.inspection_rate(
        actor=request.auth, inspection=inspection, score=data.score, comment=data.comment,
        burden_free=data.burden_free,
    )  # fmt: skip
    return Status(201, rating)
