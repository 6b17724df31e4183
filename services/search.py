"""查找诉求 (issue #14 item 3): staff find requests by number, phone, words, item, department,
place, state, channel and filing date, among the requests they may see.

- ``may_search(user)``: who has the search (staff who see requests: dispatchers, street,
  community and grid workers, auditors, department officers; not residents, who have 我的诉求).
- ``clean_query(user, raw)``: what a page or API client sent (strings, or lists for states),
  checked; every absurd filter (an end before the start, an unknown state, a word of 10,000
  characters, a tampered page cursor) is refused with a message saying which and why.
- ``search(user, query)``: the requests matching, inside ``requests_visible_to(user)`` (a street
  sees only its streets), newest number first; ``page(...)`` pages it by key (core.paging), so
  page 40,000 costs what page 1 does.
- A phone is never stored in the clear: it is matched by keyed hash, against the resident's
  mobile (core.personal_data) and the contact number typed at filing
  (``ServiceRequest.contact_phone_hash``, written by ``phone_hash``).
- ``workbook(rows)``: the result as Excel through core.exports (formula-safe).
"""

import datetime
import re
from dataclasses import asdict, dataclass, field, replace
from io import BytesIO

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import BooleanField, F, Func, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import paging
from core.field_crypto import keyed_hash
from core.models import Department, Person, Place
from core.rules import assignments_of
from services import grams, policies, selectors
from services.models import Channel, ServiceItem, ServiceRequest, State

ORDER = ("-pk",)  # newest number first; the primary key is the page key
PAGE_SIZE = 50
EXPORT_LIMIT = 5000
# Up to this many requests holding a word search's grams are looked up by number (_with_words).
FEW_HOLDERS = 2000
WORDS_MAX = 100  # characters of the words box
TERMS_MAX = 5  # words looked for at once
MAX_ID = 2**63 - 1
NUMBER_RE = re.compile(r"(?:SR)?0*(\d{1,18})")
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


def may_search(user) -> bool:
    """Staff who see requests beyond their own: dispatchers, street officers, community and grid
    workers, auditors, department officers (services.policies)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or policies.officer_departments(user):
        return True
    roles = policies.DISPATCH_ROLES | policies.PLACE_VIEW_ROLES
    return any(a.role in roles for a in assignments_of(user))


def phone_hash(raw: str) -> str:
    """The keyed hash of a contact number's digits ("" for none)."""
    digits = "".join(ch for ch in str(raw or "") if ch.isdigit())
    return keyed_hash("phone:" + digits) if digits else ""


@dataclass(frozen=True)
class RequestQuery:
    """A checked search. ``phone`` is kept only while the search runs (a saved search never
    holds one)."""

    number: int | None = None
    phone: str = ""
    words: tuple[str, ...] = ()
    item: int | None = None
    department: int | None = None
    place: int | None = None
    states: tuple[str, ...] = ()
    channel: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    after: str = ""
    before: str = ""
    errors: tuple[str, ...] = field(default=(), compare=False)

    @property
    def is_empty(self) -> bool:
        return self.without_cursor() == RequestQuery()

    def without_cursor(self) -> "RequestQuery":
        return replace(self, after="", before="", errors=())

    def params(self) -> dict:
        """The query string that asks this search again (no cursor): for the pager, the saved
        search and the export link."""
        found = {
            "number": f"SR{self.number:08d}" if self.number else "",
            "phone": self.phone,
            "q": " ".join(self.words),
            "item": self.item or "",
            "department": self.department or "",
            "place": self.place or "",
            "state": ",".join(self.states),
            "channel": self.channel,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
        }
        return {k: v for k, v in found.items() if v}

    def stored(self) -> dict:
        """What a saved search keeps: the filters without phone or cursor (JSON)."""
        kept = asdict(self.without_cursor())
        for name in ("phone", "after", "before", "errors"):
            kept.pop(name)
        kept["words"], kept["states"] = list(self.words), list(self.states)
        for name in ("date_from", "date_to"):
            kept[name] = kept[name].isoformat() if kept[name] else None
        return {k: v for k, v in kept.items() if v not in (None, "", [])}


# ---------------------------------------------------------------- checking what came in


