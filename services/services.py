"""Every write of the services app: catalogue, requests and each step of their lifecycle.

Import as ``from services import services as request_services`` (the app is called services).
Each function is keyword-only, atomic, checks permission, refuses a transition the current state
does not allow (with the reason), writes, appends a timeline event and one audit event.
"""

import datetime
import hashlib
import re
import secrets
from contextlib import nullcontext
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audit, clock, images
from core import calendar as workcal
from core.clock import one_write
from core.models import AuditEvent, Department, Notification, Place, PlaceLevel, User
from core.validation import require_perm as _require
from services import notify, plain_sql, summary
from services.models import (
    FINAL_STATES,
    OPEN_STATES,
    Applicant,
    Application,
    Category,
    Channel,
    EventKind,
    FieldType,
    Open311Key,
    Rating,
    RequestEvent,
    RequestPublicText,
    ServiceItem,
    ServiceRequest,
    State,
)

# Default handling deadlines in working days by class (a Jiangsu rulebook: enquiries and help
# 3 working days, complaints and suggestions 13).
DEFAULT_DEADLINE_DAYS = {
    Category.ENQUIRY: 3,
    Category.HELP: 3,
    Category.COMPLAINT: 13,
    Category.REPORT: 13,
    Category.SUGGESTION: 13,
    Category.PRAISE: 3,
}
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_EXTENSION_DAYS = 30
# 派单异议 is raised before signing and within this many working days of the dispatch.
OBJECTION_DAYS = 1


def _text(value, label: str, *, required: bool = True, max_length: int = 4000) -> str:
    value = (value or "").strip().replace("\x00", "")
    if required and not value:
        raise ValidationError(_("%(label)s不能为空。"), params={"label": label}, code="required")
    if len(value) > max_length:
        raise ValidationError(
            _("%(label)s过长（最多%(max)s字）。"), params={"label": label, "max": max_length}
        )
    return value


def _now() -> datetime.datetime:
    return clock.now()


# ---------------------------------------------------------------- catalogue

FIELD_TYPES = {choice.value for choice in FieldType}


def clean_fields(fields) -> list[dict]:
    """Validate typed form field definitions; codes unique, lists carry their values."""
    if not isinstance(fields, list):
        raise ValidationError(_("表单字段格式不正确。"))
    cleaned, codes = [], set()
    for order, spec in enumerate(fields, start=1):
        if not isinstance(spec, dict):
            raise ValidationError(_("表单字段格式不正确。"))
        code = str(spec.get("code", "")).strip()
        if not code or not code.replace("_", "").isalnum() or not code.isascii() or len(code) > 32:
            raise ValidationError(_("字段编码应为1–32位字母、数字或下划线。"))
        if code in codes:
            raise ValidationError(_("字段编码“%(code)s”重复。"), params={"code": code})
        codes.add(code)
        datatype = spec.get("datatype", FieldType.STRING)
        if datatype not in FIELD_TYPES:
            raise ValidationError(_("字段类型“%(type)s”不受支持。"), params={"type": datatype})
        values = [[str(k), str(n)] for k, n in spec.get("values", [])]
        if datatype in (FieldType.SINGLE, FieldType.MULTI) and not values:
            raise ValidationError(_("选择类字段“%(code)s”需要给出选项。"), params={"code": code})
        cleaned.append(
            {
                "code": code,
                "label": _text(spec.get("label"), _("字段名称"), max_length=100),
                "datatype": datatype,
                "required": bool(spec.get("required", False)),
                "order": order,
                "help": str(spec.get("help", ""))[:200],
                "values": values,
            }
        )
    return cleaned


def _departments(district: Place, lead: Department, co) -> list[Department]:
    if lead is None or lead.district_id != district.pk or not lead.is_active:
        raise ValidationError(_("主办部门应为本区有效的职能部门。"))
    co = list(co or [])
    for department in co:
        if department.district_id != district.pk:
            raise ValidationError(_("协办部门应为本区的职能部门。"))
        if department.pk == lead.pk:
            raise ValidationError(_("协办部门不能与主办部门相同。"))
    return co


def _days(value, label: str, low: int, high: int) -> int:
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise ValidationError(_("%(label)s应为整数。"), params={"label": label}) from None
    if not low <= value <= high:
        raise ValidationError(
            _("%(label)s应在%(low)s到%(high)s之间。"),
            params={"label": label, "low": low, "high": high},
        )
    return value


@one_write
def item_create(
    *,
    actor,
    district: Place,
    code: str,
    name: str,
    category: str,
    lead_department: Department,
    co_departments=(),
    description: str = "",
    group: str = "",
    keywords: str = "",
    materials: str = "",
    fields=(),
    acceptance_days: int = 1,
    deadline_days: int | None = None,
    applicant: str = Applicant.ANYONE,
    sensitive: bool = False,
) -> ServiceItem:
    """A catalogue item (version 1). ``sensitive``: about a person's circumstances, so the public
    outputs do not name it for a request (see ServiceItem.sensitive)."""
    _require(actor, "services.manage_catalogue", district)
    code = _text(code, _("事项编码"), max_length=32)
    if not code.isascii() or not code.replace("-", "").replace("_", "").isalnum():
        raise ValidationError(_("事项编码只能包含字母、数字、- 和 _。"))
    if category not in Category.values:
        raise ValidationError(_("请选择事项类别。"))
    if applicant not in Applicant.values:
        raise ValidationError(_("请选择申请人范围。"))
    co = _departments(district, lead_department, co_departments)
    if ServiceItem.objects.filter(district=district, code=code).exists():
        raise ValidationError(_("事项编码“%(code)s”已存在。"), params={"code": code})
    item = ServiceItem.objects.create(
        district=district,
        code=code,
        name=_text(name, _("事项名称"), max_length=100),
        description=_text(description, _("说明"), required=False),
        category=category,
        group=_text(group, _("领域"), required=False, max_length=50),
        keywords=_text(keywords, _("关键词"), required=False, max_length=200),
        lead_department=lead_department,
        materials=_text(materials, _("所需材料"), required=False),
        fields=clean_fields(list(fields)),
        acceptance_days=_days(acceptance_days, _("受理时限"), 0, 5),
        deadline_days=_days(
            DEFAULT_DEADLINE_DAYS[category] if deadline_days is None else deadline_days,
            _("办理时限"),
            0,
            60,
        ),
        applicant=applicant,
        sensitive=bool(sensitive),
    )
    item.co_departments.set(co)
    audit.record(
        actor=actor,
        action="services.item_create",
        obj=item,
        changes={"code": code, "name": item.name, "lead": lead_department.name},
        place=district,
    )
    return item


