"""三率 and friends, by department, street, community or category, with a weekly trend.

- 响应率 (response): accepted (or refused with a reason) by the acceptance deadline, of the
  requests whose acceptance deadline has passed or that were handled.
- 解决率 (resolution): finished (办结) requests, of all requests except merged duplicates.
- 满意率 (satisfaction): 满意 + 基本满意, of rated requests.
- 按时办结率 (on time): answered by the handling deadline, of answered requests.
- 平均办理时长: from dispatch to answer, in hours.

Every figure is one grouped aggregate query over the scoped requests.
"""

import datetime

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Department, Place, PlaceLevel, Role
from core.rules import assignments_of
from services.models import Category, Level, ServiceRequest, State
from services.rules import DISPATCH_ROLES

METRIC_ROLES = DISPATCH_ROLES | {Role.AUDITOR, Role.STREET_OFFICER}
GROUPS = {
    "department": ("lead_department__name", _("主办部门")),
    "street": ("street__name", _("街道")),
    "community": ("community__name", _("社区")),
    "category": ("category", _("类别")),
}
PERIODS = {30: _("近30天"), 90: _("近90天"), 365: _("近一年")}
FINISHED = [State.CLOSED, State.VISITED, State.RATED, State.DISPUTED]


def may_see_metrics(user) -> bool:
    return user.is_superuser or any(a.role in METRIC_ROLES for a in assignments_of(user))


def scoped(user):
    if user.is_superuser:
        return ServiceRequest.objects.all()
    query = Q(pk__in=[])
    for assignment in assignments_of(user):
        if assignment.role in METRIC_ROLES:
            query |= Q(place_path__startswith=assignment.place.path)
    return ServiceRequest.objects.filter(query)


def _aggregates(now):
    handling = ExpressionWrapper(
        F("answered_at") - F("dispatched_at"), output_field=DurationField()
    )
    return {
        "total": Count("pk", filter=~Q(state=State.MERGED)),
        "due_accept": Count("pk", filter=Q(accept_due__lt=now) | Q(accepted_at__isnull=False)),
        "responded": Count(
            "pk", filter=Q(accepted_at__isnull=False, accepted_at__lte=F("accept_due"))
        ),
        "finished": Count("pk", filter=Q(state__in=FINISHED)),
        "rated": Count("pk", filter=~Q(rating="")),
        "satisfied": Count("pk", filter=Q(rating__in=["satisfied", "basic"])),
        "answered": Count("pk", filter=Q(answered_at__isnull=False)),
        "on_time": Count("pk", filter=Q(answered_at__isnull=False, answered_at__lte=F("due_at"))),
        "avg_handling": Avg(
            handling, filter=Q(answered_at__isnull=False, dispatched_at__isnull=False)
        ),
    }


def _rate(part, whole):
    return round(100 * part / whole, 1) if whole else None


def _row(label, values) -> dict:
    avg = values["avg_handling"]
    return {
        "label": label,
        "total": values["total"],
        "response_rate": _rate(values["responded"], values["due_accept"]),
        "resolution_rate": _rate(values["finished"], values["total"]),
        "satisfaction_rate": _rate(values["satisfied"], values["rated"]),
        "on_time_rate": _rate(values["on_time"], values["answered"]),
        "avg_hours": round(avg.total_seconds() / 3600, 1) if avg is not None else None,
    }


def _window(days: int) -> tuple[datetime.date, datetime.datetime]:
    """The last ``days`` local days, today included: (first day, its midnight)."""
    first = timezone.localdate() - datetime.timedelta(days=days - 1)
    midnight = datetime.datetime.combine(first, datetime.time.min)
    return first, timezone.make_aware(midnight)


