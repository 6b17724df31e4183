"""The service-request state machine as one table of steps.

Each row says what a step is called, which service does it, which django-rules permission it
needs, from which states it may be taken, and what input it takes. The request page
(``views.request_act`` and ``request_detail.html``), the JSON API (``api.py``: one operation per
row, ``POST /api/services/requests/{id}/steps/{name}``) and the tests all loop over ``STEPS``:
adding a step is adding a row here (and its service in the ``services.services`` package).
The shape of a row and what loops over the rows are shared: ``core.steps``.

``available_steps(user, request)`` answers which steps this user may take on this request now,
with the same rules predicates the services check; the services still check everything again
when a step is taken (the state may have moved meanwhile).
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import steps as core_steps
from core.steps import TEXT
from services import selectors
from services import services as request_services
from services.models import Application, Level, ServiceRequest, State

# Kinds of input besides text. The page renders each kind as its widget, the API as its JSON
# type, and ``clean_input`` turns what came in into what the service takes.
DEPARTMENT = "department"  # one active department of the request's district (a pk)
DEPARTMENTS = "departments"  # several of them (pks)
DAYS = "days"  # working days, 1–30
RATING = "rating"  # one of services.models.Rating
APPLICATION = "application"  # a pending application on this request (a pk)
MERGE_TARGET = "merge_target"  # an open request the user dispatches (a pk)
PHOTO = "photo"  # an uploaded image (the page only; the API takes none)
WHISTLE = "whistle"  # a department's report on this request, not yet rated (a pk)
COMPOUND = "compound"  # a compound of the request's community with a property company in force


@dataclass(frozen=True, kw_only=True)
class Input(core_steps.Input):
    max_length: int = 4000
    placeholder: Promise | str = ""
    dom_id: str = ""  # the element's id on the page (default: "<group>-<name>")
    exclude_lead: bool = False  # a department other than the current lead


@dataclass(frozen=True, kw_only=True)
class Step(core_steps.Step):
    """One step of the request lifecycle (``perm``: a django-rules permission on the request).

    The subject is the request (``subject="request"``; ``"duplicate"`` for a merge), or, for a
    step on a pending application, the application (the ``application`` input)."""

    group: str = ""  # steps of one group share one form on the page (default: the name)
    per_application: bool = False  # one form per pending application
    kind_labels: dict = field(default_factory=dict)  # per application kind, the button

    @property
    def form(self) -> str:
        return self.group or self.name

    def subject_of(self, request: ServiceRequest, data: dict):
        return data["application"] if self.subject == "application" else request


# ---------------------------------------------------------------- guards


def _may_object(user, request) -> bool:
    """Still inside the window for 派单异议 (the service checks again on submit)."""
    from core import calendar as workcal

    return request.dispatched_at is None or timezone.now() <= workcal.add_working_days(
        request.dispatched_at, request_services.OBJECTION_DAYS
    )


def _has_pending(user, request) -> bool:
    return pending_applications(request).exists()


def _has_merge_target(user, request) -> bool:
    return merge_targets(user, request).exists()


def _department_level(user, request) -> bool:
    return request.level == Level.DEPARTMENT


def _may_object_here(user, request) -> bool:
    return _department_level(user, request) and _may_object(user, request)


def _level_goes_up(user, request) -> bool:
    return request.level in (Level.GRID, Level.COMMUNITY)


def _at_street(user, request) -> bool:
    return request.level == Level.STREET


def _not_department(user, request) -> bool:
    return request.level != Level.DEPARTMENT


def _my_whistle_open(user, request) -> bool:
    from services.policies import officer_departments

    found = request.whistles.filter(reported_at__isnull=True)
    if not user.is_superuser:
        found = found.filter(department__in=officer_departments(user))
    return found.exists()


def _may_route_to_property(user, request) -> bool:
    """A request the grid or community holds, in a community with a company in force."""
    from core import clock
    from services import property_hooks

    return request.level in (Level.GRID, Level.COMMUNITY) and bool(
        property_hooks.compounds(request.community_id, clock.today())
    )


def _at_property(user, request) -> bool:
    return request.level == Level.PROPERTY


def _report_to_rate(user, request) -> bool:
    return request.level == Level.STREET and reports_to_rate(request).exists()


def reports_to_rate(request):
    """The departments' reports on this request the street has not rated yet."""
    return request.whistles.filter(reported_at__isnull=False, rating="").select_related(
        "department"
    )