@one_write
def item_update(*, actor, item: ServiceItem, **changes) -> ServiceItem:
    """Change an item; the version goes up, requests keep the version they were filed under."""
    item = ServiceItem.objects.select_for_update().get(pk=item.pk)
    _require(actor, "services.manage_catalogue", item.district)
    allowed = {
        "name", "description", "category", "group", "keywords", "lead_department",
        "co_departments", "materials", "fields", "acceptance_days", "deadline_days",
        "applicant", "is_active", "sensitive",
    }  # fmt: skip
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(
            _("不能修改这些字段：%(f)s"), params={"f": ", ".join(sorted(unknown))}
        )
    co = changes.pop("co_departments", None)
    if "name" in changes:
        changes["name"] = _text(changes["name"], _("事项名称"), max_length=100)
    if "category" in changes and changes["category"] not in Category.values:
        raise ValidationError(_("请选择事项类别。"))
    if "fields" in changes:
        changes["fields"] = clean_fields(list(changes["fields"]))
    if "deadline_days" in changes:
        changes["deadline_days"] = _days(changes["deadline_days"], _("办理时限"), 0, 60)
    if "acceptance_days" in changes:
        changes["acceptance_days"] = _days(changes["acceptance_days"], _("受理时限"), 0, 5)
    if "sensitive" in changes:
        changes["sensitive"] = bool(changes["sensitive"])
    lead = changes.get("lead_department", item.lead_department)
    if co is not None or "lead_department" in changes:
        co = _departments(item.district, lead, co if co is not None else item.co_departments.all())
    diff = audit.diff(item, **changes)
    if co is not None:
        old = sorted(d.name for d in item.co_departments.all())
        new = sorted(d.name for d in co)
        if old != new:
            diff["co_departments"] = [old, new]
    if not diff:
        return item
    for name, value in changes.items():
        setattr(item, name, value)
    item.version += 1
    item.save()
    if co is not None:
        item.co_departments.set(co)
    audit.record(
        actor=actor, action="services.item_update", obj=item, changes=diff, place=item.district
    )
    return item


@one_write
def catalogue_seed(*, actor, district: Place) -> list[ServiceItem]:
    """Add the default catalogue items whose lead department exists in the district."""
    from services.catalogue_defaults import DEFAULT_ITEMS

    _require(actor, "services.manage_catalogue", district)
    departments = {d.short_code: d for d in Department.objects.filter(district=district)}
    created = []
    for spec in DEFAULT_ITEMS:
        lead = departments.get(spec["lead"])
        if (
            lead is None
            or ServiceItem.objects.filter(district=district, code=spec["code"]).exists()
        ):
            continue
        co = [departments[c] for c in spec.get("co", ()) if c in departments]
        created.append(
            item_create(
                actor=actor,
                district=district,
                code=spec["code"],
                name=spec["name"],
                category=spec["category"],
                group=spec.get("group", ""),
                keywords=spec.get("keywords", ""),
                description=spec.get("description", ""),
                materials=spec.get("materials", ""),
                lead_department=lead,
                co_departments=co,
                fields=spec.get("fields", ()),
                deadline_days=spec.get("days"),
                applicant=spec.get("applicant", Applicant.ANYONE),
                sensitive=spec.get("sensitive", False),
            )
        )
    return created


# ---------------------------------------------------------------- answers and uploads


def clean_answers(item: ServiceItem | None, raw: dict) -> dict:
    """Check answers against the item's typed fields: required present, numbers numbers,
    datetimes ISO 8601, list values among the keys. Unknown codes are refused."""
    if item is None:
        if raw:
            raise ValidationError(_("未选择事项时不能填写事项表单。"))
        return {}
    specs = {spec["code"]: spec for spec in item.fields}
    unknown = set(raw) - set(specs)
    if unknown:
        raise ValidationError(
            _("事项“%(item)s”没有这些字段：%(codes)s"),
            params={"item": item.name, "codes": ", ".join(sorted(unknown))},
        )
    cleaned = {}
    for code, spec in specs.items():
        value = raw.get(code)
        values = value if isinstance(value, list) else ([] if value in (None, "") else [value])
        values = [str(v).strip() for v in values if str(v).strip()]
        label = spec["label"]
        if not values:
            if spec["required"]:
                raise ValidationError(_("请填写“%(label)s”。"), params={"label": label})
            continue
        datatype = spec["datatype"]
        if datatype != FieldType.MULTI and len(values) > 1:
            raise ValidationError(_("“%(label)s”只能填一个值。"), params={"label": label})
        if datatype in (FieldType.SINGLE, FieldType.MULTI):
            keys = {k for k, _n in spec["values"]}
            bad = [v for v in values if v not in keys]
            if bad:
                raise ValidationError(
                    _("“%(label)s”的选项“%(value)s”无效。"),
                    params={"label": label, "value": bad[0]},
                )
            cleaned[code] = values if datatype == FieldType.MULTI else values[0]
        elif datatype == FieldType.NUMBER:
            try:
                number = Decimal(values[0])
            except InvalidOperation:
                number = None
            if number is None or not number.is_finite():
                raise ValidationError(_("“%(label)s”应为数字。"), params={"label": label})
            cleaned[code] = values[0]
        elif datatype == FieldType.DATETIME:
            try:
                parsed = parse_datetime(values[0])
            except ValueError:
                parsed = None
            if parsed is None:
                try:
                    parsed = datetime.date.fromisoformat(values[0])
                except ValueError:
                    raise ValidationError(
                        _("“%(label)s”应为日期时间（如 2026-05-01T09:30）。"),
                        params={"label": label},
                    ) from None
            cleaned[code] = values[0]
        else:
            limit = 200 if datatype == FieldType.STRING else 2000
            cleaned[code] = _text(values[0], label, max_length=limit)
    return cleaned


def clean_photo(photo):
    """An uploaded photo, taken in only as a real JPEG, PNG, GIF or WebP image of at most 5 MB:
    decoded and saved again without its metadata, under a generated name (core.images). Returns
    the file to store, or None; raises ValidationError (codes photo_size, photo_type,
    photo_pixels, photo_unreadable) before anything is written."""
    if photo is None:
        return None
    if photo.size > MAX_PHOTO_BYTES:
        raise ValidationError(_("照片不能超过5MB。"), code="photo_size")
    return images.reencode(photo, max_bytes=MAX_PHOTO_BYTES).as_file()