def _summary_scope(user) -> dict | None:
    """What of the summary tables the user may read: everything for a superuser ({}), else the
    paths and districts of their metric places; None when one of them is a grid, which the
    summaries (kept per community) cannot tell apart: then the raw requests are read."""
    if user.is_superuser:
        return {}
    query, districts = Q(pk__in=[]), set()
    for assignment in assignments_of(user):
        if assignment.role in METRIC_ROLES:
            if assignment.place.level == PlaceLevel.GRID:
                return None
            query |= Q(place_path__startswith=assignment.place.path)
            districts.add(assignment.place.district_id or assignment.place.pk)
    # The district ids add nothing to the scope but let the (district, day) index serve.
    return {"query": query, "districts": districts}


def _grouped_rows(user, group: str, by_group: dict, since, now) -> list[dict]:
    labels = _labels(group, by_group)
    rows = [
        _summary_row(labels.get(value) or str(UNASSIGNED), counts)
        for value, counts in by_group.items()
        if any(counts.values()) and not (group == "department" and not value)
    ]
    if group == "department" and any(by_group.get(0, {}).values()):
        # No lead department: settled by the grid, community or street, or not yet dispatched
        # — the summary does not know which, so those few are read by level from the requests.
        rows += _rows_by_level(scoped(user).filter(created_at__gte=since), now)
    rows.sort(key=_row_order)
    return rows


def metrics(user, *, group: str = "department", days: int = 30) -> dict:
    """From the summary tables (services.summary) when the user's scope is whole communities or
    larger — the window's whole weeks from the weekly table, the days of its first, partial week
    from the daily one — else from the raw requests."""
    from services import summary
    from services.models import RequestSummary, RequestSummaryWeek

    scope = _summary_scope(user)
    if scope is None:
        return metrics_raw(user, group=group, days=days)

    def scoped_rows(model):
        if not scope:
            return model.objects.all()
        return model.objects.filter(scope["query"], district_id__in=scope["districts"])

    now = timezone.now()
    first, since = _window(days)
    # Whole weeks from the weekly table; the days of a first, partial week from the daily one.
    first_monday = first + datetime.timedelta(days=-first.weekday() % 7)
    key = SUMMARY_KEYS[group]
    empty = dict.fromkeys((*summary.COUNTERS, "not_yet_due"), 0)
    by_group, by_week, total = {}, {}, dict(empty)

    def add(group_value, day, counts):
        week = day - datetime.timedelta(days=day.weekday())
        for target in (
            by_group.setdefault(group_value, dict(empty)),
            by_week.setdefault(week, dict(empty)),
            total,
        ):
            for name, value in counts.items():
                target[name] += value or 0

    sums = summary.sums()
    if first < first_monday:
        days_rows = scoped_rows(RequestSummary).filter(day__gte=first, day__lt=first_monday)
        for row in days_rows.values("day", key).annotate(**sums).order_by():
            add(row[key], row["day"], {name: row[name] for name in summary.COUNTERS})
    week_rows = scoped_rows(RequestSummaryWeek).filter(week__gte=first_monday)
    for row in week_rows.values("week", key).annotate(**sums).order_by():
        add(row[key], row["week"], {name: row[name] for name in summary.COUNTERS})
    raw_key = RAW_KEYS[group]
    for row in summary.not_yet_due(scoped(user).filter(created_at__gte=since), now):
        add(row[raw_key] or (0 if group != "category" else ""), summary.local_day(
            row["created_at"]), {"not_yet_due": 1})  # fmt: skip
    result_rows = _grouped_rows(user, group, by_group, since, now)
    trend = [_summary_row(week.isoformat(), by_week[week]) for week in sorted(by_week)]
    return {
        "rows": result_rows,
        "total": _summary_row(str(_("合计")), total),
        "trend": trend,
        "since": since,
    }


SUMMARY_KEYS = {
    "department": "department_id",
    "street": "street_id",
    "community": "community_id",
    "category": "category",
}
RAW_KEYS = {
    "department": "lead_department_id",
    "street": "street_id",
    "community": "community_id",
    "category": "category",
}


def _labels(group: str, by_group: dict) -> dict:
    if group == "category":
        return {key: str(label) for key, label in Category.choices}
    ids = [value for value in by_group if value]
    model = Department if group == "department" else Place
    return {pk: obj.name for pk, obj in model.objects.in_bulk(ids).items()}