def _one(raw, name: str) -> str:
    value = raw.get(name, "")
    if isinstance(value, list | tuple):
        value = value[-1] if value else ""
    return str(value if value is not None else "").strip()


def _many(raw, name: str) -> list[str]:
    getlist = getattr(raw, "getlist", None)
    values = getlist(name) if getlist else raw.get(name) or []
    if isinstance(values, str):
        values = [values]
    # Several values come as repeated parameters or as one, comma-separated (the pager's links).
    return [part.strip() for v in values for part in str(v).split(",") if part.strip()]


def _id(raw, name: str, refusal: str, errors: list) -> int | None:
    value = _one(raw, name)
    if not value:
        return None
    if not value.isdigit() or not 1 <= int(value) <= MAX_ID:
        errors.append(refusal)
        return None
    return int(value)


def _date(raw, name: str, label: str, errors: list) -> datetime.date | None:
    value = _one(raw, name)
    if not value:
        return None
    try:
        if DATE_RE.fullmatch(value):
            return datetime.date.fromisoformat(value)
    except ValueError:
        pass
    errors.append(
        _("%(label)s“%(value)s”不是有效日期，应写成 2026-01-31 这样。")
        % {"label": label, "value": value[:20]}
    )
    return None


def _number(raw, errors: list) -> int | None:
    value = _one(raw, "number").upper().replace(" ", "")
    if not value:
        return None
    found = NUMBER_RE.fullmatch(value)
    if not found or not 1 <= int(found.group(1)) <= MAX_ID:
        errors.append(_("诉求编号应为 SR 加数字，例如 SR00000123。"))
        return None
    return int(found.group(1))


def _phone(raw, errors: list) -> str:
    value = _one(raw, "phone")
    if not value:
        return ""
    digits = re.sub(r"^\+?86", "", re.sub(r"[\s\-()]", "", value))
    if not digits.isdigit() or not 7 <= len(digits) <= 15:
        errors.append(_("电话号码应为7到15位数字。"))
        return ""
    return digits


def _words(raw, errors: list) -> tuple[str, ...]:
    value = _one(raw, "q").replace("\x00", "")
    if len(value) > WORDS_MAX:
        errors.append(_("关键词过长（最多%(limit)d字）。") % {"limit": WORDS_MAX})
        return ()
    terms = tuple(dict.fromkeys(value.split()))
    if len(terms) > TERMS_MAX:
        errors.append(_("关键词最多%(limit)d个，请用空格分开。") % {"limit": TERMS_MAX})
        return ()
    return terms


def _choices(raw, user, errors: list) -> dict:
    states = tuple(dict.fromkeys(_many(raw, "state")))
    unknown = [s for s in states if s not in State.values]
    if unknown:
        errors.append(_("未知的办理状态：%(state)s。") % {"state": "、".join(unknown)[:60]})
        states = ()
    channel = _one(raw, "channel")
    if channel and channel not in Channel.values:
        errors.append(_("未知的渠道：%(channel)s。") % {"channel": channel[:30]})
        channel = ""
    found = {
        "item": _id(raw, "item", _("请选择有效的服务事项。"), errors),
        "department": _id(raw, "department", _("请选择有效的部门。"), errors),
        "place": _id(raw, "place", _("请选择有效的地点。"), errors),
    }
    districts = None if user.is_superuser else selectors.user_districts(user)
    for name, model, refusal in (
        ("item", ServiceItem, _("没有这个服务事项，或不在您所在的区。")),
        ("department", Department, _("没有这个部门，或不在您所在的区。")),
        ("place", Place, _("没有这个地点，或不在您所在的区。")),
    ):
        if found[name] is not None and not _in_districts(model, found[name], districts):
            errors.append(refusal)
            found[name] = None
    return {**found, "states": states, "channel": channel}


def _in_districts(model, pk: int, districts) -> bool:
    rows = model.objects.filter(pk=pk)
    if districts is not None:
        rows = rows.filter(district_id__in=districts)
    return rows.exists()


def _cursor(raw, name: str, errors: list) -> str:
    value = _one(raw, name)
    if value and not paging.cursor_is_valid(value, len(ORDER)):
        errors.append(_("翻页参数无效（可能被改动过），请从第一页重新查找。"))
        return ""
    return value