def pending_applications(request):
    return request.applications.filter(status=Application.Status.PENDING).select_related(
        "department", "suggested_department"
    )


def merge_targets(user, request):
    """Open requests near this one (its community) that it may be merged into."""
    return (
        selectors.dispatchable(user)
        .filter(state__in=[State.ACCEPTED, State.DISPATCHED, State.HANDLING])
        .exclude(pk=request.pk)
        .filter(
            place_path__startswith=request.community.path
            if request.community_id
            else request.place_path
        )
    )


# ---------------------------------------------------------------- the table

S = State
ANY_STATE = frozenset(State.values)
IN_HAND = frozenset({S.DISPATCHED, S.HANDLING})


def _note(label, *, required=False, rows=2, max_length=4000, placeholder="") -> Input:
    return Input(
        "note", TEXT, label, required=required, rows=rows, max_length=max_length,
        placeholder=placeholder,
    )  # fmt: skip


def _for_resident(label=None, *, required=False, max_length=1000) -> Input:
    """The note the resident reads (page, API, notice)."""
    return _note(
        label or gettext_lazy("给居民的说明（居民可见，可不填）"), required=required,
        max_length=max_length,
    )  # fmt: skip


def _internal(label, *, required=False, rows=2, max_length=1000) -> Input:
    """A note for staff only: never shown to the resident."""
    return Input("internal_note", TEXT, label, required=required, rows=rows, max_length=max_length)


DISPATCH_NOTES = (
    _for_resident(gettext_lazy("给居民的说明（居民可见；不予受理时必填，写明理由）")),
    _internal(gettext_lazy("派单说明（内部，居民不可见）")),
)
BOTH = {"note": "note", "internal_note": "internal_note"}
REVIEW_NOTES = (
    _internal(gettext_lazy("核实意见（内部，居民不可见）"), required=True),
    _for_resident(gettext_lazy("给居民的说明（重办时告知居民，可不填）")),
)

LEAD = Input("department", DEPARTMENT, gettext_lazy("主办部门"), required=True, dom_id="department")
CO = Input("co", DEPARTMENTS, gettext_lazy("协办部门（可多选）"), dom_id="co")

