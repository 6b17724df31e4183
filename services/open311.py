"""Open311 GeoReport v2 at /open311/v2/ — XML and JSON.

Liberal in what it accepts: parameters from the query string or the form body, an empty
parameter treated as absent, ``attribute[code]`` and ``attribute[code][]`` both understood,
dates with or without seconds. Strict in what it sends: UTF-8 with the XML declaration, W3C
date-times with an offset, the spec's element names only, the spec's error list and HTTP status.

jurisdiction_id is a district's GB/T 2260 code (e.g. 320104). It may be left out while the
installation serves a single district. service_code is a catalogue item's code;
service_request_id is the request's number without its prefix (the database id).

Privacy: GET requests answers anyone, and an api_key reads no more than no key. It lists every
request of the jurisdiction with what is not personal: its service (but not an item about a
person's circumstances, ``ServiceItem.sensitive``: then service_code, service_name and
agency_responsible are empty, and filtering by its code finds nothing), its status, where it is
to about 100 m (lat/long rounded to 3 decimals; address and address_id are the community, never
the grid or the address typed) and its dates. Nothing a person typed is sent (not the
description, the address, the answer, the contact, a photo or a media_url): description and
status_notes carry only the text a dispatcher reviewed and published
(``services.request_publish_public_text``); without one, description is empty and status_notes
is the state's name.
"""

import datetime
import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    ValidationError,
)
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Prefetch
from django.http import UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from core import clock
from core.middleware import too_large_message
from core.models import Place, PlaceLevel
from core.validation import NUL, nul_message, nul_parameter
from services import services as request_services
from services.models import Channel, RequestPublicText, ServiceItem, ServiceRequest, State
from services.open311_format import FORMATS, Open311Error, error_response, render

SPEC_URL = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-27T00:00:00+08:00"
MAX_RESULTS = 1000
DEFAULT_SPAN = datetime.timedelta(days=90)
# Public coordinates are rounded to this (about 110 m north–south, under 100 m east–west here).
COARSE = Decimal("0.001")
ATTRIBUTE_KEY = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")


# ---------------------------------------------------------------- input


class Params:
    """Query string and form body together; an empty value is the same as no value."""

    def __init__(self, request):
        self.request = request
        self.sources = [request.POST, request.GET] if request.method == "POST" else [request.GET]

    def get(self, name: str) -> str | None:
        for source in self.sources:
            for value in source.getlist(name):
                if value is not None and value.strip() != "":
                    return value.strip()
        return None

    def list(self, name: str) -> list[str]:
        """A comma-separated or repeated parameter, as one list."""
        values = []
        for source in self.sources:
            for raw in source.getlist(name):
                values.extend(part.strip() for part in raw.split(",") if part.strip())
        return values

    def attributes(self) -> dict:
        found: dict[str, list[str]] = {}
        for source in self.sources:
            for key in source:
                match = ATTRIBUTE_KEY.match(key)
                if not match:
                    continue
                values = [v.strip() for v in source.getlist(key) if v and v.strip()]
                if values:
                    found.setdefault(match.group(1), []).extend(values)
        return {code: values if len(values) > 1 else values[0] for code, values in found.items()}


def jurisdiction(params: Params) -> Place:
    code = params.get("jurisdiction_id")
    districts = Place.objects.filter(level=PlaceLevel.DISTRICT, is_active=True)
    if code is None:
        only = list(districts[:2])
        if len(only) == 1:
            return only[0]
        raise Open311Error(
            400, "jurisdiction_id was not provided / 未提供 jurisdiction_id（区划代码）。"
        )
    found = districts.filter(code=code).first()
    if found is None:
        raise Open311Error(404, f"jurisdiction_id {code} not found / 未找到该辖区。")
    return found


def _item(district: Place, code: str | None) -> ServiceItem:
    if code is None:
        raise Open311Error(400, "service_code was not provided / 未提供 service_code。")
    item = ServiceItem.objects.filter(district=district, code=code, is_active=True).first()
    if item is None:
        raise Open311Error(404, f"service_code {code} not found / 未找到该事项。")
    return item


# The dates a filter may name: wide enough for any request, narrow enough that the 90-day window
# around them is a real date (a year 1 or 9999 overflowed) and the database can compare them.
# (Beijing dates, as the dates typed are.)
EARLIEST, LATEST = datetime.date(2000, 1, 1), datetime.date(2100, 12, 31)