def clean_query(user, raw) -> RequestQuery:
    """The search ``raw`` asks for (a QueryDict or a dict), checked. What is wrong is listed in
    ``errors`` (each a sentence saying which filter and why); a search with errors finds
    nothing (``search`` returns none), so a bad filter never widens the result."""
    errors: list[str] = []
    date_from = _date(raw, "from", _("开始日期"), errors)
    date_to = _date(raw, "to", _("结束日期"), errors)
    if date_from and date_to and date_to < date_from:
        errors.append(_("结束日期不能早于开始日期。"))
    query = RequestQuery(
        number=_number(raw, errors),
        phone=_phone(raw, errors),
        words=_words(raw, errors),
        **_choices(raw, user, errors),
        date_from=date_from,
        date_to=date_to,
        after=_cursor(raw, "after", errors),
        before=_cursor(raw, "before", errors),
    )
    return replace(query, errors=tuple(errors))


def from_stored(user, stored: dict) -> RequestQuery:
    """A saved search as a query, checked again (an item or place may have gone since)."""
    raw = {
        "number": f"SR{stored['number']}" if stored.get("number") else "",
        "q": " ".join(stored.get("words") or []),
        "item": stored.get("item") or "",
        "department": stored.get("department") or "",
        "place": stored.get("place") or "",
        "state": list(stored.get("states") or []),
        "channel": stored.get("channel") or "",
        "from": stored.get("date_from") or "",
        "to": stored.get("date_to") or "",
    }
    return clean_query(user, {k: v for k, v in raw.items() if v})


# ---------------------------------------------------------------- the search


def saved_of(user) -> QuerySet:
    """The user's own saved searches (nobody sees another's)."""
    from services.models import SavedSearch

    return (
        SavedSearch.objects.filter(user=user)
        if user.is_authenticated
        else SavedSearch.objects.none()
    )


def _day_start(day: datetime.date) -> datetime.datetime:
    """Midnight of a Beijing day, as an aware moment."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _phone_q(phone: str) -> Q:
    condition = Q(contact_phone_hash=phone_hash(phone))
    from core.personal_data import mobile_hash

    try:
        hashed = mobile_hash(phone)
    except ValidationError:  # not a mobile number: only the contact numbers can match
        return condition
    people = Person.objects.filter(mobile_hash=hashed).values("pk")
    return condition | Q(resident__in=people)


def _subtree(place_id: int) -> list[int]:
    """The place and every place under it in the live tree (as services.policies reads it: a
    request filed before its community moved street follows the community). A list of ids, so
    the search reads the request's own place_id and no join decides the plan."""
    path = Place.objects.filter(pk=place_id).values_list("path", flat=True).first()
    if path is None:
        return []
    return list(Place.objects.filter(path__startswith=path).values_list("pk", flat=True))


class HasGrams(Func):
    """PostgreSQL: the request's grams (``search_text``) hold every gram of a ``tsquery``
    (services.grams.query) — the expression migration 0013's GIN index is built on."""

    output_field = BooleanField()

    def __init__(self, tsquery: str):
        super().__init__(F("search_text"))
        self.tsquery = tsquery

    def as_sql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        sql = f"array_to_tsvector(string_to_array({column}, ' ')) @@ %s::tsquery"
        return sql, (*params, self.tsquery)


class Holds(Func):
    """PostgreSQL: the title or the description holds ``term``, case aside — what
    ``title__icontains=term | description__icontains=term`` finds (a term has no space, so it
    cannot straddle the line joining them), written so the planner takes it as almost always
    true (``<> 0``: no estimate of its own), leaving the row estimate to the grams' index, whose
    statistics know how frequent a word is. Two LIKEs would each be guessed rare, and a frequent
    word's search would then read every matching row instead of the newest by key."""

    output_field = BooleanField()

    def __init__(self, term: str):
        super().__init__(F("title"), F("description"))
        self.term = term

    def as_sql(self, compiler, connection, **extra_context):
        title, title_params = compiler.compile(self.source_expressions[0])
        description, description_params = compiler.compile(self.source_expressions[1])
        sql = f"strpos(upper({title} || chr(10) || {description}), upper(%s)) <> 0"
        return sql, (*title_params, *description_params, self.term)