def _summary_row(label, counts) -> dict:
    handled = counts["handled"]
    return _row(
        label,
        {
            "total": counts["total"],
            "due_accept": counts["accepted"] + counts["unaccepted"] - counts["not_yet_due"],
            "responded": counts["responded"],
            "finished": counts["finished"],
            "rated": counts["rated"],
            "satisfied": counts["satisfied"],
            "answered": counts["answered"],
            "on_time": counts["on_time"],
            "avg_handling": (
                datetime.timedelta(seconds=counts["handling_seconds"] / handled)
                if handled
                else None
            ),
        },
    )


def metrics_raw(user, *, group: str = "department", days: int = 30) -> dict:
    """The same figures straight from the requests (grouped aggregate queries): for scopes finer
    than a community, and as the reference the summary is tested against."""
    now = timezone.now()
    _first, since = _window(days)
    requests = scoped(user).filter(created_at__gte=since)
    field, _label = GROUPS[group]
    labels = dict(Category.choices)
    rows = []
    grouped = requests.exclude(lead_department=None) if group == "department" else requests
    for values in grouped.values(field).annotate(**_aggregates(now)).order_by(field):
        key = values[field]
        label = labels.get(key, key) if group == "category" else key
        rows.append(_row(str(label) if label else str(UNASSIGNED), values))
    if group == "department":
        rows += _rows_by_level(requests, now)
    rows.sort(key=_row_order)
    total = _row(str(_("合计")), requests.aggregate(**_aggregates(now)))
    trend = [
        _row(values["week"].date().isoformat() if values["week"] else "", values)
        for values in requests.annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(**_aggregates(now))
        .order_by("week")
    ]
    return {"rows": rows, "total": total, "trend": trend, "since": since}


UNASSIGNED = _("未分派")
# Requests no department leads, by the level that holds them (issue #14: those settled in the
# grid, the community or the street were shown as 未分派 on the by-department page).
LEVEL_LABELS = {
    Level.GRID: _("网格处置"),
    Level.COMMUNITY: _("社区处置"),
    Level.STREET: _("街道处置"),
    Level.DEPARTMENT: UNASSIGNED,
}
_LEVEL_ORDER = [str(label) for label in LEVEL_LABELS.values()]


def _row_order(row) -> tuple:
    """Departments by name, then the grid, community and street, 未分派 last."""
    label = row["label"]
    return (_LEVEL_ORDER.index(label) if label in _LEVEL_ORDER else -1, label)


def _rows_by_level(requests, now) -> list[dict]:
    """The rows of the requests no department leads, one per level (one grouped query)."""
    rows = requests.filter(lead_department=None).values("level").annotate(**_aggregates(now))
    return [
        _row(str(LEVEL_LABELS.get(values["level"], UNASSIGNED)), values)
        for values in rows.order_by("level")
    ]


def level_shares(by_level: dict) -> dict:
    """Finished requests by the level that settled them, and the grid's and community's shares."""
    row = {level: by_level.get(level, 0) for level in ("grid", "community", "street", "department")}
    row["finished"] = sum(row.values())
    row["grid_share"] = _rate(row["grid"], row["finished"])
    row["community_share"] = _rate(row["community"], row["finished"])
    row["local_share"] = _rate(row["grid"] + row["community"], row["finished"])
    return row


def settled_levels(user, *, days: int = 30) -> dict:
    """Where the user's finished requests of the window were settled: grid, community, street or
    a department (one grouped query)."""
    _first, since = _window(days)
    rows = (
        scoped(user)
        .filter(created_at__gte=since, state__in=FINISHED)
        .values("level")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return level_shares({row["level"]: row["n"] for row in rows})


COLUMNS = [
    ("label", _("分组")),
    ("total", _("诉求数")),
    ("response_rate", _("响应率%")),
    ("resolution_rate", _("解决率%")),
    ("satisfaction_rate", _("满意率%")),
    ("on_time_rate", _("按时办结率%")),
    ("avg_hours", _("平均办理时长（小时）")),
]