STEPS: tuple[Step, ...] = (
    Step(
        "accept_dispatch", gettext_lazy("受理并派单"), request_services.request_accept_dispatch,
        "services.dispatch", frozenset({S.SUBMITTED}),
        inputs=(LEAD, CO, *DISPATCH_NOTES),
        args={"department": "department", "co_departments": "co", **BOTH},
        group="dispatch", title=gettext_lazy("受理并派单"), style="primary",
    ),
    Step(
        "accept", gettext_lazy("仅受理"), request_services.request_accept, "services.dispatch",
        frozenset({S.SUBMITTED}), inputs=DISPATCH_NOTES, args=BOTH,
        group="dispatch", summary=gettext_lazy("受理"),
    ),
    Step(
        "reject", gettext_lazy("不予受理（说明写理由）"), request_services.request_reject,
        "services.dispatch", frozenset({S.SUBMITTED}),
        inputs=(
            _for_resident(gettext_lazy("不予受理的理由（将告知居民）"), required=True, max_length=500),
            DISPATCH_NOTES[1],
        ),
        args={"reason": "note", "internal_note": "internal_note"}, group="dispatch", style="danger", summary=gettext_lazy("不予受理"),
    ),
    Step(
        "dispatch", gettext_lazy("派单"), request_services.request_dispatch, "services.dispatch",
        frozenset({S.ACCEPTED}), inputs=(LEAD, CO, *DISPATCH_NOTES),
        args={"department": "department", "co_departments": "co", **BOTH},
        style="primary",
    ),
    Step(
        "merge", gettext_lazy("并单"), request_services.request_merge, "services.dispatch",
        frozenset({S.SUBMITTED, S.ACCEPTED}),
        inputs=(
            Input("into", MERGE_TARGET, gettext_lazy("并入"), required=True, dom_id="into"),
            _for_resident(gettext_lazy("告知居民的说明（居民可见）")),
            _internal(gettext_lazy("内部说明（居民不可见）")),
        ),
        args={"into": "into", **BOTH}, subject="duplicate",
        title=gettext_lazy("并单（与已有诉求重复）"), collapsed=True, guard=_has_merge_target,
    ),
    Step(
        "urge", gettext_lazy("催办"), request_services.request_urge, "services.dispatch", IN_HAND,
        inputs=(_internal(gettext_lazy("催办意见（内部，居民不可见）"), required=True, max_length=500),),
        args={"internal_note": "internal_note"},
    ),
    Step(
        "redispatch", gettext_lazy("改派"), request_services.request_redispatch, "services.dispatch",
        IN_HAND,
        inputs=(
            Input("department", DEPARTMENT, gettext_lazy("新的主办部门"), required=True, exclude_lead=True),
            _internal(gettext_lazy("改派理由（内部，居民不可见）"), required=True, max_length=500),
            _for_resident(),
        ),
        args={"department": "department", "reason": "internal_note", "note": "note"},
        title=gettext_lazy("改派 / 转办"), style="primary", collapsed=True,
    ),
    Step(
        "approve", gettext_lazy("同意"), request_services.application_decide, "services.dispatch", IN_HAND,
        inputs=(
            Input("application", APPLICATION, gettext_lazy("申请"), required=True),
            Input(
                "department", DEPARTMENT, gettext_lazy("异议成立时改派给"), exclude_lead=True,
                dom_id="object-to",
            ),
            _internal(gettext_lazy("审核意见（内部，居民不可见）")),
            _for_resident(gettext_lazy("给居民的说明（延期或改派时告知居民，可不填）")),
        ),
        args={"department": "department", **BOTH}, fixed={"approve": True},
        subject="application", group="decide", style="primary", guard=_has_pending,
        kind_labels={Application.Kind.OBJECT: gettext_lazy("异议成立，改派")},
        per_application=True, summary=gettext_lazy("同意退单、延期申请或派单异议"),
    ),
    Step(
        "refuse", gettext_lazy("驳回"), request_services.application_decide, "services.dispatch", IN_HAND,
        inputs=(
            Input("application", APPLICATION, gettext_lazy("申请"), required=True),
            _internal(gettext_lazy("审核意见（内部，居民不可见）"), required=True),
        ),
        args={"internal_note": "internal_note"}, fixed={"approve": False}, subject="application",
        group="decide", guard=_has_pending, per_application=True,
        kind_labels={Application.Kind.OBJECT: gettext_lazy("异议不成立")},
        summary=gettext_lazy("驳回退单、延期申请或派单异议"),
    ),
    Step(
        "close", gettext_lazy("办结"), request_services.request_close, "services.dispatch",
        frozenset({S.ANSWERED}),
        inputs=(_internal(gettext_lazy("办结意见（内部，居民不可见）")), _for_resident()), args=BOTH,
        title=gettext_lazy("审核答复"), style="primary",
    ),
    Step(
        "visit", gettext_lazy("记录回访"), request_services.request_visit, "services.dispatch",
        frozenset({S.CLOSED}),
        inputs=(_internal(gettext_lazy("回访记录（内部，居民不可见）"), required=True), _for_resident()),
        args=BOTH, title=gettext_lazy("回访"), style="primary", summary=gettext_lazy("回访"),
    ),
    Step(
        "uphold", gettext_lazy("属实，退回重办"), request_services.rating_review, "services.dispatch",
        frozenset({S.DISPUTED}),
        inputs=REVIEW_NOTES, args=BOTH, fixed={"upheld": True}, group="review",
        title=gettext_lazy("核实不满意评价"), style="primary", summary=gettext_lazy("核实评价：属实，重办"),
    ),
    Step(
        "dismiss", gettext_lazy("不属实，维持办结"), request_services.rating_review, "services.dispatch",
        frozenset({S.DISPUTED}),
        inputs=REVIEW_NOTES, args=BOTH, fixed={"upheld": False}, group="review",
        summary=gettext_lazy("核实评价：不属实，维持"),
    ),
    Step(
        "sign", gettext_lazy("签收并办理"), request_services.request_sign, "services.handle",
        frozenset({S.DISPATCHED}), title=gettext_lazy("签收"), style="primary", summary=gettext_lazy("签收"),
    ),
    Step(
        "answer", gettext_lazy("提交答复"), request_services.request_answer, "services.handle",
        frozenset({S.HANDLING}),
        inputs=(
            _note(gettext_lazy("答复内容"), required=True, rows=4),
            Input("photo", PHOTO, gettext_lazy("现场照片（可不传）")),
        ),
        args={"answer": "note", "photo": "photo"}, title=gettext_lazy("答复居民"), style="primary",
        summary=gettext_lazy("答复"),
    ),
    Step(
        "object", gettext_lazy("提出派单异议"), request_services.dispatch_object, "services.handle",
        frozenset({S.DISPATCHED}),
        inputs=(
            _note(gettext_lazy("异议理由和职责依据"), required=True, rows=3, max_length=1000),
            Input("suggested", DEPARTMENT, gettext_lazy("建议承办部门（可不选）"), exclude_lead=True),
        ),
        args={"reason": "note", "suggested_department": "suggested"},
        title=gettext_lazy("派单异议（不属本部门职责）"), style="danger", collapsed=True,
        help=gettext_lazy("请在签收前、派单后1个工作日内提出，写明职责依据。"), guard=_may_object_here,
    ),
    Step(
        "extend", gettext_lazy("申请延期"), request_services.extension_ask, "services.handle", IN_HAND,
        inputs=(
            Input("days", DAYS, gettext_lazy("延期工作日"), required=True, dom_id="days"),
            _note(gettext_lazy("理由"), required=True, max_length=1000),
        ),
        args={"days": "days", "reason": "note"}, collapsed=True, guard=_department_level,
    ),
    Step(
        "return", gettext_lazy("申请退单"), request_services.return_ask, "services.handle", IN_HAND,
        inputs=(_note(gettext_lazy("退单理由"), required=True, max_length=1000),),
        args={"reason": "note"}, style="danger", collapsed=True, guard=_department_level,
    ),
    Step(
        "note", gettext_lazy("保存进展"), request_services.request_note, "services.note", IN_HAND,
        inputs=(
            _for_resident(gettext_lazy("给居民的说明（居民可见）"), max_length=2000),
            _internal(gettext_lazy("内部进展（居民不可见）"), max_length=2000),
        ),
        args=BOTH, help=gettext_lazy("两项至少填一项；只填内部进展时，居民看不到这一步。"),
        title=gettext_lazy("填写办理进展"), collapsed=True, summary=gettext_lazy("填写办理进展"),
    ),
    # Handling in the grid, the community or the street (services.services.levels).
    Step(
        "local_accept", gettext_lazy("受理并处置"), request_services.request_local_accept,
        "services.handle_local", frozenset({S.SUBMITTED}), inputs=(_for_resident(),),
        title=gettext_lazy("属地受理"), style="primary", summary=gettext_lazy("属地受理"),
        help=gettext_lazy("本级能就地解决的，受理后处置、答复并办结；处置不了的上报上一级。"),
        guard=_not_department,
    ),
    Step(
        "escalate", gettext_lazy("上报上一级"), request_services.request_escalate,
        "services.handle_local", IN_HAND,
        inputs=(
            _internal(gettext_lazy("上报理由（内部，居民不可见）"), required=True, max_length=500),
            _for_resident(),
        ),
        args={"reason": "internal_note", "note": "note"}, guard=_level_goes_up,
        title=gettext_lazy("上报（本级处置不了）"), collapsed=True,
        summary=gettext_lazy("上报上一级（网格→社区→街道）"),
    ),
    Step(
        "whistle", gettext_lazy("吹哨"), request_services.request_whistle, "services.handle_local",
        frozenset({S.HANDLING}),
        inputs=(
            Input("departments", DEPARTMENTS, gettext_lazy("召集的职能部门（可多选）"),
                  required=True, dom_id="whistle-departments"),
            _internal(gettext_lazy("吹哨事由（内部，居民不可见）"), required=True),
        ),
        args={"departments": "departments", "reason": "internal_note"}, guard=_at_street,
        title=gettext_lazy("吹哨召集职能部门"), collapsed=True,
        help=gettext_lazy("被召集的部门须在规定的工作日内报到，报到后由街道评价。"),
        summary=gettext_lazy("街道吹哨"),
    ),
    Step(
        "report", gettext_lazy("报到"), request_services.whistle_report, "services.report",
        frozenset({S.HANDLING}),
        inputs=(_note(gettext_lazy("报到情况（到场时间、人员、处置措施）"), required=True, rows=3),),
        args={"report": "note"}, guard=_my_whistle_open, title=gettext_lazy("部门报到"),
        style="primary", summary=gettext_lazy("部门报到"),
    ),
    Step(
        "rate_report", gettext_lazy("提交评价"), request_services.whistle_rate,
        "services.handle_local", frozenset({S.HANDLING, S.ANSWERED}),
        inputs=(
            Input("whistle", WHISTLE, gettext_lazy("报到的部门"), required=True),
            Input("rating", RATING, gettext_lazy("评价"), required=True),
        ),
        guard=_report_to_rate, title=gettext_lazy("评价部门报到"), summary=gettext_lazy("评价部门报到"),
    ),
    Step(
        "local_close", gettext_lazy("办结"), request_services.request_local_close,
        "services.handle_local", frozenset({S.ANSWERED}),
        inputs=(_internal(gettext_lazy("办结意见（内部，居民不可见）")), _for_resident()), args=BOTH,
        guard=_not_department, title=gettext_lazy("办结"), style="primary",
        summary=gettext_lazy("属地办结"),
    ),
    # A compound's property company (services.services.property).
    Step(
        "property_route", gettext_lazy("转物业"), request_services.request_property_route,
        "services.handle_local", frozenset({S.SUBMITTED, S.DISPATCHED, S.HANDLING}),
        inputs=(
            Input("compound", COMPOUND, gettext_lazy("小区（物业服务合同在有效期内）"),
                  dom_id="property-compound"),
            _internal(gettext_lazy("转办说明（内部，居民不可见）"), required=True, max_length=500),
            _for_resident(),
        ),
        args={"compound_id": "compound", **BOTH}, guard=_may_route_to_property,
        title=gettext_lazy("转物业服务企业办理"), collapsed=True,
        help=gettext_lazy("属于小区物业服务范围的（保洁、绿化、公共设施维修等），转给合同在有效期内的物业服务企业；物业须在规定的工作日内签收、办结。"),
        summary=gettext_lazy("转物业"),
    ),
    Step(
        "property_accept", gettext_lazy("签收"), request_services.request_property_accept,
        "services.handle_property", frozenset({S.DISPATCHED}), inputs=(_for_resident(),),
        guard=_at_property, title=gettext_lazy("物业签收"), style="primary", summary=gettext_lazy("物业签收"),
    ),
    Step(
        "property_close", gettext_lazy("答复并办结"), request_services.request_property_close,
        "services.handle_property", frozenset({S.HANDLING}),
        inputs=(
            _note(gettext_lazy("答复居民（居民可见）"), required=True, rows=4, max_length=2000),
            _internal(gettext_lazy("内部说明（居民不可见）")),
        ),
        args=BOTH, guard=_at_property, title=gettext_lazy("物业答复并办结"), style="primary",
        summary=gettext_lazy("物业答复并办结"),
    ),
    Step(
        "property_return", gettext_lazy("退回社区"), request_services.request_property_return,
        "services.handle_property", IN_HAND,
        inputs=(
            _internal(gettext_lazy("退回理由（内部，居民不可见）"), required=True, max_length=500),
            _for_resident(),
        ),
        args={"reason": "internal_note", "note": "note"}, style="danger", collapsed=True,
        guard=_at_property, title=gettext_lazy("退回社区（不属于物业服务事项）"), summary=gettext_lazy("物业退回社区"),
    ),
    Step(
        "rate", gettext_lazy("提交评价"), request_services.request_rate, "services.rate",
        frozenset({S.CLOSED, S.VISITED}),
        inputs=(
            Input("rating", RATING, gettext_lazy("评价"), required=True),
            _note(gettext_lazy("评价说明"), max_length=500, placeholder=gettext_lazy("不满意时请说明原因")),
        ),
        args={"rating": "rating", "note": "note"}, title=gettext_lazy("请您评价"), style="primary",
        summary=gettext_lazy("评价"),
    ),
    Step(
        "publish", gettext_lazy("公开"), request_services.request_publish_public_text, "services.publish",
        ANY_STATE,
        inputs=(
            Input(
                "public_description", TEXT, gettext_lazy("公开摘要"), required=True, rows=3,
                max_length=request_services.PUBLIC_DESCRIPTION_MAX,
            ),
            Input(
                "public_status_notes", TEXT, gettext_lazy("公开办理说明（可不填）"),
                max_length=request_services.PUBLIC_STATUS_NOTES_MAX,
            ),
        ),
        args={"description": "public_description", "status_notes": "public_status_notes"},
        title=gettext_lazy("公开办理摘要"), style="primary", collapsed=True,
        help=gettext_lazy(
            "对外接口（Open311）只显示这里审核后的文字，不显示居民填写的内容。"
            "请用自己的话概括，不要写姓名、电话、门牌号等个人信息。"
        ),
        summary=gettext_lazy("公开办理摘要（对外只显示这段文字）"),
    ),
)  # fmt: skip