def _with_words(found: QuerySet, words) -> QuerySet:
    """Requests whose title or description holds each of ``words`` (as ``icontains``: case
    aside, anywhere, % and _ literal). On PostgreSQL the grams' index first narrows the rows to
    those holding every gram of the words (services.grams), so no word search reads the table,
    and ``Holds`` is the exact check; SQLite reads ``icontains``."""
    if connection.vendor == "postgresql":
        holding = HasGrams(grams.query(words))
        # The planner cannot know how rare a word is when its rarity lies in a prefix gram (a
        # number at a term's end): it guessed thousands of rows and walked the whole table by
        # key for one. So look first: when few requests hold the grams at all, name them.
        few = list(
            ServiceRequest.objects.filter(holding).values_list("pk", flat=True)[: FEW_HOLDERS + 1]
        )
        found = found.filter(pk__in=few) if len(few) <= FEW_HOLDERS else found.filter(holding)
        for term in words:
            found = found.filter(Holds(term))
        return found
    for term in words:
        found = found.filter(Q(title__icontains=term) | Q(description__icontains=term))
    return found


def search(user, query: RequestQuery) -> QuerySet[ServiceRequest]:
    """The requests ``user`` may see that match ``query`` (none when it has errors)."""
    found = selectors.requests_visible_to(user)
    if query.errors:
        return found.none()
    if query.number:
        found = found.filter(pk=query.number)
    if query.phone:
        found = found.filter(_phone_q(query.phone))
    if query.words:
        found = _with_words(found, query.words)
    if query.item:
        found = found.filter(item_id=query.item)
    if query.department:
        found = found.filter(lead_department_id=query.department)
    if query.place:
        found = found.filter(place_id__in=_subtree(query.place))
    if query.states:
        found = found.filter(state__in=query.states)
    if query.channel:
        found = found.filter(channel=query.channel)
    if query.date_from:
        found = found.filter(created_at__gte=_day_start(query.date_from))
    if query.date_to:
        found = found.filter(created_at__lt=_day_start(query.date_to + datetime.timedelta(1)))
    return found


def page(user, query: RequestQuery, *, size: int = PAGE_SIZE) -> paging.KeysetPage:
    """One page of the search, by key."""
    return paging.keyset_page(
        search(user, query), order=ORDER, after=query.after, before=query.before, size=size,
        params=query.params(),
    )  # fmt: skip


# ---------------------------------------------------------------- Excel

COLUMNS = (
    gettext_lazy("诉求编号"), gettext_lazy("标题"), gettext_lazy("状态"), gettext_lazy("类别"),
    gettext_lazy("渠道"), gettext_lazy("服务事项"), gettext_lazy("地点"), gettext_lazy("主办部门"),
    gettext_lazy("提交时间"), gettext_lazy("办理期限"), gettext_lazy("办结时间"),
)  # fmt: skip


def export_rows(user, query: RequestQuery) -> tuple[list[list], bool]:
    """The rows of the export (at most EXPORT_LIMIT) and whether the result had more."""
    from core.clock import shown

    found = list(search(user, query).order_by(*ORDER)[: EXPORT_LIMIT + 1])
    rows = [
        [
            r.number, r.title, r.get_state_display(), r.get_category_display(),
            r.get_channel_display(), r.item.name if r.item_id else "", r.place.name,
            r.lead_department.name if r.lead_department_id else "",
            shown(r.created_at, "%Y-%m-%d %H:%M"), shown(r.due_at, "%Y-%m-%d %H:%M"),
            shown(r.closed_at, "%Y-%m-%d %H:%M"),
        ]
        for r in found[:EXPORT_LIMIT]
    ]  # fmt: skip
    return rows, len(found) > EXPORT_LIMIT


def workbook(rows: list[list], *, more: bool) -> bytes:
    """The rows as an .xlsx file (core.exports.SafeWorkbook: typed text stays text)."""
    from core.exports import SafeWorkbook

    book = SafeWorkbook()
    sheet = book.active
    sheet.title = _("诉求查找结果")
    sheet.append([str(label) for label in COLUMNS])
    for row in rows:
        sheet.append(row)
    if more:
        sheet.append([_("结果超过%(limit)d条，只导出了最新的%(limit)d条；请缩小范围后再导出。")
                      % {"limit": EXPORT_LIMIT}])  # fmt: skip
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
