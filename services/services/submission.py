"""Filing a request: who may file what, checked; then one write (one statement on PostgreSQL)."""

import secrets
from contextlib import nullcontext
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audit, clock
from core import calendar as workcal
from core.models import AuditEvent, Place, PlaceLevel
from core.validation import require_perm as _require
from services import grams, plain_sql, summary
from services.models import (
    Applicant,
    Category,
    Channel,
    EventKind,
    Open311Key,
    RequestEvent,
    ServiceItem,
    ServiceRequest,
    State,
)
from services.search import phone_hash
from services.services.answers import _coordinate, clean_answers, clean_photo
from services.services.common import _new_event, _now, _text
from services.services.levels import level_for


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


_CHANNEL_PERMISSIONS = {
    Channel.H5.value: ("services.submit", gettext_lazy("您不能在该地点提交诉求。")),
    Channel.STAFF.value: ("services.intake", gettext_lazy("您不能为该地点的居民代办诉求。")),
    Channel.PATROL.value: ("services.patrol", gettext_lazy("只有本网格的网格员可以巡查上报。")),
}


def _earlier(actor, client_key: str) -> ServiceRequest | None:
    """The request this account already filed under ``client_key`` (a double submit), or None."""
    if not client_key or not getattr(actor, "pk", None):
        return None
    return ServiceRequest.objects.filter(submitted_by=actor, client_key=client_key).first()


def _check_channel(actor, place: Place, channel: str) -> None:
    """The permission the channel asks for at ``place`` (an Open311 key's account: a live key of
    the place's district)."""
    if channel in _CHANNEL_PERMISSIONS:
        perm, denied = _CHANNEL_PERMISSIONS[channel]
        _require(actor, perm, place, denied)
    elif channel == Channel.OPEN311:
        if not Open311Key.objects.filter(
            account=actor, district_id=place.district_id, revoked_at__isnull=True
        ).exists():
            raise PermissionDenied(_("Open311 密钥无效。"))
    else:
        raise ValidationError(_("未知的渠道。"))


def _category_of(item, category: str, *, actor, place, channel, resident, contact_phone) -> str:
    """The request's class: the item's (once the item may be filed here, this way), else the
    class given, else help."""
    if item is None:
        return category if category in Category.values else Category.HELP
    if item.district_id != place.district_id or not item.is_active:
        raise ValidationError(_("该事项不属于本区或已停用。"))
    if item.applicant == Applicant.STAFF and channel not in (Channel.STAFF, Channel.PATROL):
        raise ValidationError(_("该事项需由工作人员代办。"))
    if item.applicant == Applicant.RESIDENT:
        _check_resident_applicant(actor, place, channel, resident, contact_phone)
    return item.category


def _coordinates(lat, long) -> tuple[Decimal | None, Decimal | None]:
    lat, long = (
        _coordinate(lat, gettext_lazy("纬度"), 90),
        _coordinate(long, gettext_lazy("经度"), 180),
    )
    if (lat is None) != (long is None):
        raise ValidationError(_("经纬度需要同时提供。"))
    return lat, long


def _check_resident(resident, place: Place) -> None:
    if resident is not None and resident.place_id:
        if resident.place.district_id != place.district_id:
            raise ValidationError(_("居民不属于本区。"))


def _masked_phone(contact_phone) -> str:
    """The contact number as shown (138****5678); only digits count, 7 to 15 of them."""
    if not contact_phone:
        return ""
    digits = "".join(ch for ch in str(contact_phone) if ch.isdigit())
    if len(digits) < 7 or len(digits) > 15:
        raise ValidationError(_("联系电话格式不正确。"))
    return digits[:3] + "****" + digits[-4:] if len(digits) >= 11 else "****" + digits[-4:]


def _insert_once(actor, client_key: str, request, event, audit_entry) -> ServiceRequest:
    """Write the new request; with a ``client_key``, a concurrent double submit meets the unique
    constraint and the first one wins. Inside a caller's transaction a savepoint keeps it usable
    after the refusal; outside one the refused statement was its own transaction and left
    nothing behind."""
    if not client_key:
        _insert_submitted(request, event, audit_entry)
        return request
    connection = transaction.get_connection()
    try:
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            _insert_submitted(request, event, audit_entry)
    except IntegrityError:
        existing = _earlier(actor, client_key)
        if existing is None:
            raise
        return existing
    return request


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
    existing = _earlier(actor, client_key)
    if existing is not None:
        return existing
    if place is None or not place.is_active:
        raise ValidationError(_("请选择有效的地点。"))
    _check_channel(actor, place, channel)
    category = _category_of(
        item, category, actor=actor, place=place, channel=channel, resident=resident,
        contact_phone=contact_phone,
    )  # fmt: skip
    description = _text(description, gettext_lazy("诉求内容"))
    title = _text(title, gettext_lazy("标题"), required=False, max_length=100) or (
        item.name if item else description.splitlines()[0][:30]
    )
    answers = clean_answers(item, answers or {})
    lat, long = _coordinates(lat, long)
    _check_resident(resident, place)
    phone_masked = _masked_phone(contact_phone)
    photo = clean_photo(photo)  # last of the checks: it decodes the image
    now = _now()
    parts = _place_parts(place)
    request = ServiceRequest(
        **parts,
        level=level_for(
            item,
            grid_id=parts["grid_id"],
            community_id=parts["community_id"],
            street_id=parts["street_id"],
        ),  # fmt: skip
        place=place,
        place_path=place.path,
        item=item,
        item_version=item.version if item else None,
        category=category,
        channel=channel,
        title=title,
        description=description,
        search_text=grams.of(title, description),
        answers=answers,
        address=_text(address, gettext_lazy("地址"), required=False, max_length=200),
        lat=lat,
        long=long,
        media_url=_text(media_url, gettext_lazy("媒体链接"), required=False, max_length=500),
        resident=resident,
        contact_name=_text(contact_name, gettext_lazy("联系人"), required=False, max_length=50),
        contact_phone_masked=phone_masked,
        contact_phone_hash=phone_hash(contact_phone) if phone_masked else "",
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
    return _insert_once(actor, client_key, request, event, audit_entry)