TABLE = core_steps.Table(STEPS)
BY_NAME: dict[str, Step] = TABLE.by_name
available_steps = TABLE.available  # (user, request) -> the steps user may take on it now


def clean_input(step: Step, user, request: ServiceRequest, raw: dict) -> dict:
    """What a page or API client sent, as the service takes it (``core.steps.clean_input``).

    ``raw`` maps input names to strings (lists for several departments) or to JSON values.
    A missing or malformed reference is refused with the reason (ValidationError); a reference
    to something the user may not use answers 404."""
    cleaners = {
        DEPARTMENT: lambda value, spec: _department(request, value, spec),
        DEPARTMENTS: lambda value, spec: selectors.departments_for(request).filter(
            pk__in=[int(v) for v in (value or []) if str(v).isdigit()]
        ),
        DAYS: lambda value, spec: "" if value is None else value,
        RATING: core_steps.as_text,
        APPLICATION: lambda value, spec: _one(request.applications.all(), value),
        MERGE_TARGET: lambda value, spec: _one(selectors.dispatchable(user), value),
        PHOTO: lambda value, spec: value if hasattr(value, "read") else None,
        WHISTLE: lambda value, spec: _whistle(request, value),
        COMPOUND: lambda value, spec: int(value) if str(value or "").isdigit() else None,
    }
    return core_steps.clean_input(step, raw, cleaners)


def _department(request, value, spec: Input):
    if value in (None, ""):
        if spec.required:
            raise ValidationError(_("请选择主办部门。"))
        return None
    if not str(value).isdigit():
        raise ValidationError(_("请选择本区有效的主办部门。"))
    return _one(selectors.departments_for(request), value)


def _whistle(request, value):
    if value in (None, ""):
        return None  # the service says what is missing
    return _one(request.whistles.all(), value)


def _one(queryset, value):
    found = queryset.filter(pk=int(value)).first() if str(value or "").isdigit() else None
    if found is None:
        raise Http404(_("没有找到所选的对象。"))
    return found
