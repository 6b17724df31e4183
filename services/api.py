"""The services router of the JSON API, mounted at /api/services/.

Thin: lists come from services.selectors, writes go through services.services. A request the
user may not see answers 404; a step the current state does not allow answers 422 with the
reason; creates take an Idempotency-Key.

Every lifecycle step is an operation ``POST /requests/{id}/steps/{name}`` generated from the
table of steps (services.steps.STEPS), its body schema from the step's inputs. The older
``POST /requests/{id}/actions`` (one body for fifteen steps) and ``/public-text`` stay for the
clients that use them; they go through the same table.
"""

import datetime
from typing import Annotated, Literal

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from core.api import IdempotencyKey, Page, errors, idempotent
from core.api_schemas import MAX_ID, PathId
from core.steps import add_step_operations
from services import selectors, steps
from services import services as request_services
from services.models import Category, Channel, Rating, State

router = Router(tags=["services"])


class ItemOut(Schema):
    id: int
    code: str
    name: str
    category: str
    group: str
    lead_department: str
    deadline_days: int
    fields: list[dict]
    version: int


class RequestOut(Schema):
    id: int
    number: str
    title: str
    state: str
    state_label: str
    category: str
    channel: str
    item: str | None
    place: str
    lead_department: str | None
    created_at: datetime.datetime
    accept_due: datetime.datetime
    due_at: datetime.datetime | None
    rating: str


class EventOut(Schema):
    kind: str
    label: str
    at: datetime.datetime
    department: str | None
    note: str = Field(description="给居民的说明")
    internal_note: str = Field("", description="内部说明：只给工作人员，诉求人读到的总是空")


class PublicTextOut(Schema):
    description: str
    status_notes: str
    published_at: datetime.datetime


class RoutingOut(Schema):
    suggested: bool = Field(
        description="是否给出建议：把握低于本区设定的门槛或不认识描述里的词时为 false"
    )
    department_id: int | None = Field(None, description="建议的主办部门；不建议时为 null")
    department: str | None = None
    confidence: int = Field(description="把握（%）：在留出的样例上校准过的命中率")
    threshold: int = Field(
        description="本区设定的最低把握（%），诉求办理规则 routing_min_confidence"
    )
    reason: Literal["sure", "unsure", "unknown"] = Field(
        description="sure 达到门槛；unsure 低于门槛；unknown 不认识描述里的词"
    )


class RequestDetailOut(RequestOut):
    description: str
    answers: dict
    address: str
    answer: str
    events: list[EventOut]
    public_text: PublicTextOut | None = Field(
        None, description="公开办理摘要：对外（Open311）只显示这段经派单员审核的文字"
    )
    routing: RoutingOut | None = Field(
        None,
        description=(
            "系统的派单建议：只给能派单的工作人员、只在诉求未办结时；其他人（包括诉求人）总是 null"
        ),
    )


class RequestIn(Schema):
    place: int = Field(ge=1, le=MAX_ID, description="社区或网格的 id")
    description: str = Field(max_length=4000)
    item: str | None = Field(None, max_length=32, description="事项编码；不填则为自由描述")
    title: str = Field("", max_length=100)
    category: Category | None = None
    answers: dict[str, str | list[str]] = Field(default_factory=dict)
    address: str = Field("", max_length=200)


class ActionIn(Schema):
    action: Literal[
        "accept", "reject", "dispatch", "redispatch", "sign", "note", "answer", "return",
        "extend", "close", "visit", "rate", "uphold", "dismiss", "urge",
    ]  # fmt: skip
    note: str = Field("", max_length=4000, description="给居民的说明（不予受理时是理由）")
    internal_note: str = Field(
        "",
        max_length=4000,
        description="内部说明（居民不可见）：派单说明、改派理由、审核意见、回访记录、催办意见",
    )
    department: int | None = Field(None, ge=1, le=MAX_ID)
    co_departments: list[int] = Field(default_factory=list, max_length=20)
    days: int | None = Field(None, ge=1, le=30)
    rating: Rating | None = None


class PublicTextIn(Schema):
    description: str = Field(
        max_length=4000, description="公开摘要（必填，最多1000字，不得含个人信息）"
    )
    status_notes: str = Field("", max_length=4000, description="公开办理说明（可不填，最多500字）")


class RequestFilter(Schema):
    state: State | None = None
    mine: bool = False


def _out(req) -> dict:
    return {
        "id": req.pk,
        "number": req.number,
        "title": req.title,
        "state": req.state,
        "state_label": req.get_state_display(),
        "category": req.category,
        "channel": req.channel,
        "item": req.item.code if req.item_id else None,
        "place": req.place.name,
        "lead_department": req.lead_department.name if req.lead_department_id else None,
        "created_at": req.created_at,
        "accept_due": req.accept_due,
        "due_at": req.due_at,
        "rating": req.rating,
    }


def _detail(user, req) -> dict:
    staff = selectors.sees_as_staff(user, req)
    events = selectors.timeline_of(user, req)
    return {
        **_out(req),
        "description": req.description,
        "answers": req.answers,
        "address": req.address,
        "answer": req.answer,
        "public_text": request_services.public_text_of(req),
        "routing": _routing(user, req),
        "events": [
            {
                "kind": e.kind,
                "label": e.get_kind_display(),
                "at": e.at,
                "department": e.department.name if e.department_id else None,
                "note": e.note,
                "internal_note": e.internal_note if staff else "",
            }
            for e in events
        ],
    }


def _routing(user, req) -> dict | None:
    """Routing's word on an open request, for whoever may dispatch it (never the requester)."""
    if not req.is_open or not user.has_perm("services.dispatch", req):
        return None
    from services import routing

    found = routing.suggest(req)
    if found is None:
        return None
    return {
        "suggested": found.department is not None,
        "department_id": found.department.pk if found.department else None,
        "department": found.department.name if found.department else None,
        "confidence": found.confidence,
        "threshold": found.threshold,
        "reason": found.reason,
    }