def _coordinate(value, label: str, limit: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except InvalidOperation:
        raise ValidationError(_("%(label)s应为数字。"), params={"label": label}) from None
    if not number.is_finite() or abs(number) > limit:
        raise ValidationError(_("%(label)s超出范围。"), params={"label": label})
    return number


# ---------------------------------------------------------------- the timeline


def _new_event(
    request, *, actor, kind, from_state="", note="", department=None, data=None, public=True
) -> RequestEvent:
    return RequestEvent(
        request=request,
        district_id=request.district_id,
        kind=kind,
        from_state=from_state,
        to_state=request.state,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=str(actor) if getattr(actor, "pk", None) else _("系统"),
        department=department,
        note=note,
        data=data or {},
        public=public,
    )


def _event(request, **details) -> RequestEvent:
    event = _new_event(request, **details)
    event.save()
    return event


def _tell_requester(request: ServiceRequest, title: str, body: str = "") -> None:
    """In-app notice to the requester (and an SMS through the configured backend)."""
    from django.urls import reverse

    users = set()
    if request.submitted_by_id and request.channel == Channel.H5:
        users.add(request.submitted_by_id)
    if request.resident_id and request.resident.account_id:
        users.add(request.resident.account_id)
    url = reverse("services:request_detail", args=[request.pk])
    for user_id in users:
        Notification.objects.create(
            user_id=user_id, title=f"{request.number} {title}"[:200], body=body, url=url
        )
    if request.resident_id and request.resident.mobile_enc:
        notify.queue_sms(person=request.resident, text=f"【邻里】您的诉求{request.number}{title}")


def _tell_department(department: Department | None, request: ServiceRequest, title: str) -> None:
    if department is None:
        return
    from django.urls import reverse

    from core.models import Role, RoleAssignment

    url = reverse("services:request_detail", args=[request.pk])
    for user_id in (
        RoleAssignment.objects.active()
        .filter(role=Role.DEPARTMENT_OFFICER, department=department)
        .values_list("user_id", flat=True)
        .distinct()
    ):
        Notification.objects.create(
            user_id=user_id, title=f"{request.number} {title}"[:200], url=url
        )


def _locked(request: ServiceRequest) -> ServiceRequest:
    return (
        ServiceRequest.objects.select_for_update(of=("self",))
        .select_related("lead_department", "resident", "item", "place")
        .get(pk=request.pk)
    )


def _allow(request: ServiceRequest, allowed: set, action: str) -> None:
    if request.state not in allowed:
        raise ValidationError(
            _("诉求当前状态为“%(state)s”，不能%(action)s。"),
            params={"state": request.get_state_display(), "action": action},
            code="bad_state",
        )


def _step(
    actor, request: ServiceRequest, perm: str, allowed: set, action: str, denied: str | None = None
) -> ServiceRequest:
    """How every step on one request starts: lock its row, check ``perm`` (refused with
    ``denied``, or the generic message), refuse a step its current state does not allow (with
    the reason). Returns the locked request, fresh from the database."""
    request = _locked(request)
    _require(actor, perm, request, denied)
    _allow(request, allowed, action)
    return request


def _moved(
    actor, request: ServiceRequest, kind: str, audit_action: str, *, from_state: str,
    fields=(), note: str = "", department=None, data=None, public: bool = True, changes=None,
) -> RequestEvent:  # fmt: skip
    """How every step on one request ends: save what changed (``fields``: those columns; None:
    the whole row; empty: nothing), append the timeline event, record the audit event."""
    if fields is None:
        request.save()
    elif fields:
        request.save(update_fields=[*fields, "updated_at"])
    event = _event(
        request, actor=actor, kind=kind, from_state=from_state, note=note,
        department=department, data=data, public=public,
    )  # fmt: skip
    audit.record(actor=actor, action=audit_action, obj=request, changes=changes)
    return event


# ---------------------------------------------------------------- submit


def _place_parts(place: Place) -> dict:
    """The ids of the place's street, community and grid, read from its path: the tree is always
    district → street → community → grid (core.models.CHILD_LEVEL), so depth gives the level."""
    ids = [int(part) for part in place.path.strip("/").split("/")]
    levels = (PlaceLevel.DISTRICT, PlaceLevel.STREET, PlaceLevel.COMMUNITY, PlaceLevel.GRID)
    parts = dict.fromkeys(("street_id", "community_id", "grid_id"))
    for level, pk in zip(levels[1:], ids[1:], strict=False):
        parts[f"{level}_id"] = pk
    parts["district_id"] = place.district_id
    return parts


def _check_resident_applicant(actor, place, channel, resident, contact_phone) -> None:
    """An item for the district's residents only: who files it must be one, or act for one."""
    from core.models import Role
    from core.rules import assignments_of

    if channel == Channel.H5:
        is_resident = any(
            a.role == Role.RESIDENT and a.place.district_id == place.district_id
            for a in assignments_of(actor)
        )
        if not is_resident and not actor.is_superuser:
            raise ValidationError(_("该事项仅限本辖区居民申请。"))
    elif channel == Channel.STAFF:
        if resident is None:
            raise ValidationError(_("代办该事项需要关联已登记的本辖区居民。"))
    elif channel == Channel.OPEN311:
        if not contact_phone:
            raise ValidationError(_("该事项仅限本辖区居民申请，请提供居民的联系电话（phone）。"))
    else:
        raise ValidationError(_("该事项仅限本辖区居民申请。"))


def _new_token() -> str:
    return secrets.token_hex(8)


def _insert_submitted(request: ServiceRequest, event: RequestEvent, audit_entry: dict) -> None:
    """Write a new request, its first timeline event, its counts in the metrics summary (what
    ``ServiceRequest.save`` keeps) and its audit event (``audit_entry``: core.audit.row's keywords).

    PostgreSQL: one statement — the event, the two summary upserts and the audit row as
    data-modifying CTEs beside the request's INSERT. A single statement is its own transaction,
    so outside a caller's transaction there is no BEGIN and no COMMIT round trip, and the summary
    row (one per day, place and class: every submission nearby updates it) stays locked only
    while the server commits, not while this process talks to it. SQLite: one statement each,
    in a transaction. The SQL text is written once per process (services.plain_sql); compiling
    the ORM's statements per submission cost more client CPU than the database spent on them."""
    connection = transaction.get_connection()
    request_sql, request_fields = plain_sql.insert_statement(ServiceRequest)
    event_sql, event_fields = plain_sql.insert_statement(RequestEvent, leading=("request",))
    request_values = plain_sql.insert_values(request, request_fields)
    event_values = plain_sql.insert_values(event, event_fields[1:])  # all but request_id
    upserts = [
        statement
        for key, counts in summary.deltas(None, summary.snapshot(request)).items()
        for statement in summary.upsert_statements(key, counts)
    ]
    if connection.vendor != "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(request_sql, request_values)
            plain_sql.mark_saved(request, cursor.fetchone()[0])
            cursor.execute(event_sql, [request.pk, *event_values])
            plain_sql.mark_saved(event, cursor.fetchone()[0])
            for sql, values in upserts:
                cursor.execute(sql, values)
            audit.record_sql(**audit_entry, obj=request)
    else:
        audit_sql, audit_values = _audit_row_sql(audit_entry, request)
        # The event's request_id is the new request's id, read from the first CTE.
        event_sql = event_sql.replace("VALUES (%s", "VALUES ((SELECT id FROM r)", 1)
        ctes = [f"r AS ({request_sql})", f"e AS ({event_sql})", f"a AS ({audit_sql})"]
        ctes += [f"s{n} AS ({sql})" for n, (sql, _values) in enumerate(upserts)]
        params = [*request_values, *event_values, *audit_values]
        params += [value for _sql, values in upserts for value in values]
        sql = f"WITH {', '.join(ctes)} SELECT id FROM r"  # noqa: S608 - text from metadata
        plain_sql.mark_saved(request, plain_sql.fetch_all(sql, params)[0][0])
    request.remember_summary_row()
    event.request = request


def _audit_row_sql(audit_entry: dict, request: ServiceRequest) -> tuple[str, list]:
    """The audit event of a request not yet written, as an INSERT … SELECT … FROM r (the CTE
    that writes the request): core.audit.row's values, but the object's id and its name
    ("SR00000042 title", ServiceRequest.__str__) are taken from the new row's id."""
    global _AUDIT_ROW_SQL
    connection = transaction.get_connection()
    if _AUDIT_ROW_SQL is None:
        from_row = {
            "object_id": "r.id::text",
            "object_repr": f"left({ServiceRequest.NUMBER_SQL.format(id='r.id')} || ' ' || %s, 200)",
        }
        quote = connection.ops.quote_name
        _AUDIT_ROW_SQL = (
            f"INSERT INTO {quote(AuditEvent._meta.db_table)} "  # noqa: S608 - from metadata
            f"({', '.join(quote(column) for column in audit.COLUMNS)}) "
            f"SELECT {', '.join(from_row.get(column, '%s') for column in audit.COLUMNS)} FROM r"
        )
    values = audit.row(**audit_entry, obj=request)
    values["at"] = _now()
    params = []
    for column in audit.COLUMNS:
        if column == "object_repr":
            params.append(request.title)  # the %s after the number
        elif column != "object_id":
            field = AuditEvent._meta.get_field(column)
            params.append(field.get_db_prep_save(values[column], connection))
    return _AUDIT_ROW_SQL, params


_AUDIT_ROW_SQL: str | None = None


@clock.moment()  # one moment, without a transaction: see the docstring
def request_submit(
    *,
    actor,
    place: Place,
    description: str,
    item: ServiceItem | None = None,
    title: str = "",
    category: str = "",
    answers: dict | None = None,
    address: str = "",
    lat=None,
    long=None,
    photo=None,
    media_url: str = "",
    channel: str = Channel.H5,
    resident=None,
    contact_name: str = "",
    contact_phone: str = "",
    client_key: str = "",
) -> ServiceRequest:
    """File a request. A repeated ``client_key`` from the same account returns the first request
    (a double submit creates one request). ``channel`` decides the permission asked:
    H5 — the resident themself; staff — 代办 on behalf of ``resident``; patrol — a grid worker;
    open311 — an Open311 key's account (checked by the Open311 view before calling).

    Atomic like every step, though not through ``transaction.atomic``: everything it writes is
    one statement on PostgreSQL (see ``_insert_submitted``); before it, it only reads."""
    # Labels and refusals are lazy here: translated only when an error is shown (this runs for
    # every submission, and the catalogue look-ups were a measurable part of its CPU).
    client_key = (client_key or "").strip()[:64]
    if client_key and getattr(actor, "pk", None):
        existing = ServiceRequest.objects.filter(submitted_by=actor, client_key=client_key).first()
        if existing is not None:
            return existing
    if place is None or not place.is_active:
        raise ValidationError(_("请选择有效的地点。"))
    if channel == Channel.H5:
        _require(actor, "services.submit", place, gettext_lazy("您不能在该地点提交诉求。"))
    elif channel == Channel.STAFF:
        _require(actor, "services.intake", place, gettext_lazy("您不能为该地点的居民代办诉求。"))
    elif channel == Channel.PATROL:
        _require(actor, "services.patrol", place, gettext_lazy("只有本网格的网格员可以巡查上报。"))
    elif channel == Channel.OPEN311:
        if not Open311Key.objects.filter(
            account=actor, district_id=place.district_id, revoked_at__isnull=True
        ).exists():
            raise PermissionDenied(_("Open311 密钥无效。"))
    else:
        raise ValidationError(_("未知的渠道。"))
    if item is not None:
        if item.district_id != place.district_id or not item.is_active:
            raise ValidationError(_("该事项不属于本区或已停用。"))
        if item.applicant == Applicant.STAFF and channel not in (Channel.STAFF, Channel.PATROL):
            raise ValidationError(_("该事项需由工作人员代办。"))
        if item.applicant == Applicant.RESIDENT:
            _check_resident_applicant(actor, place, channel, resident, contact_phone)
        category = item.category
    elif category not in Category.values:
        category = Category.HELP
    description = _text(description, gettext_lazy("诉求内容"))
    title = _text(title, gettext_lazy("标题"), required=False, max_length=100) or (
        item.name if item else description.splitlines()[0][:30]
    )
    answers = clean_answers(item, answers or {})
    lat, long = (
        _coordinate(lat, gettext_lazy("纬度"), 90),
        _coordinate(long, gettext_lazy("经度"), 180),
    )
    if (lat is None) != (long is None):
        raise ValidationError(_("经纬度需要同时提供。"))
    if resident is not None and resident.place_id:
        resident_place = resident.place
        if resident_place.district_id != place.district_id:
            raise ValidationError(_("居民不属于本区。"))
    phone_masked = ""
    if contact_phone:
        digits = "".join(ch for ch in str(contact_phone) if ch.isdigit())
        if len(digits) < 7 or len(digits) > 15:
            raise ValidationError(_("联系电话格式不正确。"))
        phone_masked = (
            digits[:3] + "****" + digits[-4:] if len(digits) >= 11 else "****" + digits[-4:]
        )
    photo = clean_photo(photo)  # last of the checks: it decodes the image
    now = _now()
    parts = _place_parts(place)
    request = ServiceRequest(
        **parts,
        place=place,
        place_path=place.path,
        item=item,
        item_version=item.version if item else None,
        category=category,
        channel=channel,
        title=title,
        description=description,
        answers=answers,
        address=_text(address, gettext_lazy("地址"), required=False, max_length=200),
        lat=lat,
        long=long,
        media_url=_text(media_url, gettext_lazy("媒体链接"), required=False, max_length=500),
        resident=resident,
        contact_name=_text(contact_name, gettext_lazy("联系人"), required=False, max_length=50),
        contact_phone_masked=phone_masked,
        submitted_by=actor if getattr(actor, "pk", None) else None,
        client_key=client_key,
        token=_new_token(),
        state=State.SUBMITTED,
        created_at=now,
        accept_due=workcal.add_working_days(now, item.acceptance_days if item else 1),
    )
    if photo is not None:
        request.photo = photo
    event = _new_event(request, actor=actor, kind=EventKind.SUBMIT, data={"channel": channel})
    audit_entry = {
        "actor": actor,
        "action": "services.request_submit",
        "changes": {"channel": channel, "item": item.code if item else "", "title": title},
        "place": place,
    }
    if not client_key:
        _insert_submitted(request, event, audit_entry)
        return request
    # A concurrent double submit: the unique constraint decides, the first one wins. Inside a
    # caller's transaction a savepoint keeps it usable after the refusal; outside one the
    # refused statement was its own transaction and left nothing behind.
    connection = transaction.get_connection()
    try:
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            _insert_submitted(request, event, audit_entry)
    except IntegrityError:
        existing = ServiceRequest.objects.filter(submitted_by=actor, client_key=client_key).first()
        if existing is None:
            raise
        return existing
    return request


# ---------------------------------------------------------------- dispatcher steps


@one_write
def request_accept(*, actor, request: ServiceRequest, note: str = "") -> ServiceRequest:
    request = _step(actor, request, "services.dispatch", {State.SUBMITTED}, _("受理"))
    request.state, request.accepted_at = State.ACCEPTED, _now()
    _moved(
        actor, request, EventKind.ACCEPT, "services.request_accept", from_state=State.SUBMITTED,
        fields=["state", "accepted_at"], note=note,
    )  # fmt: skip
    _tell_requester(request, _("已受理"))
    return request


@one_write
def request_reject(*, actor, request: ServiceRequest, reason: str) -> ServiceRequest:
    request = _step(actor, request, "services.dispatch", {State.SUBMITTED}, _("不予受理"))
    reason = _text(reason, _("不予受理的理由"), max_length=500)
    request.state, request.closed_at = State.REJECTED, _now()
    _moved(
        actor, request, EventKind.REJECT, "services.request_reject", from_state=State.SUBMITTED,
        fields=["state", "closed_at"], note=reason, changes={"reason": reason},
    )  # fmt: skip
    _tell_requester(request, _("不予受理"), reason)
    return request


@one_write
def request_accept_dispatch(
    *, actor, request: ServiceRequest, department: Department, co_departments=(), note: str = ""
) -> ServiceRequest:
    """受理并派单: accept and dispatch in one go — both steps or neither."""
    accepted = request_accept(actor=actor, request=request, note=note)
    return request_dispatch(
        actor=actor, request=accepted, department=department, co_departments=co_departments
    )


def _handling_days(request: ServiceRequest) -> int:
    if request.item_id:
        return request.item.deadline_days
    return DEFAULT_DEADLINE_DAYS.get(request.category, 3)


def _check_dispatch(request, department, co_departments) -> list[Department]:
    if (
        department is None
        or department.district_id != request.district_id
        or not department.is_active
    ):
        raise ValidationError(_("请选择本区有效的主办部门。"))
    co = list(co_departments or [])
    for other in co:
        if other.district_id != request.district_id:
            raise ValidationError(_("协办部门应为本区的职能部门。"))
        if other.pk == department.pk:
            raise ValidationError(_("协办部门不能与主办部门相同。"))
    return co


@one_write
def request_dispatch(
    *, actor, request: ServiceRequest, department: Department, co_departments=(), note: str = ""
) -> ServiceRequest:
    """派单: lead and co-handling departments; the handling deadline starts now."""
    request = _step(actor, request, "services.dispatch", {State.ACCEPTED}, _("派单"))
    co = _check_dispatch(request, department, co_departments)
    now = _now()
    request.state, request.lead_department, request.dispatched_at = (
        State.DISPATCHED,
        department,
        now,
    )
    request.signed_at = None
    request.due_at = workcal.add_working_days(now, _handling_days(request))
    request.warned_level = 0
    request.save()
    request.co_departments.set(co)
    _moved(
        actor, request, EventKind.DISPATCH, "services.request_dispatch",
        from_state=State.ACCEPTED, note=note, department=department,
        data={"co": [d.name for d in co], "due_at": request.due_at.isoformat()},
        changes={"lead": department.name, "co": [d.name for d in co], "due_at": request.due_at},
    )  # fmt: skip
    _tell_department(department, request, _("新派单，请签收"))
    for other in co:
        _tell_department(other, request, _("协办派单"))
    return request


@one_write
def request_redispatch(
    *, actor, request: ServiceRequest, department: Department, co_departments=(), reason: str
) -> ServiceRequest:
    """转办 / 改派: to another lead department; the deadline restarts from now."""
    request = _step(
        actor, request, "services.dispatch", {State.DISPATCHED, State.HANDLING}, _("改派")
    )
    reason = _text(reason, _("改派理由"), max_length=500)
    co = _check_dispatch(request, department, co_departments)
    if department.pk == request.lead_department_id:
        raise ValidationError(_("改派的部门与当前主办部门相同。"))
    old, from_state = request.lead_department, request.state
    now = _now()
    request.state, request.lead_department, request.dispatched_at = (
        State.DISPATCHED,
        department,
        now,
    )
    request.signed_at = None
    request.due_at = workcal.add_working_days(now, _handling_days(request))
    request.warned_level = 0
    request.save()
    request.co_departments.set(co)
    Application.objects.filter(request=request, status=Application.Status.PENDING).update(
        status=Application.Status.REFUSED, decided_by=actor, decided_at=now,
        decision_note=_("已改派"),
    )  # fmt: skip
    _moved(
        actor, request, EventKind.REDISPATCH, "services.request_redispatch",
        from_state=from_state, note=reason, department=department,
        data={"from": old.name if old else ""},
        changes={"lead": [old.name if old else "", department.name], "reason": reason},
    )  # fmt: skip
    _tell_department(department, request, _("改派给您，请签收"))
    return request


# ---------------------------------------------------------------- department steps


@one_write
def request_sign(*, actor, request: ServiceRequest) -> ServiceRequest:
    """签收: the lead department takes the request and starts handling it."""
    request = _step(
        actor, request, "services.handle", {State.DISPATCHED}, _("签收"),
        _("只有主办部门可以签收。"),
    )  # fmt: skip
    request.state, request.signed_at = State.HANDLING, _now()
    _moved(
        actor, request, EventKind.SIGN, "services.request_sign", from_state=State.DISPATCHED,
        fields=["state", "signed_at"], department=request.lead_department,
    )  # fmt: skip
    _tell_requester(request, _("部门已签收，正在办理"))
    return request


@one_write
def request_note(*, actor, request: ServiceRequest, note: str, public: bool = True) -> RequestEvent:
    """A progress note by the lead or a co-handling department."""
    request = _step(
        actor, request, "services.note", {State.DISPATCHED, State.HANDLING}, _("填写办理进展")
    )
    note = _text(note, _("办理进展"), max_length=2000)
    from services.rules import officer_departments

    mine = officer_departments(actor)
    department = (
        request.lead_department
        if request.lead_department_id in mine
        else request.co_departments.filter(pk__in=mine).first()
    )
    return _moved(
        actor, request, EventKind.PROGRESS, "services.request_note", from_state=request.state,
        note=note, department=department, public=public,
    )  # fmt: skip


@one_write
def request_answer(*, actor, request: ServiceRequest, answer: str) -> ServiceRequest:
    """答复: the lead department's answer to the resident."""
    request = _step(
        actor, request, "services.handle", {State.HANDLING}, _("答复"), _("只有主办部门可以答复。")
    )
    request.answer = _text(answer, _("答复内容"), max_length=4000)
    request.state, request.answered_at = State.ANSWERED, _now()
    late = request.due_at is not None and request.answered_at > request.due_at
    _moved(
        actor, request, EventKind.ANSWER, "services.request_answer", from_state=State.HANDLING,
        fields=["state", "answer", "answered_at"], note=request.answer,
        department=request.lead_department, data={"late": late}, changes={"late": late},
    )  # fmt: skip
    _tell_requester(request, _("部门已答复"), request.answer)
    return request


@one_write
def return_ask(*, actor, request: ServiceRequest, reason: str) -> Application:
    """退单: the lead department says the request is not theirs; the dispatcher decides."""
    request = _step(
        actor, request, "services.handle", {State.DISPATCHED, State.HANDLING}, _("申请退单"),
        _("只有主办部门可以申请退单。"),
    )  # fmt: skip
    return _apply(actor, request, Application.Kind.RETURN, reason=reason)


@one_write
def extension_ask(*, actor, request: ServiceRequest, days: int, reason: str) -> Application:
    """延期: asked before the deadline, for 1–30 working days; the dispatcher decides."""
    request = _step(
        actor, request, "services.handle", {State.DISPATCHED, State.HANDLING}, _("申请延期"),
        _("只有主办部门可以申请延期。"),
    )  # fmt: skip
    if request.due_at and _now() >= request.due_at:
        raise ValidationError(_("已超过办理期限，不能再申请延期；请尽快办理。"), code="too_late")
    days = _days(days, _("延期工作日"), 1, MAX_EXTENSION_DAYS)
    return _apply(actor, request, Application.Kind.EXTEND, reason=reason, days=days)


@one_write
def dispatch_object(
    *, actor, request: ServiceRequest, reason: str, suggested_department: Department | None = None
) -> Application:
    """派单异议: the lead department, before signing and within ``OBJECTION_DAYS`` working day of
    the dispatch, says the request is outside its duties — with the basis, and optionally the
    department it believes responsible. The dispatcher decides: upheld, the request is
    redispatched and its deadline restarts; not upheld, the department signs and handles it with
    the deadline unchanged. (After signing, a department that cannot handle it asks for 退单.)"""
    request = _step(
        actor, request, "services.handle", {State.DISPATCHED}, _("提出派单异议（签收后请申请退单）"),
        _("只有主办部门可以提出派单异议。"),
    )  # fmt: skip
    if request.dispatched_at and _now() > workcal.add_working_days(
        request.dispatched_at, OBJECTION_DAYS
    ):
        raise ValidationError(
            _(
                "派单异议应在派单后%(days)s个工作日内提出，已超时；请签收办理，确属无法办理的申请退单。"
            ),
            params={"days": OBJECTION_DAYS},
            code="too_late",
        )
    if suggested_department is not None:
        if (
            suggested_department.district_id != request.district_id
            or not suggested_department.is_active
        ):
            raise ValidationError(_("建议的承办部门应为本区有效的职能部门。"))
        if suggested_department.pk == request.lead_department_id:
            raise ValidationError(_("建议的承办部门不能是本部门。"))
    return _apply(
        actor, request, Application.Kind.OBJECT, reason=reason, suggested=suggested_department
    )


ASK_EVENTS = {
    Application.Kind.OBJECT: EventKind.OBJECT_ASK,
    Application.Kind.RETURN: EventKind.RETURN_ASK,
    Application.Kind.EXTEND: EventKind.EXTEND_ASK,
}


def _apply(actor, request, kind, *, reason, days=None, suggested=None) -> Application:
    reason = _text(reason, _("理由"), max_length=1000)
    # An objection and a return ask the same question (who handles it): one at a time.
    same = (
        [kind]
        if kind == Application.Kind.EXTEND
        else [Application.Kind.OBJECT, Application.Kind.RETURN]
    )
    if Application.objects.filter(
        request=request, kind__in=same, status=Application.Status.PENDING
    ).exists():
        raise ValidationError(_("已有一份待审核的申请。"))
    application = Application.objects.create(
        request=request, district_id=request.district_id, kind=kind, department=request.lead_department,
        reason=reason, days=days, suggested_department=suggested, requested_by=actor,
    )  # fmt: skip
    data = {"days": days} if days else {}
    if suggested is not None:
        data["suggested"] = suggested.name
    _event(
        request, actor=actor, kind=ASK_EVENTS[kind], from_state=request.state, note=reason,
        department=request.lead_department, data=data, public=False,
    )  # fmt: skip
    audit.record(
        actor=actor, action=f"services.{kind}_ask", obj=request,
        changes={"reason": reason, "days": days, "suggested": suggested.name if suggested else ""},
    )  # fmt: skip
    return application


@one_write
def application_decide(
    *,
    actor,
    application: Application,
    approve: bool,
    note: str = "",
    department: Department | None = None,
) -> Application:
    """The dispatcher approves or refuses an objection, a return or an extension, with a note.

    Objection upheld: redispatched to ``department`` (by default the one the objecting department
    suggested), the handling deadline restarts. Objection refused: the department must sign it.
    Return approved: the request goes back to the dispatch queue (待派单) without a lead.
    Extension approved: the deadline moves by the days asked, on the working-day calendar, and
    the resident is told."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    request = _locked(application.request)
    _require(actor, "services.dispatch", request)
    if application.status != Application.Status.PENDING:
        raise ValidationError(_("该申请已经审核过了。"))
    note = _text(note, _("审核意见"), required=not approve, max_length=1000)
    now = _now()
    application.status = Application.Status.APPROVED if approve else Application.Status.REFUSED
    application.decided_by, application.decided_at, application.decision_note = actor, now, note
    application.save()
    from_state = request.state
    data = {}
    if application.kind == Application.Kind.OBJECT:
        if approve:
            _allow(request, {State.DISPATCHED}, _("改派"))
            target = department or application.suggested_department
            if target is None:
                raise ValidationError(_("异议成立时请选择改派的部门。"))
            _check_dispatch(request, target, [])
            if target.pk == request.lead_department_id:
                raise ValidationError(_("改派的部门与当前主办部门相同。"))
            data = {"from": application.department.name, "to": target.name}
            request.lead_department, request.dispatched_at, request.signed_at = target, now, None
            request.due_at = workcal.add_working_days(now, _handling_days(request))
            request.warned_level = 0
            request.save()
            request.co_departments.remove(target)
            _tell_department(target, request, _("改派给您，请签收"))
        kind = EventKind.OBJECT_OK if approve else EventKind.OBJECT_NO
    elif application.kind == Application.Kind.RETURN:
        if approve:
            _allow(request, {State.DISPATCHED, State.HANDLING}, _("退单"))
            request.state, request.lead_department = State.ACCEPTED, None
            request.due_at, request.signed_at, request.warned_level = None, None, 0
            request.save()
            request.co_departments.clear()
        kind = EventKind.RETURN_OK if approve else EventKind.RETURN_NO
    else:
        if approve:
            _allow(request, {State.DISPATCHED, State.HANDLING}, _("延期"))
            request.due_at = workcal.add_working_days(request.due_at or now, application.days)
            request.warned_level = 0
            request.save(update_fields=["due_at", "warned_level", "updated_at"])
            _tell_requester(
                request,
                _("办理期限已延长至%(due)s")
                % {"due": timezone.localtime(request.due_at).strftime("%Y-%m-%d %H:%M")},
                application.reason,
            )
        kind = EventKind.EXTEND_OK if approve else EventKind.EXTEND_NO
    if request.due_at:
        data["due_at"] = request.due_at.isoformat()
    _event(
        request, actor=actor, kind=kind, from_state=from_state, note=note,
        department=request.lead_department if kind == EventKind.OBJECT_OK else application.department,
        data=data, public=approve and application.kind != Application.Kind.RETURN,
    )  # fmt: skip
    _tell_department(application.department, request, str(EventKind(kind).label))
    audit.record(
        actor=actor, action=f"services.{application.kind}_decide", obj=request,
        changes={"approve": approve, "note": note, **data},
    )  # fmt: skip
    return application


# ---------------------------------------------------------------- closing the loop


@one_write
def request_close(*, actor, request: ServiceRequest, note: str = "") -> ServiceRequest:
    """办结: the dispatcher accepts the department's answer."""
    request = _step(actor, request, "services.dispatch", {State.ANSWERED}, _("办结"))
    request.state, request.closed_at = State.CLOSED, _now()
    _moved(
        actor, request, EventKind.CLOSE, "services.request_close", from_state=State.ANSWERED,
        fields=["state", "closed_at"], note=note,
    )  # fmt: skip
    _tell_requester(request, _("已办结，请您评价"))
    return request


@one_write
def request_visit(*, actor, request: ServiceRequest, note: str) -> ServiceRequest:
    """回访: the dispatcher calls the resident back after closure and notes what they said."""
    request = _step(actor, request, "services.dispatch", {State.CLOSED}, _("回访"))
    note = _text(note, _("回访记录"), max_length=1000)
    request.state, request.visited_at = State.VISITED, _now()
    _moved(
        actor, request, EventKind.VISIT, "services.request_visit", from_state=State.CLOSED,
        fields=["state", "visited_at"], note=note,
    )  # fmt: skip
    return request


@one_write
def request_rate(*, actor, request: ServiceRequest, rating: str, note: str = "") -> ServiceRequest:
    """评价: 满意 / 基本满意 close the loop; 不满意 goes to the dispatcher to check (核实)."""
    request = _step(
        actor, request, "services.rate", {State.CLOSED, State.VISITED}, _("评价"),
        _("只有诉求人或派单员可以评价。"),
    )  # fmt: skip
    if rating not in Rating.values:
        raise ValidationError(_("请选择评价：满意、基本满意或不满意。"))
    note = _text(note, _("评价说明"), required=rating == Rating.UNSATISFIED, max_length=500)
    from_state = request.state
    request.rating, request.rating_note, request.rated_at = rating, note, _now()
    request.state = State.DISPUTED if rating == Rating.UNSATISFIED else State.RATED
    _moved(
        actor, request, EventKind.RATE, "services.request_rate", from_state=from_state,
        fields=["rating", "rating_note", "rated_at", "state"], note=note,
        data={"rating": rating}, changes={"rating": rating},
    )  # fmt: skip
    return request


@one_write
def rating_review(*, actor, request: ServiceRequest, upheld: bool, note: str) -> ServiceRequest:
    """核实 an unsatisfied rating. Upheld: 重办 — back to the lead department, new deadline.
    Not upheld: the rating stands and the request is finished."""
    request = _step(actor, request, "services.dispatch", {State.DISPUTED}, _("核实评价"))
    note = _text(note, _("核实意见"), max_length=1000)
    now = _now()
    changes = {"upheld": upheld, "note": note}
    if upheld:
        if request.lead_department_id is None:
            raise ValidationError(_("该诉求没有主办部门，不能重办。"))
        request.state, request.redo_count = State.HANDLING, request.redo_count + 1
        request.signed_at, request.dispatched_at = now, now
        request.due_at = workcal.add_working_days(now, _handling_days(request))
        request.answered_at = request.closed_at = request.visited_at = None
        request.warned_level = 0
        _moved(
            actor, request, EventKind.REVIEW_UPHELD, "services.rating_review",
            from_state=State.DISPUTED, fields=None, note=note,
            department=request.lead_department, changes=changes,
        )  # fmt: skip
        _tell_department(request.lead_department, request, _("群众不满意，请重办"))
        _tell_requester(request, _("已安排重办"), note)
    else:
        request.state = State.RATED
        _moved(
            actor, request, EventKind.REVIEW_DISMISSED, "services.rating_review",
            from_state=State.DISPUTED, fields=["state"], note=note, changes=changes,
        )  # fmt: skip
    return request


@one_write
def request_merge(
    *, actor, duplicate: ServiceRequest, into: ServiceRequest, note: str = ""
) -> ServiceRequest:
    """并单: a duplicate joins an open request; its resident is told and follows the main one."""
    if duplicate.pk == into.pk:
        raise ValidationError(_("不能把诉求并入它自己。"))
    first, second = sorted([duplicate, into], key=lambda r: r.pk)
    _locked(first), _locked(second)
    duplicate, into = _locked(duplicate), _locked(into)
    _require(actor, "services.dispatch", duplicate)
    _require(actor, "services.dispatch", into)
    _allow(duplicate, {State.SUBMITTED, State.ACCEPTED}, _("并单"))
    if into.state not in OPEN_STATES or into.merged_into_id:
        raise ValidationError(_("只能并入仍在办理中的诉求。"))
    if into.district_id != duplicate.district_id:
        raise ValidationError(_("不能跨区并单。"))
    from_state = duplicate.state
    duplicate.state, duplicate.merged_into, duplicate.closed_at = State.MERGED, into, _now()
    duplicate.save(update_fields=["state", "merged_into", "closed_at", "updated_at"])
    _event(
        duplicate, actor=actor, kind=EventKind.MERGE, from_state=from_state, note=note,
        data={"into": into.number},
    )  # fmt: skip
    _event(
        into,
        actor=actor,
        kind=EventKind.MERGED_IN,
        from_state=into.state,
        data={"from": duplicate.number},
        public=False,
    )
    _tell_requester(
        duplicate,
        _("与%(number)s反映的是同一问题，已合并办理") % {"number": into.number},
        note,
    )
    audit.record(
        actor=actor, action="services.request_merge", obj=duplicate, changes={"into": into.number}
    )
    return duplicate


@one_write
def request_urge(*, actor, request: ServiceRequest, note: str) -> ServiceRequest:
    """催办 by a dispatcher: a chaser to the lead department, before or after the deadline."""
    request = _step(
        actor, request, "services.dispatch", {State.DISPATCHED, State.HANDLING}, _("催办")
    )
    note = _text(note, _("催办意见"), max_length=500)
    _moved(
        actor, request, EventKind.URGE, "services.request_urge", from_state=request.state,
        note=note, department=request.lead_department, public=False, changes={"note": note},
    )  # fmt: skip
    _tell_department(request.lead_department, request, _("催办：") + note[:60])
    return request


# ---------------------------------------------------------------- text for the public

PUBLIC_DESCRIPTION_MAX = 1000
PUBLIC_STATUS_NOTES_MAX = 500
# NUL and the other control characters: refused with the reason (not silently dropped), so what
# is published is exactly what the dispatcher reviewed, and XML can carry it.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
# A mainland mobile number or an 18-digit ID number (after joining digits split by spaces or -).
PERSONAL_NUMBER = re.compile(r"(?<![0-9])(?:1[3-9][0-9]{9}|[0-9]{17}[0-9Xx])(?![0-9Xx])")
SPLIT_DIGITS = re.compile(r"(?<=[0-9])[\s-]+(?=[0-9])")


def _public_text(value, label, *, required: bool, max_length: int, names) -> str:
    """Text a dispatcher publishes: no control characters, within ``max_length``, and without
    the obvious personal details (a mobile or ID number, the requester's name)."""
    value = value if isinstance(value, str) else ("" if value is None else str(value))
    if CONTROL_CHARACTERS.search(value):
        raise ValidationError(
            _("%(label)s含有控制字符（如 NUL），请删除后再公开。"),
            params={"label": label},
            code="control_character",
        )
    value = value.strip()
    if required and not value:
        raise ValidationError(_("%(label)s不能为空。"), params={"label": label}, code="required")
    if len(value) > max_length:
        raise ValidationError(
            _("%(label)s过长（最多%(max)s字）。"),
            params={"label": label, "max": max_length},
            code="too_long",
        )
    if PERSONAL_NUMBER.search(SPLIT_DIGITS.sub("", value)):
        raise ValidationError(
            _("%(label)s中有手机号或身份证号；公开的文字不能包含个人信息。"),
            params={"label": label},
            code="personal_number",
        )
    if any(len(name) >= 2 and name in value for name in names if name):
        raise ValidationError(
            _("%(label)s中有诉求人的姓名；公开的文字不能包含个人信息。"),
            params={"label": label},
            code="personal_name",
        )
    return value


def public_text_of(request: ServiceRequest) -> RequestPublicText | None:
    """The text published for ``request`` now (the latest), or None."""
    return request.public_texts.order_by("-id").first()


@one_write
def request_publish_public_text(
    *, actor, request: ServiceRequest, description: str, status_notes: str = ""
) -> RequestPublicText:
    """公开办理摘要: a dispatcher publishes, in their own words, what anyone may read about a
    request (Open311 GET): a summary and, optionally, a note on how it stands. Nothing a
    resident typed is published otherwise. Bad text (empty, too long, control characters, a
    mobile or ID number, the requester's name) is refused with the reason and changes nothing.
    Publishing again replaces what is shown; every version stays on record."""
    request = _locked(request)
    _require(actor, "services.publish", request, _("只有派单员可以公开诉求的办理摘要。"))
    names = [request.contact_name, request.resident.name if request.resident_id else ""]
    description = _public_text(
        description, _("公开摘要"), required=True, max_length=PUBLIC_DESCRIPTION_MAX, names=names
    )
    status_notes = _public_text(
        status_notes, _("公开办理说明"), required=False, max_length=PUBLIC_STATUS_NOTES_MAX,
        names=names,
    )  # fmt: skip
    current = public_text_of(request)
    before = (current.description, current.status_notes) if current else ("", "")
    if current is not None and before == (description, status_notes):
        return current
    published = RequestPublicText.objects.create(
        request=request, district_id=request.district_id, description=description,
        status_notes=status_notes, published_by=actor,
    )  # fmt: skip
    _moved(
        actor, request, EventKind.PUBLISH, "services.request_publish", from_state=request.state,
        fields=["updated_at"], note=description,
        data={"status_notes": status_notes} if status_notes else None,
        changes={
            "description": [before[0], description], "status_notes": [before[1], status_notes]
        },
    )  # fmt: skip
    return published


# ---------------------------------------------------------------- Open311 keys


def _key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@one_write
def open311_key_create(*, actor, district: Place, name: str) -> tuple[Open311Key, str]:
    """A new api_key for a third-party app; the raw key is returned once, only its hash kept."""
    _require(actor, "services.manage_catalogue", district)
    name = _text(name, _("应用名称"), max_length=100)
    raw = "o311_" + secrets.token_urlsafe(24)
    account = User.objects.create(username=f"open311-{secrets.token_hex(6)}", is_active=False)
    account.set_unusable_password()
    account.save(update_fields=["password"])
    key = Open311Key.objects.create(
        district=district, name=name, account=account, prefix=raw[:10], key_hash=_key_hash(raw)
    )
    audit.record(actor=actor, action="services.open311_key_create", obj=key, place=district)
    return key, raw


def open311_key_lookup(raw: str) -> Open311Key | None:
    if not raw:
        return None
    return (
        Open311Key.objects.select_related("account", "district")
        .filter(key_hash=_key_hash(raw), revoked_at__isnull=True)
        .first()
    )


@one_write
def open311_key_revoke(*, actor, key: Open311Key) -> Open311Key:
    key = Open311Key.objects.select_for_update().get(pk=key.pk)
    _require(actor, "services.manage_catalogue", key.district)
    if key.revoked_at is None:
        key.revoked_at = _now()
        key.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="services.open311_key_revoke", obj=key, place=key.district)
    return key


__all__ = [name for name in dir() if name.startswith(("request_", "item_", "catalogue_"))] + [
    "FINAL_STATES",
]