def _moment(value: str | None, name: str) -> datetime.datetime | None:
    """A W3C date-time (or a date, at local midnight); without an offset, Beijing time.
    An impossible date (2026-02-30) or one outside EARLIEST–LATEST is refused with 400."""
    if value is None:
        return None
    try:
        moment = parse_datetime(value.replace(" ", "+", 1) if "T" in value else value)
        if moment is None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            day = parse_date(value)
            moment = datetime.datetime.combine(day, datetime.time()) if day else None
    except ValueError:  # 2026-02-30, year 0, an offset of 25 hours
        moment = None
    if moment is None:
        raise Open311Error(
            400,
            _("%(name)s 不是有效的日期时间，应为 W3C 格式，如 2026-01-01T00:00:00+08:00。")
            % {"name": name},
        )
    try:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        in_range = EARLIEST <= timezone.localtime(moment).date() <= LATEST
    except OverflowError:  # 0001-01-01 or 9999-12-31 moved into Beijing time
        in_range = False
    if not in_range:
        raise Open311Error(
            400,
            _("%(name)s 超出允许的范围（%(earliest)s 至 %(latest)s）。")
            % {"name": name, "earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()},
        )
    return moment


# ---------------------------------------------------------------- representations


def service_out(item: ServiceItem) -> dict:
    return {
        "service_code": item.code,
        "service_name": item.name,
        "description": item.description,
        "metadata": bool(item.fields),
        "type": "realtime",
        "keywords": item.keywords.replace("，", ","),
        "group": item.group,
    }


def definition_out(item: ServiceItem) -> dict:
    attributes = []
    for spec in item.fields:
        attribute = {
            "variable": True,
            "code": spec["code"],
            "datatype": spec["datatype"],
            "required": spec["required"],
            "datatype_description": spec.get("help", ""),
            "order": spec["order"],
            "description": spec["label"],
        }
        if spec["values"]:
            attribute["values"] = [{"key": k, "name": n} for k, n in spec["values"]]
        attributes.append(attribute)
    return {"service_code": item.code, "attributes": attributes}


def _coarse(value: Decimal | None) -> float | None:
    return float(value.quantize(COARSE)) if value is not None else None


def request_out(req: ServiceRequest) -> dict:
    """What anyone may read about a request (see the module's docstring): every field of the
    spec, empty when withheld. ``req`` comes from ``_requests`` (the published text prefetched)."""
    item = req.item if req.item_id and not req.item.sensitive else None
    published = req.published[0] if req.published else None
    # The community the request lies in, or the street / district when it was filed there.
    area = req.community if req.community_id else req.place
    named = req.lead_department_id and (item is not None or not req.item_id)
    return {
        "service_request_id": str(req.pk),
        "status": req.open311_status,
        "status_notes": (published.status_notes if published else "") or req.get_state_display(),
        "service_name": item.name if item else "",
        "service_code": item.code if item else "",
        "description": published.description if published else "",
        "agency_responsible": req.lead_department.name if named else "",
        "service_notice": "",
        "requested_datetime": req.created_at,
        "updated_datetime": req.updated_at,
        "expected_datetime": req.due_at or req.accept_due,
        "address": area.name,
        "address_id": area.code,
        "zipcode": "",
        "lat": _coarse(req.lat),
        "long": _coarse(req.long),
        "media_url": "",
    }


# ---------------------------------------------------------------- views


def endpoint(view):
    """Format check, Open311 errors in the requested format, no 500 for bad input."""

    @csrf_exempt
    def wrapped(request, fmt, *args, **kwargs):
        if fmt not in FORMATS:
            return error_response("xml", 404, f"format {fmt} is not supported; use xml or json")
        try:
            _refuse_nul(request, kwargs)
            _refuse_key_in_url(request)
            return view(request, fmt, *args, **kwargs)
        except Open311Error as error:
            return error_response(fmt, error.status, error.description, error.code)
        except RequestDataTooBig:  # a form body over DATA_UPLOAD_MAX_MEMORY_SIZE, when read
            return error_response(fmt, 413, too_large_message(settings.DATA_UPLOAD_MAX_MEMORY_SIZE))
        except TooManyFieldsSent:
            return error_response(fmt, 400, _("请求的参数过多。"))
        except (MultiPartParserError, UnreadablePostError):  # a body that cannot be parsed
            return error_response(fmt, 400, _("请求正文无法解析，请检查格式后重试。"))

    def request_too_large(request, message, fmt="xml", **kwargs):
        """core.middleware.RequestSizeLimitMiddleware's 413, in this endpoint's format."""
        return error_response(fmt if fmt in FORMATS else "xml", 413, message)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    wrapped.request_too_large = request_too_large
    return wrapped


def _refuse_key_in_url(request) -> None:
    """An api_key belongs in the form body: in the URL it is written to access logs, proxy logs
    and browser history. Refused on every endpoint (400), before the key is looked at."""
    if "api_key" in request.GET:
        raise Open311Error(
            400,
            "api_key must be sent in the POST body, never in the URL / "
            "api_key 须放在请求正文中，不能放在网址里。",
        )


def _refuse_nul(request, path_parts: dict) -> None:
    """A NUL in any parameter (query string or form body, name or value), in the URL's service
    code or token, or in the Idempotency-Key is refused with 400: PostgreSQL cannot compare
    text holding one, and no one types it."""
    name = nul_parameter(request)
    if name is None:
        spec_names = {"code": "service_code", "pk": "service_request_id"}
        name = next(
            (spec_names.get(key, key) for key, value in path_parts.items() if NUL in str(value)),
            None,
        )
    if name is None and NUL in (request.headers.get("Idempotency-Key") or ""):
        name = "Idempotency-Key"
    if name is not None:
        raise Open311Error(400, nul_message(name))


def _only(request, *methods):
    if request.method not in methods:
        raise Open311Error(405, f"method {request.method} not allowed")


@endpoint
def discovery(request, fmt):
    _only(request, "GET", "HEAD")
    url = request.build_absolute_uri(reverse("open311:discovery", args=["xml"]))
    base = url.rsplit("/", 1)[0]
    data = {
        "changeset": CHANGESET,
        "contact": "邻里 Linli — 12345 接诉即办",
        "key_service": "api_key: 区减负办在“Open311 密钥”中生成 / ask the district coordinator",
        "endpoints": [
            {
                "specification": SPEC_URL,
                "url": base,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(fmt, data, root="discovery")


@endpoint
def service_list(request, fmt):
    _only(request, "GET", "HEAD")
    district = jurisdiction(Params(request))
    items = ServiceItem.objects.filter(district=district, is_active=True).order_by("code")
    return render(fmt, [service_out(i) for i in items], root="services", item="service")


@endpoint
def service_definition(request, fmt, code):
    _only(request, "GET", "HEAD")
    district = jurisdiction(Params(request))
    item = _item(district, code)
    return render(fmt, definition_out(item), root="service_definition")


@endpoint
def request_one(request, fmt, pk):
    _only(request, "GET", "HEAD")
    district = jurisdiction(Params(request))
    req = _requests(district).filter(pk=pk).first()
    if req is None:
        raise Open311Error(404, f"service_request_id {pk} not found / 未找到该诉求。")
    return render(fmt, [request_out(req)], root="service_requests", item="request")


@endpoint
def token_lookup(request, fmt, token):
    _only(request, "GET", "HEAD")
    district = jurisdiction(Params(request))
    req = ServiceRequest.objects.filter(district=district, token=token).first()
    if req is None:
        raise Open311Error(404, f"token {token} not found / 未找到该令牌。")
    data = [{"service_request_id": str(req.pk), "token": req.token}]
    return render(fmt, data, root="service_requests", item="request")


# All that request_out reads: the resident's words are not even loaded.
PUBLIC_COLUMNS = (
    "id", "state", "created_at", "updated_at", "due_at", "accept_due", "lat", "long",
    "item", "lead_department", "place", "community", "item__code", "item__name",
    "item__sensitive", "lead_department__name", "place__name", "place__code",
    "community__name", "community__code",
)  # fmt: skip


def _requests(district):
    """The district's requests, with what ``request_out`` reads and nothing more."""
    return (
        ServiceRequest.objects.filter(district=district)
        .select_related("item", "lead_department", "place", "community")
        .only(*PUBLIC_COLUMNS)
        .prefetch_related(
            Prefetch(
                "public_texts",
                queryset=RequestPublicText.objects.order_by("-id"),
                to_attr="published",
            )
        )
    )


@endpoint
def requests(request, fmt):
    if request.method == "POST":
        return _create(request, fmt)
    _only(request, "GET", "HEAD")
    params = Params(request)
    found = _requests(jurisdiction(params))
    ids = params.list("service_request_id")
    found = _by_ids(found, ids) if ids else _by_query(found, params)
    rows = [request_out(r) for r in found.order_by("-created_at", "-id")[:MAX_RESULTS]]
    return render(fmt, rows, root="service_requests", item="request")


def _by_ids(found, ids: list[str]):
    if not all(i.isdigit() and len(i) < 19 for i in ids):
        raise Open311Error(400, "service_request_id must be numbers, comma delimited")
    return found.filter(pk__in=[int(i) for i in ids])


def _by_query(found, params: Params):
    """service_code, status and the date window (the spec's 90 days, applied rather than
    refused; the last 90 days when no date is given)."""
    codes = params.list("service_code")
    if codes:  # an item about a person's circumstances is not named, nor found by its code
        found = found.filter(item__code__in=codes, item__sensitive=False)
    found = _by_status(found, params.list("status"))
    start, end = _window(params)
    return found.filter(created_at__gte=start, created_at__lte=end)


def _by_status(found, statuses: list[str]):
    bad = [s for s in statuses if s not in ("open", "closed")]
    if bad:
        raise Open311Error(400, f"status {bad[0]} is not one of open, closed")
    if set(statuses) == {"open"}:
        return found.filter(state__in=_open_states())
    if set(statuses) == {"closed"}:
        return found.exclude(state__in=_open_states())
    return found


def _window(params: Params) -> tuple[datetime.datetime, datetime.datetime]:
    start = _moment(params.get("start_date"), "start_date")
    end = _moment(params.get("end_date"), "end_date")
    if start and end and start > end:
        raise Open311Error(400, _("start_date 晚于 end_date，请调换或改正。"))
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        start = end - DEFAULT_SPAN
    if end is None or end - start > DEFAULT_SPAN:
        end = start + DEFAULT_SPAN  # the spec's 90-day window, applied rather than refused
    return start, end


def _open_states():
    return [State.SUBMITTED, State.ACCEPTED, State.DISPATCHED, State.HANDLING, State.ANSWERED,
            State.DISPUTED]  # fmt: skip


def _key_and_district(params: Params):
    """The api_key's key and the district it files in (jurisdiction_id, if given, must be it)."""
    key = request_services.open311_key_lookup(params.get("api_key") or "")
    if key is None:
        raise Open311Error(403, "Missing or invalid api_key / api_key 缺失或无效。")
    district = jurisdiction(params) if params.get("jurisdiction_id") else key.district
    if district.pk != key.district_id:
        raise Open311Error(
            403, "api_key is not valid for this jurisdiction_id / 密钥不属于该辖区。"
        )
    return key, district


def _located_place(params: Params, district: Place) -> Place:
    """Where the request is filed: the grid or community of address_id, else the district; a
    location of some kind (lat & long, address_string or address_id) is required."""
    lat, long = params.get("lat"), params.get("long")
    address_id = params.get("address_id")
    if not ((lat and long) or params.get("address_string") or address_id):
        raise Open311Error(
            400, "a location is required: lat & long, address_string or address_id / 请提供位置。"
        )
    if not address_id:
        return district
    place = Place.objects.filter(
        district=district, code=address_id, is_active=True,
        level__in=[PlaceLevel.STREET, PlaceLevel.COMMUNITY, PlaceLevel.GRID],
    ).first()  # fmt: skip
    if place is None:
        raise Open311Error(400, f"address_id {address_id} is not a known grid or community code")
    return place


def _media_url(params: Params) -> str:
    media_url = params.get("media_url") or ""
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            raise Open311Error(400, "media_url is not a valid http(s) URL") from None
    return media_url


def _create(request, fmt):
    params = Params(request)
    key, district = _key_and_district(params)
    item = _item(district, params.get("service_code"))
    place = _located_place(params, district)
    media_url = _media_url(params)
    name = "".join(part for part in (params.get("last_name"), params.get("first_name")) if part)
    try:
        with transaction.atomic():
            created = request_services.request_submit(
                actor=key.account,
                place=place,
                item=item,
                description=params.get("description") or item.name,
                answers=params.attributes(),
                address=params.get("address_string") or "",
                lat=params.get("lat"),
                long=params.get("long"),
                media_url=media_url,
                channel=Channel.OPEN311,
                contact_name=name[:50],
                contact_phone=params.get("phone") or "",
                client_key=(request.headers.get("Idempotency-Key") or "")[:64],
            )
    except ValidationError as error:
        raise Open311Error(400, " ".join(error.messages)) from None
    except PermissionDenied as error:
        raise Open311Error(403, str(error)) from None
    body = [
        {
            "service_request_id": str(created.pk),
            "service_notice": (
                f"已受理登记，编号{created.number}，"
                f"受理期限{clock.shown(created.accept_due, '%Y-%m-%d %H:%M')}"
            ),
            "account_id": params.get("account_id") or "",
        }
    ]
    return render(fmt, body, root="service_requests", item="request")