def _visible(user, pk: int):
    req = selectors.requests_visible_to(user).filter(pk=pk).first()
    if req is None:
        raise Http404(_("没有这条诉求，或您无权查看。"))
    return req


@router.get("/items", response={200: list[ItemOut], **errors(422)}, summary="Service catalogue")
@paginate(Page)
def item_list(request):
    return [
        {
            "id": i.pk,
            "code": i.code,
            "name": i.name,
            "category": i.category,
            "group": i.group,
            "lead_department": i.lead_department.name,
            "deadline_days": i.deadline_days,
            "fields": i.fields,
            "version": i.version,
        }
        for i in selectors.items_for(request.auth).order_by("code", "pk")
    ]


@router.get("/requests", response={200: list[RequestOut], **errors(422)})
@paginate(Page)
def request_list(request, filters: Query[RequestFilter]):
    """Requests the user may see, newest first."""
    user = request.auth
    found = selectors.my_requests(user) if filters.mine else selectors.requests_visible_to(user)
    if filters.state:
        found = found.filter(state=filters.state)
    return [_out(r) for r in found.select_related("place", "item", "lead_department")[:1000]]


@router.get("/requests/{request_id}", response={200: RequestDetailOut, **errors(404, 422)})
def request_detail(request, request_id: PathId):
    return _detail(request.auth, _visible(request.auth, request_id))


@router.post("/requests", response={201: RequestDetailOut, **errors(403, 404, 409, 422)})
def request_create(
    request, response: HttpResponse, data: RequestIn, idempotency_key: IdempotencyKey = None
):
    """File a request for yourself (as on the resident pages)."""
    user = request.auth
    place = selectors.submit_places(user).filter(pk=data.place).first()
    if place is None:
        raise Http404(_("没有这个地点，或您不能在该地点提交诉求。"))
    item = None
    if data.item:
        item = selectors.items_for(user, place.district_id).filter(code=data.item).first()
        if item is None:
            raise Http404(_("没有这个事项。"))

    def run():
        req = request_services.request_submit(
            actor=user, place=place, item=item, description=data.description, title=data.title,
            category=data.category or "", answers=data.answers, address=data.address,
            channel=Channel.H5, resident=getattr(user, "person", None),
        )  # fmt: skip
        return 201, _detail(user, req)

    return idempotent(
        request, response, key=idempotency_key, operation="services.request_create",
        payload=data.dict(), run=run,
    )  # fmt: skip


def _take(user, request_id: int, step: steps.Step, raw: dict) -> dict:
    """Take one step of the table on a request the user sees; answer the request as it is now."""
    req = _visible(user, request_id)
    step.run(actor=user, request=req, data=steps.clean_input(step, user, req, raw))
    return _detail(user, _visible(user, request_id))


@router.post(
    "/requests/{request_id}/public-text",
    response={200: RequestDetailOut, **errors(403, 404, 422)},
    summary="Publish a reviewed summary for the public (Open311); dispatchers only",
)
def request_publish(request, request_id: PathId, data: PublicTextIn):
    """公开办理摘要: the only text about a request that Open311 GET shows to anyone."""
    raw = {"public_description": data.description, "public_status_notes": data.status_notes}
    return _take(request.auth, request_id, steps.BY_NAME["publish"], raw)


@router.post(
    "/requests/{request_id}/actions",
    response={200: RequestDetailOut, **errors(403, 404, 422)},
    summary="One lifecycle step (accept, dispatch, sign, answer, close, rate, …)",
)
def request_action(request, request_id: PathId, data: ActionIn):
    """The older form of ``/steps/{name}``: one body for fifteen of the steps."""
    step = steps.BY_NAME[data.action]
    if data.department is None and any(
        spec.kind == steps.DEPARTMENT and spec.required for spec in step.inputs
    ):
        raise Http404(_("没有这个部门。"))
    raw = {
        "note": data.note,
        "internal_note": data.internal_note,
        "department": data.department,
        "co": data.co_departments,
        "days": data.days or 0,
        "rating": data.rating or "",
    }
    return _take(request.auth, request_id, step, raw)


# ---------------------------------------------------------------- one operation per step

ID = Annotated[int, Field(ge=1, le=MAX_ID)]


def _body_field(spec: steps.Input):
    """The JSON type of one input of a step (text is checked by the service, with the reason)."""
    label = str(spec.label)
    required = ... if spec.required else None
    if spec.kind == steps.TEXT:
        return str, Field(... if spec.required else "", max_length=4000, description=label)
    if spec.kind == steps.DEPARTMENTS and spec.required:  # 吹哨: the service refuses none
        return list[ID], Field(..., max_length=20, description=label)
    if spec.kind == steps.DEPARTMENTS:
        return list[ID], Field(default_factory=list, max_length=20, description=label)
    if spec.kind == steps.DAYS:
        return int | None, Field(required, ge=1, le=30, description=label)
    if spec.kind == steps.RATING:
        return Rating | None, Field(required, description=label)
    if spec.kind == steps.PHOTO:  # photos are uploaded on the page; the API takes none
        return None, Field(None, description=label + "（仅网页上传，接口请留空）")
    # a department, an application, a request to merge into: an id
    return int | None, Field(required, ge=1, le=MAX_ID, description=label)


add_step_operations(
    router, steps.STEPS, collection="/requests", id_name="request_id", out=RequestDetailOut,
    body_field=_body_field, take=_take, prefix="services", model_prefix="Step",
)  # fmt: skip


# The search of requests for staff registers its operation on this router.
from services import api_search  # noqa: E402,F401
