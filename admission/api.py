"""The admission router of the JSON API, mounted at /api/admission/.

A department's own system submits applications here exactly as the page does (the same
service and checks); the coordinator may decide through it. Creates take an Idempotency-Key.
Reads are scoped by the same selectors as the pages.
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

from admission import selectors, services, steps
from admission.models import AdmissionRequest, Frequency, ListEntry, ListKind, WorkKind
from admission.offices import officer_streets
from admission.services import Decision
from core.api import AUTH, IdempotencyKey, Page, errors, idempotent
from core.api_schemas import MAX_ID, Id, Input, PathId, _no_nul
from core.models import Department, Place, PlaceLevel
from core.rules import officer_departments
from core.steps import add_step_operations

router = Router(auth=AUTH, tags=["admission"])

Text = Annotated[str, Field(max_length=5000), AfterValidator(_no_nul)]
Title = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_no_nul)]
Token = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_no_nul)]
Day = Annotated[datetime.date, Field(ge=datetime.date(2000, 1, 1), le=datetime.date(2100, 12, 31))]


class AdmissionRequestIn(Input):
    kind: Literal[tuple(WorkKind.values)]  # type: ignore[valid-type]
    title: Title
    description: Text = ""
    legal_basis: Text = ""
    cited_entry_id: Id | None = None
    community_ids: list[Id] = Field(min_length=1, max_length=2000)
    frequency: Literal[tuple(Frequency.values)]  # type: ignore[valid-type]
    minutes_per_community: Annotated[int, Field(ge=1, le=100_000)]
    funding_fen: Annotated[int, Field(ge=0, le=10**13)] = 0
    period_start: Day
    period_end: Day
    submit_token: Token
    form_fields: list[Annotated[str, Field(max_length=40), AfterValidator(_no_nul)]] = Field(
        default_factory=list, max_length=200
    )


class Finding(Schema):
    kind: str
    message: str
    ref: int | None = None
    # A form's fields that another registered form already collects (kind "form_overlap").
    fields: list[str] = []
    form: str = ""
    department: str = ""


class AdmissionRequestOut(Schema):
    id: int
    number: str
    status: str
    status_label: str
    title: str
    department_id: int
    form_fields: list[str]
    findings: list[Finding]
    review_due_at: datetime.datetime | None
    reasons: str
    conditions: str
    admitted_item_number: str | None

    @staticmethod
    def resolve_status_label(obj) -> str:
        if isinstance(obj, dict):
            return obj["status_label"]
        return str(obj.get_status_display())

    @staticmethod
    def resolve_admitted_item_number(obj) -> str | None:
        if isinstance(obj, dict):
            return obj["admitted_item_number"]
        item = getattr(obj, "admitted_item", None) if obj.is_approved else None
        return item.number if item else None


class PrepareIn(Input):
    opinion: Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(_no_nul)]


class MeetingIn(Input):
    held_on: Day
    attendees: list[Annotated[str, Field(min_length=1, max_length=50), AfterValidator(_no_nul)]] = (
        Field(min_length=1, max_length=200)
    )
    department_ids: list[Id] = Field(min_length=1, max_length=200)
    note: Text = ""
    submit_token: Token


class MeetingOut(Schema):
    id: int
    number: str
    held_on: datetime.date
    attendees: list[str]
    department_ids: list[int]


class DecisionIn(Input):
    meeting_id: Id
    decision: Literal["approve", "approve_conditions", "refuse"]
    reasons: Text = ""
    conditions: Text = ""


def request_out(request) -> dict:
    item = getattr(request, "admitted_item", None) if request.is_approved else None
    return {
        "id": request.pk,
        "number": request.number,
        "status": request.status,
        "status_label": str(request.get_status_display()),
        "title": request.title,
        "department_id": request.department_id,
        "form_fields": request.form_fields,
        "findings": request.findings,
        "review_due_at": request.review_due_at,
        "reasons": request.reasons,
        "conditions": request.conditions,
        "admitted_item_number": item.number if item else None,
    }


@router.post(
    "/requests",
    response={201: AdmissionRequestOut, **errors(400, 403, 409, 422)},
    summary="Apply to push work onto communities (checked at once)",
)
def request_create(
    request,
    response: HttpResponse,
    data: AdmissionRequestIn,
    idempotency_key: IdempotencyKey = None,
):
    actor = request.auth
    departments, streets = officer_departments(actor), officer_streets(actor)
    if not departments and not streets:
        raise PermissionDenied(_("只有职能部门或街道工作人员可以提出准入申请。"))
    # A department officer applies for the department; a street officer for the street office.
    department = departments[0] if departments else None
    street = None if departments else streets[0]
    district_id = department.district_id if department else street.district_id
    communities = list(
        Place.objects.filter(
            pk__in=data.community_ids, district_id=district_id, level=PlaceLevel.COMMUNITY
        )
    )
    if len(communities) != len(set(data.community_ids)):
        raise ValidationError(_("有社区不存在或不属于本区。"), code="unknown_reference")
    cited = None
    if data.cited_entry_id is not None:
        cited = ListEntry.objects.filter(pk=data.cited_entry_id, district_id=district_id).first()
        if cited is None:
            raise ValidationError(_("所引清单事项不存在。"), code="unknown_reference")

    def run():
        created = services.request_submit(
            actor=actor, department=department, street=street, kind=data.kind, title=data.title,
            description=data.description, legal_basis=data.legal_basis, cited_entry=cited,
            communities=communities, frequency=data.frequency,
            minutes_per_community=data.minutes_per_community, funding_fen=data.funding_fen,
            period_start=data.period_start, period_end=data.period_end,
            submit_token=data.submit_token, form_fields=data.form_fields,
        )  # fmt: skip
        return 201, request_out(created)

    return idempotent(
        request, response, key=idempotency_key, operation="admission.request_submit",
        payload=data.dict(), run=run,
    )  # fmt: skip


def _take(user, request_id: int, step: steps.Step, raw: dict) -> dict:
    """Take one step of the table on a request the user sees; answer the request as it is now."""
    item = get_object_or_404(selectors.requests_visible_to(user), pk=request_id)
    step.run(actor=user, request=item, data=steps.clean_input(step, user, item, raw))
    return request_out(get_object_or_404(selectors.requests_visible_to(user), pk=request_id))


@router.post(
    "/requests/{request_id}/prepare",
    response={200: AdmissionRequestOut, **errors(403, 404, 422)},
    summary="The coordinator's preparation: the request goes to the joint meeting",
)
def request_prepare(request, request_id: PathId, data: PrepareIn):
    """The older form of ``/steps/prepare``."""
    return _take(request.auth, request_id, steps.BY_NAME["prepare"], data.dict())


def meeting_out(meeting) -> dict:
    return {
        "id": meeting.pk,
        "number": meeting.number,
        "held_on": meeting.held_on,
        "attendees": meeting.attendee_list(),
        "department_ids": sorted(d.pk for d in meeting.departments.all()),
    }


@router.post(
    "/meetings",
    response={201: MeetingOut, **errors(403, 404, 422)},
    summary="Record a joint meeting (its decisions follow request by request)",
)
def meeting_create(request, response: HttpResponse, data: MeetingIn):
    districts = selectors.review_districts(request.auth)
    if not districts:
        raise PermissionDenied(_("只有区减负办可以记录联席会议。"))
    district = districts[0]
    departments = list(Department.objects.filter(pk__in=data.department_ids, district=district))
    if len(departments) != len(set(data.department_ids)):
        raise ValidationError(_("有部门不存在或不属于本区。"), code="unknown_reference")
    meeting = services.meeting_record(
        actor=request.auth, district=district, held_on=data.held_on, attendees=data.attendees,
        departments=departments, note=data.note, submit_token=data.submit_token,
    )  # fmt: skip
    return Status(201, meeting_out(meeting))


@router.post(
    "/requests/{request_id}/decision",
    response={200: AdmissionRequestOut, **errors(403, 404, 422)},
    summary="The joint meeting's decision on a prepared request",
)
def request_decision(request, request_id: PathId, data: DecisionIn):
    """The older form of ``/steps/decide``."""
    return _take(request.auth, request_id, steps.BY_NAME["decide"], data.dict())


# ---------------------------------------------------------------- one operation per step

FieldName = Annotated[str, Field(max_length=40), AfterValidator(_no_nul)]


def _body_field(spec: steps.Input):
    """The JSON type of one input of a step (text is checked by the service, with the reason)."""
    label = str(spec.label)
    if spec.kind == steps.TEXT:
        text = Annotated[str, AfterValidator(_no_nul)]
        return text, Field(... if spec.required else "", max_length=spec.max_length,
                           description=label)  # fmt: skip
    if spec.kind == steps.FEN:
        return int, Field(0, ge=0, le=10**13, description="amount in fen (1 yuan = 100 fen)")
    if spec.kind == steps.FIELDS:
        return list[FieldName] | None, Field(
            None, max_length=200, description=f"{label} (none: keep those given before)"
        )
    if spec.kind == steps.DECISION:
        return Literal[tuple(Decision.CHOICES)], Field(..., description=label)  # type: ignore[valid-type]
    # an entry of a list, a joint meeting: an id
    return Id | None, Field(... if spec.required else None, description=label)


add_step_operations(
    router, steps.STEPS, collection="/requests", id_name="request_id", out=AdmissionRequestOut,
    body_field=_body_field, take=_take, prefix="admission", model_prefix="AdmissionStep",
    model_base=Input,
)  # fmt: skip


# ---------------------------------------------------------------- reads


class EntryOut(Schema):
    id: int
    key: str
    title: str
    category: str
    legal_basis: str
    department_id: int | None
    handled_by: str
    keywords: str


class ListOut(Schema):
    district_id: int
    kind: str
    version: int | None
    effective_from: datetime.date | None
    source: str
    entries: list[EntryOut]


KindName = Literal[tuple(ListKind.values)]  # type: ignore[valid-type]
StatusName = Literal[tuple(AdmissionRequest.Status.values)]  # type: ignore[valid-type]


@router.get("/lists/{kind}", response={200: ListOut, **errors(403, 404, 422)})
def list_in_force(
    request,
    kind: KindName,
    district: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
):
    """The list of `kind` in force today in the user's district (every logged-in user)."""
    districts = selectors.user_districts(request.auth)
    place = (districts.filter(pk=district) if district else districts.order_by("code")).first()
    if place is None:
        raise Http404
    version = services.version_in_force(place, kind)
    return {
        "district_id": place.pk,
        "kind": kind,
        "version": version.number if version else None,
        "effective_from": version.effective_from if version else None,
        "source": version.source if version else "",
        "entries": list(version.entries.all()) if version else [],
    }


@router.get("/requests", response={200: list[AdmissionRequestOut], **errors(422)})
@paginate(Page)
def request_list(request, status: StatusName | None = None):
    """Requests the user may see: their department's, or all for the district's coordinators;
    decided ones for everyone in the district."""
    requests = selectors.requests_visible_to(request.auth).select_related("admitted_item")
    if status:
        requests = requests.filter(status=status)
    return requests.order_by("-submitted_at", "-pk")


@router.get("/requests/{request_id}", response={200: AdmissionRequestOut, **errors(404, 422)})
def request_detail(request, request_id: PathId):
    item = get_object_or_404(selectors.requests_visible_to(request.auth), pk=request_id)
    return request_out(item)


# ---------------------------------------------------------------- caps, plans and inspections

from admission.api_gate import router as gate_router  # noqa: E402

router.add_router("", gate_router)
